import { ApiGatewayVelocity, type Asts, type RefAst } from './vtl-velocity';

/**
 * velocityjs methods mixed into Compile at run time but missing from its typings (velocityjs 2.x,
 * compile/references.cjs), which {@link MethodHost} calls as velocityjs does.
 */
interface CompileInternals {
  getPropMethod(property: unknown, baseRef: unknown, ast: RefAst): unknown;
}

/** Stands for an already evaluated method argument in {@link MethodHost.callOnObject}. */
interface ArgSlot {
  readonly type: 'wa:arg';
  readonly index: number;
}

/**
 * velocityjs bound to one render's variables, for the one thing compiled templates leave to it:
 * calling a plain JavaScript method on an object. velocityjs then attaches an `eval` closure of
 * its own to the receiver (visible to the template, e.g. in `keySet()`), bound to the renderer;
 * this host is that renderer, sharing the render's variables. A string evaluated through that
 * closure can also `#stop()` the render or `#define` a reference, which the compiled template
 * reads back from here ({@link MethodHost.stopped}, {@link MethodHost.renderDefine}).
 */
export class MethodHost extends ApiGatewayVelocity {
  #args: readonly unknown[] = [];

  constructor(vars: Record<string, unknown>) {
    super([], new Map<string, Asts>());
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

  protected override getLiteral(ast: Asts[number]): string {
    const slot = ast as unknown as ArgSlot;
    // The argument values are returned as velocityjs returns values: typed as its string.
    if (slot.type === 'wa:arg') return this.#args[slot.index] as string;
    return super.getLiteral(ast);
  }
}
