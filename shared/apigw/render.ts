import { TemplateError } from '../errors';
import { createContext } from './context';
import { TemplateInput } from './input';
import type { ApiRequest, ResponseRender, Substitutions } from './types';
import { createUtil } from './util';
import { parseVtl, renderAsts, type Asts } from './vtl';

const MAX_CACHED = 512;

/** Per template text: the `${Name}` placeholders it holds, and its parsed form per set of values. */
interface Prepared {
  readonly names: readonly string[];
  readonly byValues: Map<string, Asts>;
}

const prepared = new Map<string, Prepared>();
const PLACEHOLDER_RE = /\$\{([^}]*)\}/g;
// A value lands in template text or a VTL string literal: quotes, backslashes and line breaks
// would end the literal, `$` and `#` would start VTL.
const UNSAFE_VALUE_RE = /['"\\\r\n$#]/;

/** Whether a value can fill a `${Name}` placeholder (check configuration with it at start-up). */
export function isSafeSubstitution(value: string): boolean {
  return !UNSAFE_VALUE_RE.test(value);
}

/**
 * The `${Name}` placeholder names in a template, in order of first use, as `Fn::Sub` sees them
 * (`${!Literal}` is Fn::Sub's escape for a literal `${Literal}` and is not a placeholder).
 */
export function placeholderNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_RE)) if (!m[1]!.startsWith('!')) names.add(m[1]!);
  return [...names];
}

/**
 * Replaces `${Name}` placeholders the way CloudFormation `Fn::Sub` does on AWS. An unknown name is
 * a TemplateError, and so is a value that is not {@link isSafeSubstitution}.
 */
export function substitute(text: string, substitutions: Substitutions): string {
  return text.replace(PLACEHOLDER_RE, (_m, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (!Object.hasOwn(substitutions, name)) throw new TemplateError(`unknown placeholder \${${name}} in mapping template`);
    const value = substitutions[name]!;
    if (!isSafeSubstitution(value)) throw new TemplateError(`value for \${${name}} holds a quote, backslash, line break, $ or #`);
    return value;
  });
}

/** Parsed template for these substitutions; substitution and parsing happen once per distinct pair. */
function compiled(text: string, substitutions: Substitutions): Asts {
  let entry = prepared.get(text);
  if (!entry) {
    entry = { names: placeholderNames(text), byValues: new Map() };
    if (prepared.size >= MAX_CACHED) prepared.clear();
    prepared.set(text, entry);
  }
  const key = entry.names.length === 1 ? valueKey(substitutions, entry.names[0]!) : entry.names.map((n) => valueKey(substitutions, n)).join('\u0000');
  let asts = entry.byValues.get(key);
  if (!asts) {
    asts = parseVtl(substitute(text, substitutions));
    if (entry.byValues.size >= MAX_CACHED) entry.byValues.clear();
    entry.byValues.set(key, asts);
  }
  return asts;
}

// A placeholder's value in the parse-cache key ('\u0001' cannot start a value that substitutes).
function valueKey(substitutions: Substitutions, name: string): string {
  return Object.hasOwn(substitutions, name) ? substitutions[name]! : '\u0001missing';
}

/**
 * Renders a request mapping template: `${Name}` placeholders first (see {@link substitute}), then
 * VTL with `$input` (the method request), `$util` and `$context`.
 */
export function renderTemplate(text: string, request: ApiRequest, substitutions: Substitutions = {}): string {
  const asts = compiled(text, substitutions);
  const context = createContext(request);
  return renderAsts(asts, { input: new TemplateInput(request, request.body), util: createUtil(), context: context.vars });
}

/**
 * Renders an integration response template: `$input.body`/`json`/`path` read the integration
 * response body, `$input.params` still reads the method request. Returns the body and what the
 * template set in `$context.responseOverride` (a status only when it is an integer 100–599; AWS
 * ignores other values).
 */
export function renderResponseTemplate(
  text: string,
  request: ApiRequest,
  integrationResponseBody: Buffer | string,
  substitutions: Substitutions = {},
): ResponseRender {
  const asts = compiled(text, substitutions);
  const context = createContext(request);
  const body = renderAsts(asts, { input: new TemplateInput(request, integrationResponseBody), util: createUtil(), context: context.vars });
  const { status, headers } = context.overrides();
  const valid = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
  return valid ? { body, statusOverride: status, headerOverrides: headers } : { body, headerOverrides: headers };
}
