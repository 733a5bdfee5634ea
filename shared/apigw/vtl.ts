import { Compile, parse } from 'velocityjs';
import { TemplateError, WaError } from '../errors';
import { javaMethodHandlers } from './java';

/** A parsed template (velocityjs AST list). */
export type Asts = ReturnType<typeof parse>;
type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;

const config: CompileConfig = { customMethodHandlers: [...javaMethodHandlers] };

const MAX_STRINGS = 512;

/**
 * velocityjs (its public Compile class, one instance per render) with API Gateway's output rule:
 * a null reference renders as nothing (velocityjs prints `null`). The double-quoted strings a
 * template interpolates, which velocityjs parses on every evaluation, are parsed once per template.
 */
class ApiGatewayVelocity extends Compile {
  readonly #strings: Map<string, Asts>;

  /** `strings` caches the parsed interpolated strings; every render of one template shares it. */
  constructor(asts: Asts, strings: Map<string, Asts>) {
    super(asts, config);
    this.#strings = strings;
  }

  protected override getReferences(ast: Asts[number], isVal?: boolean): string {
    const value = super.getReferences(ast, isVal);
    return isVal && value === null ? '' : value;
  }

  protected override evalStr(str: string): string {
    let asts = this.#strings.get(str);
    if (!asts) {
      asts = parseVtl(str);
      if (this.#strings.size >= MAX_STRINGS) this.#strings.clear();
      this.#strings.set(str, asts);
    }
    return this.renderAstList(asts, this.contextId);
  }
}

// The interpolated strings of each parse tree (parse trees live in render.ts's caches).
const stringsByTemplate = new WeakMap<Asts, Map<string, Asts>>();

/** Parses VTL; a syntax error is a TemplateError. */
export function parseVtl(text: string): Asts {
  try {
    return parse(text);
  } catch (cause) {
    throw new TemplateError(`mapping template does not parse: ${errorText(cause)}`, { cause });
  }
}

/**
 * Renders parsed VTL with `vars` as the top-level references (which `#set` may change), silently:
 * an undefined reference renders as nothing, as on API Gateway.
 */
export function renderAsts(asts: Asts, vars: Record<string, unknown>): string {
  let strings = stringsByTemplate.get(asts);
  if (!strings) {
    strings = new Map();
    stringsByTemplate.set(asts, strings);
  }
  try {
    return new ApiGatewayVelocity(asts, strings).render(vars, undefined, true);
  } catch (cause) {
    if (cause instanceof WaError) throw cause;
    throw new TemplateError(`mapping template failed: ${errorText(cause)}`, { cause });
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
