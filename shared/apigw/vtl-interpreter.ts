import { Compile, Helper, parse } from 'velocityjs';
import { TemplateError } from '../errors';
import { TemplateInput } from './input';
import { javaMethodHandlers } from './java';
import { utilFunctions } from './util';

/** A parsed template (velocityjs AST list). */
export type Asts = ReturnType<typeof parse>;
type Ast = Asts[number];
type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;

/** One velocityjs method handler (`customMethodHandlers` entry). */
export type MethodHandler = NonNullable<CompileConfig['customMethodHandlers']>[number];

/** The fields of a `$ref` AST node that reference lookup reads. */
export interface RefAst {
  readonly type: string;
  readonly id: string;
  readonly leader?: string;
  readonly prue?: boolean;
  readonly args?: unknown[] | false;
  readonly path?: unknown[];
  readonly pos?: { readonly first_line: number; readonly first_column: number };
}

/**
 * velocityjs methods mixed into Compile at run time but missing from its typings (velocityjs 2.x,
 * compile/references.cjs and set.cjs). The fast reference lookup below calls them as velocityjs does.
 */
interface CompileInternals {
  getLocal(ast: RefAst): { value: unknown; isLocal: boolean };
  getPropMethod(property: unknown, baseRef: unknown, ast: RefAst): unknown;
  getAttributes(property: unknown, baseRef: unknown, ast: RefAst): unknown;
  isBlockedPathKey(baseRef: unknown, key: string): boolean;
  _throw(ast: RefAst, property: unknown): void;
}

// The methods the mapping templates call on every request. velocityjs would find no handler for
// them after trying all 16 (so each call scans the list), then call the method, after attaching an
// `eval` helper to the receiver (a fresh closure per call). Calling them directly gives the same
// result; the receiver just does not grow that `eval` property.
export const directMethods: ReadonlySet<unknown> = new Set<unknown>([
  ...Object.values(utilFunctions),
  TemplateInput.prototype.params,
  TemplateInput.prototype.json,
  TemplateInput.prototype.path,
  String.prototype.concat,
]);

const directCall: MethodHandler = {
  uid: 'wa: direct call of $util, $input and String.concat methods',
  match: ({ property, context }) => context !== null && context !== undefined && directMethods.has((context as Record<string, unknown>)[property]),
  resolve: ({ property, context, params }) => ((context as Record<string, unknown>)[property] as (...args: unknown[]) => unknown).apply(context, params),
};

const compileConfig: CompileConfig = { customMethodHandlers: [directCall, ...javaMethodHandlers] };

/**
 * Every method handler in the order velocityjs tries them: ours, then its built-in ones (read off
 * an instance, where velocityjs appends them, so the list is exactly the one it uses).
 */
export const methodHandlers: readonly MethodHandler[] = (new Compile([], compileConfig) as unknown as { config: CompileConfig }).config
  .customMethodHandlers!;
// Compiled templates call {@link directMethods} without the handler, which must therefore come first.
if (methodHandlers[0] !== directCall) throw new Error('velocityjs no longer puts custom method handlers first');

// A reference's source text (`$a.b($c)`) depends only on its AST node, yet velocityjs rebuilds it on
// every evaluation, and then hashes the fresh string for a property lookup. Cached per node: the
// same string object comes back, with its hash already computed.
const refTexts = new WeakMap<object, string>();

/** The source text of a reference node, as velocityjs's `Helper.getRefText` gives it (cached). */
export function refText(ast: RefAst): string {
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
 * One instance serves every render of one parsed template ({@link renderFresh} resets its state),
 * since building a Compile (its config and method-handler list) was a share of each render.
 */
export class ApiGatewayCompile extends Compile {
  constructor(asts: Asts) {
    super(asts, compileConfig);
  }

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

/** Stands for an already evaluated method argument in {@link MethodHost.callOnObject}. */
interface ArgSlot {
  readonly type: 'wa:arg';
  readonly index: number;
}

/**
 * An interpreter bound to one render's variables, for the one thing compiled templates leave to
 * velocityjs: calling a plain JavaScript method on an object. velocityjs then attaches an `eval`
 * closure of its own to the receiver (visible to the template, e.g. in `keySet()`), bound to the
 * interpreter; this host is that interpreter, sharing the render's variables. A string evaluated
 * through that closure can also `#stop()` the render or `#define` a reference, which the compiled
 * template reads back from here ({@link MethodHost.stopped}, {@link MethodHost.renderDefine}).
 */
export class MethodHost extends ApiGatewayCompile {
  #args: readonly unknown[] = [];

  constructor(vars: Record<string, unknown>) {
    super([]);
    // Sets up what a render sets up (silence, context, the `eval`/`stop` macros) for the empty template.
    this.render(vars, undefined, true);
  }

  /** velocityjs's `getPropMethod` with arguments the compiled template has evaluated already. */
  callOnObject(id: string, args: readonly unknown[], baseRef: object, ast: RefAst): unknown {
    this.#args = args;
    const slots: ArgSlot[] = args.map((_arg, index) => ({ type: 'wa:arg', index }));
    try {
      return (this as unknown as CompileInternals).getPropMethod({ type: 'method', id, args: slots }, baseRef, ast);
    } finally {
      this.#args = [];
    }
  }

  /** Whether a string this host evaluated ran `#stop()`, which ends the whole render in velocityjs. */
  get stopped(): boolean {
    return this.runState.stop;
  }

  /** What a string this host evaluated `#define`d as `$id`, rendered; undefined if nothing. */
  renderDefine(id: string): string | undefined {
    const define = this.defines[id];
    return Array.isArray(define) ? this.renderAstList(define) : undefined;
  }

  protected override getLiteral(ast: Ast): string {
    const slot = ast as unknown as ArgSlot;
    // The argument values are returned as velocityjs returns values: typed as its string.
    if (slot.type === 'wa:arg') return this.#args[slot.index] as string;
    return super.getLiteral(ast);
  }
}

const MAX_CACHED = 512;
const stringAsts = new Map<string, Asts>();

/** {@link parseVtl} with a bounded cache, for the small strings templates interpolate. */
export function parseCached(text: string): Asts {
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

/** An error's message, or the thrown value as text. */
export function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
