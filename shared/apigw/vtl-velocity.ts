import { Compile } from 'velocityjs';
import { javaMethodHandlers } from './java';
import { parseVtl, type Asts } from './vtl-interpreter';

type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;

const config: CompileConfig = { customMethodHandlers: [...javaMethodHandlers] };

const MAX_STRINGS = 512;

/**
 * Plain velocityjs (its public Compile class, a new instance per render) with API Gateway's
 * output rule: a null reference renders as nothing. The double-quoted strings a template
 * interpolates are parsed once per template rather than on every evaluation.
 */
class ApiGatewayVelocity extends Compile {
  readonly #strings: Map<string, Asts>;

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

/** A renderer for one parsed template on plain velocityjs. */
export function velocityRenderer(asts: Asts): (vars: Record<string, unknown>) => string {
  const strings = new Map<string, Asts>();
  // Silent: an undefined reference renders as nothing, as on API Gateway.
  return (vars) => new ApiGatewayVelocity(asts, strings).render(vars, undefined, true);
}
