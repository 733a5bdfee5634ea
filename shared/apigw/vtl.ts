import { Compile, Helper, parse } from 'velocityjs';
import { TemplateError, WaError } from '../errors';
import { TemplateInput } from './input';
import { javaMethodHandlers } from './java';
import { utilFunctions } from './util';

/** A parsed template (velocityjs AST list). */
export type Asts = ReturnType<typeof parse>;
type Ast = Asts[number];
type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;

/** The fields of a `$ref` AST node that reference lookup reads. */
interface RefAst {
  readonly id: string;
  readonly leader?: string;
  readonly prue?: boolean;
  readonly args?: unknown[];
  readonly path?: unknown[];
}

/**
 * velocityjs methods mixed into Compile at run time but missing from its typings (velocityjs 2.x,
 * compile/references.cjs and set.cjs). The fast reference lookup below calls them as velocityjs does.
 */
interface CompileInternals {
  getLocal(ast: RefAst): { value: unknown; isLocal: boolean };
  getPropMethod(property: RefAst, baseRef: unknown, ast: RefAst): unknown;
  getAttributes(property: unknown, baseRef: unknown, ast: RefAst): unknown;
  isBlockedPathKey(baseRef: unknown, key: string): boolean;
  _throw(ast: RefAst, property: unknown): void;
}

type Handler = NonNullable<CompileConfig['customMethodHandlers']>[number];

// The methods the mapping templates call on every request. velocityjs would find no handler for
// them after trying all 16 (so each call scans the list), then call the method, after attaching an
// `eval` helper to the receiver (a fresh closure per call). Calling them directly gives the same
// result; the receiver just does not grow that `eval` property.
const directMethods = new Set<unknown>([
  ...Object.values(utilFunctions),
  TemplateInput.prototype.params,
  TemplateInput.prototype.json,
  TemplateInput.prototype.path,
  String.prototype.concat,
]);

const directCall: Handler = {
  uid: 'wa: direct call of $util, $input and String.concat methods',
  match: ({ property, context }) => context !== null && context !== undefined && directMethods.has((context as Record<string, unknown>)[property]),
  resolve: ({ property, context, params }) => ((context as Record<string, unknown>)[property] as (...args: unknown[]) => unknown).apply(context, params),
};

const compileConfig: CompileConfig = { customMethodHandlers: [directCall, ...javaMethodHandlers] };

// A reference's source text (`$a.b($c)`) depends only on its AST node, yet velocityjs rebuilds it on
// every evaluation, and then hashes the fresh string for a property lookup. Cached per node: the
// same string object comes back, with its hash already computed.
const refTexts = new WeakMap<object, string>();

function refText(ast: RefAst): string {
  let text = refTexts.get(ast);
  if (text === undefined) {
    text = Helper.getRefText(ast as never);
    refTexts.set(ast, text);
  }
  return text;
}

/**
 * velocityjs with API Gateway's output rules: a null or undefined reference renders as nothing
 * (velocityjs prints `null`, or the reference text unless silent), and the small strings
 * velocityjs re-parses on every evaluation (`"$a$b"`) are parsed once.
 *
 * One instance serves every render of one parsed template ({@link renderAsts} resets its state),
 * since building a Compile (its config and method-handler list) was a share of each render.
 */
class ApiGatewayCompile extends Compile {
  /**
   * velocityjs's `References.getReferences` (2.1.x) step for step, minus the HTML-escaping branches
   * (`config.escape` is off here) and with the reference text cached; the tests render a corpus
   * through plain velocityjs and through this and compare the output byte for byte.
   */
  protected override getReferences(ast: Ast, isVal?: boolean): string {
    const ref = ast as unknown as RefAst;
    const self = this as unknown as CompileInternals;
    if (ref.prue) {
      const define = this.defines[ref.id];
      if (Array.isArray(define)) return this.renderAstList(define);
    }
    const context = this.context as Record<string, unknown>;
    let ret = self.isBlockedPathKey(context, ref.id) ? undefined : context[ref.id];
    const local = self.getLocal(ref);
    const text = refText(ref);
    if (Object.hasOwn(context, text)) return nothingForNull(context[text], isVal);
    if (ret !== undefined && ref.args !== undefined) ret = self.getPropMethod(ref, context, ref);
    if (local.isLocal) ret = local.value;
    if (Array.isArray(ref.path)) {
      for (const property of ref.path) {
        if (ret === undefined) self._throw(ref, property);
        ret = self.getAttributes(property, ret, ref);
      }
    }
    if (isVal && ret === undefined) ret = this.silence || ref.leader === '$!' ? '' : text;
    return nothingForNull(ret, isVal);
  }

  protected override evalStr(str: string): string {
    return this.renderAstList(parseCached(str), this.contextId);
  }

  /** Renders with fresh per-render state (what a new instance would start with), silently. */
  renderFresh(vars: Record<string, unknown>): string {
    this.defines = {};
    this.conditions = [];
    this.local = {};
    this.contextId = '';
    this.macrosStore = {};
    this.runState = { stop: false, break: false };
    try {
      // Silent: an undefined reference renders as nothing, as on API Gateway.
      return this.render(vars, undefined, true);
    } finally {
      // Do not keep the last request (its body) alive until the next render.
      this.context = {};
    }
  }
}

function nothingForNull(value: unknown, isVal: boolean | undefined): string {
  return (isVal && value === null ? '' : value) as string;
}

const MAX_CACHED = 512;
const stringAsts = new Map<string, Asts>();

function parseCached(text: string): Asts {
  let asts = stringAsts.get(text);
  if (!asts) {
    asts = parseVtl(text);
    if (stringAsts.size >= MAX_CACHED) stringAsts.clear();
    stringAsts.set(text, asts);
  }
  return asts;
}

/** Parses VTL; a syntax error is a TemplateError. */
export function parseVtl(text: string): Asts {
  try {
    return parse(text);
  } catch (cause) {
    throw new TemplateError(`mapping template does not parse: ${errorText(cause)}`, { cause });
  }
}

// The reusable renderer of each parsed template; parse trees live in render.ts's caches.
const renderers = new WeakMap<Asts, ApiGatewayCompile>();

/**
 * Renders parsed VTL with `vars` as the top-level references. Rendering is synchronous and never
 * re-enters itself, so one renderer per parse tree can be reused.
 */
export function renderAsts(asts: Asts, vars: Record<string, unknown>): string {
  let renderer = renderers.get(asts);
  if (!renderer) {
    renderer = new ApiGatewayCompile(asts, compileConfig);
    renderers.set(asts, renderer);
  }
  try {
    return renderer.renderFresh(vars);
  } catch (cause) {
    if (cause instanceof WaError) throw cause;
    throw new TemplateError(`mapping template failed: ${errorText(cause)}`, { cause });
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
