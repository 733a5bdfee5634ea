import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, TemplateError } from '../errors';
import { databaseName, tables } from '../schema/tables';
import { isIsoDate } from '../time';
import { dialectOf, sqlFunctionNames, type Dialect, type DialectName, type SqlFunctionName } from './dialect';
import { includeNames, queryNames, type QueryName } from './query-files';

/**
 * The one loader and renderer of the project's SQL: every query lives in `queries/<name>.sql`,
 * one query per file, listed in query-files.ts (`queries/include/` holds fragments, see below;
 * the statements that wrap a query, CTAS, COPY and view DDL, are built in dialect.ts). A file
 * declares its parameters in a header line `-- params: name:kind, …` (kinds: date, int, ident,
 * database) and uses them as `{{name}}`; engine-specific functions are `{{fn:name(arg, …)}}` (see
 * dialect.ts). Values are validated by kind and rendered as literals here, never pasted as given.
 * Whole-line `--` comments are dropped.
 *
 * `{{include:<fragment>}}` pastes `queries/include/<fragment>.sql` (its comments dropped): CTEs
 * several queries share, so a rule they all follow is written once. A fragment declares no
 * parameters (placeholders in it are the including query's) and includes nothing itself.
 */

export const paramKinds = ['date', 'int', 'ident', 'database'] as const;
export type ParamKind = (typeof paramKinds)[number];

export type SqlParamValue = string | number;

/** Identifiers a template may receive: the catalog database, its tables and views. */
export const identifierAllowlist: readonly string[] = [databaseName, ...Object.keys(tables), 'button_clicks', 'conversions'];

/**
 * A catalog database name (kind `database`): the stage's Glue database differs per stage
 * (`whatsapp_analytics`, `whatsapp_analytics_dev`), so it is checked by form, not by list:
 * lower-case letters, digits and underscores, as Glue stores and Athena accepts unquoted.
 */
export const DATABASE_NAME_RE = /^[a-z_][a-z0-9_]{0,254}$/;

const PARAMS_LINE_RE = /^--\s*params:(.*)$/m;
const PARAM_DECL_RE = /^([a-z_][a-z0-9_]*):([a-z]+)$/;
// Any `{{…}}`; what is inside is checked separately so a typo is an error, not left in the SQL.
const PLACEHOLDER_RE = /\{\{(.*?)\}\}/gs;
const PARAM_REF_RE = /^\s*([a-z_][a-z0-9_]*)\s*$/;
const FN_REF_RE = /^\s*fn:([a-z_][a-z0-9_]*)\((.*)\)\s*$/s;
const INCLUDE_RE = /\{\{\s*include:([^}]*?)\s*\}\}/g;

const templateCache = new Map<string, string>();

/** The directory holding the `.sql` files (next to this module). */
export const queriesDir = join(__dirname, 'queries');

/** The text of a file under queries/ (`name` without `.sql`), read once per process. */
function loadFile(name: string): string {
  let text = templateCache.get(name);
  if (text === undefined) {
    const path = join(queriesDir, `${name}.sql`);
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new TemplateError(`cannot read ${path}: ${errorMessage(cause)}`, { cause });
    }
    templateCache.set(name, text);
  }
  return text;
}

/** The text of a query file, read once per process. */
export function loadQuery(name: QueryName): string {
  if (!(queryNames as readonly string[]).includes(name)) throw new TemplateError(`unknown query "${String(name)}" (known: ${queryNames.join(', ')})`);
  return loadFile(name);
}

/** A fragment's SQL for `{{include:name}}`: its comments dropped; it may not declare parameters or include. */
function loadInclude(name: string): string {
  if (!(includeNames as readonly string[]).includes(name)) throw new TemplateError(`unknown include {{include:${name}}} (known: ${includeNames.join(', ')})`);
  const text = loadFile(`include/${name}`);
  if (PARAMS_LINE_RE.test(text)) throw new TemplateError(`include/${name}.sql declares parameters; a fragment uses the including query's`);
  const body = withoutComments(text);
  if (new RegExp(INCLUDE_RE.source).test(body)) throw new TemplateError(`include/${name}.sql includes another fragment; fragments do not nest`);
  return body;
}

// Whole-line comments document the file; they are not sent (Athena keeps view text verbatim).
function withoutComments(text: string): string {
  return text.split('\n').filter((line) => !line.trimStart().startsWith('--')).join('\n').trim();
}

/** Renders query `name` for an engine with the given parameters. Throws TemplateError on any mismatch. */
export function renderSql(name: QueryName, params: Readonly<Record<string, SqlParamValue>>, dialect: DialectName | Dialect): string {
  try {
    return renderTemplate(loadQuery(name), params, dialect);
  } catch (error) {
    if (error instanceof TemplateError && !error.message.startsWith(`${name}.sql`)) throw new TemplateError(`${name}.sql: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The parameters a template declares in its `-- params:` line, in order. */
export function declaredParams(template: string): Map<string, ParamKind> {
  const out = new Map<string, ParamKind>();
  const line = PARAMS_LINE_RE.exec(template);
  if (line === null) return out;
  for (const part of line[1]!.split(',')) {
    const decl = part.trim();
    if (decl === '') continue;
    const m = PARAM_DECL_RE.exec(decl);
    if (m === null || !(paramKinds as readonly string[]).includes(m[2]!)) throw new TemplateError(`bad parameter declaration "${decl}" (expected name:${paramKinds.join('|')})`);
    if (out.has(m[1]!)) throw new TemplateError(`parameter "${m[1]}" is declared twice`);
    out.set(m[1]!, m[2] as ParamKind);
  }
  return out;
}

/** Renders template text (see renderSql); exported for tests and one-off statements. */
export function renderTemplate(template: string, params: Readonly<Record<string, SqlParamValue>>, dialect: DialectName | Dialect): string {
  const d = dialectOf(dialect);
  const declared = declaredParams(template);
  for (const name of declared.keys()) {
    if (!Object.hasOwn(params, name)) throw new TemplateError(`missing parameter "${name}"`);
  }
  for (const name of Object.keys(params)) {
    if (!declared.has(name)) throw new TemplateError(`unexpected parameter "${name}" (declared: ${[...declared.keys()].join(', ') || 'none'})`);
  }
  const literals = new Map<string, string>();
  for (const [name, kind] of declared) literals.set(name, literal(name, kind, params[name]!));
  const used = new Set<string>();
  const body = withoutComments(template).replace(INCLUDE_RE, (_whole, name: string) => loadInclude(name));
  const sql = body.replace(PLACEHOLDER_RE, (_whole, inner: string) => {
    const ref = PARAM_REF_RE.exec(inner);
    if (ref !== null) {
      const value = literals.get(ref[1]!);
      if (value === undefined) throw new TemplateError(`unknown placeholder {{${ref[1]}}} (not declared in the params line)`);
      used.add(ref[1]!);
      return value;
    }
    const fn = FN_REF_RE.exec(inner);
    if (fn !== null) return callFunction(d, fn[1]!, fn[2]!);
    throw new TemplateError(`malformed placeholder {{${inner}}}`);
  });
  for (const name of declared.keys()) {
    if (!used.has(name)) throw new TemplateError(`parameter "${name}" is declared but never used`);
  }
  return sql;
}

function literal(name: string, kind: ParamKind, value: SqlParamValue): string {
  switch (kind) {
    case 'date':
      if (typeof value !== 'string' || !isIsoDate(value)) throw new TemplateError(`parameter "${name}" must be a date YYYY-MM-DD (got ${JSON.stringify(value)})`);
      return `'${value}'`;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new TemplateError(`parameter "${name}" must be a non-negative integer (got ${JSON.stringify(value)})`);
      return String(value);
    case 'ident':
      if (typeof value !== 'string' || !identifierAllowlist.includes(value)) {
        throw new TemplateError(`parameter "${name}" must be one of ${identifierAllowlist.join(', ')} (got ${JSON.stringify(value)})`);
      }
      return value;
    case 'database':
      if (typeof value !== 'string' || !DATABASE_NAME_RE.test(value)) {
        throw new TemplateError(`parameter "${name}" must be a database name of lower-case letters, digits and underscores (got ${JSON.stringify(value)})`);
      }
      return value;
  }
}

function callFunction(dialect: Dialect, name: string, argText: string): string {
  if (!(sqlFunctionNames as readonly string[]).includes(name)) throw new TemplateError(`unknown function {{fn:${name}}} (known: ${sqlFunctionNames.join(', ')})`);
  const fn = dialect.functions[name as SqlFunctionName];
  const args = splitArgs(argText);
  if (args.length !== fn.arity) throw new TemplateError(`{{fn:${name}}} takes ${fn.arity} argument(s), got ${args.length}`);
  return fn.render(args);
}

/** Splits `a, f(b, c), 'x,y'` at top-level commas (outside parentheses and quotes). */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) throw new TemplateError(`unbalanced parentheses in function arguments "${text}"`);
  }
  if (depth !== 0 || quote !== null) throw new TemplateError(`unbalanced parentheses or quotes in function arguments "${text}"`);
  const last = text.slice(start).trim();
  if (last !== '' || args.length > 0) args.push(last);
  if (args.some((a) => a === '')) throw new TemplateError(`empty function argument in "${text}"`);
  return args;
}
