import { Compile, parse } from 'velocityjs';
import { TemplateError } from '../errors';
import { javaMethodHandlers } from './java';

/** A parsed template (velocityjs AST list). */
export type Asts = ReturnType<typeof parse>;
type CompileConfig = NonNullable<ConstructorParameters<typeof Compile>[1]>;

/** The fields of a `$ref` AST node that compiled references and method calls read. */
export interface RefAst {
  readonly type: string;
  readonly id: string;
  readonly leader?: string;
  readonly prue?: boolean;
  readonly args?: unknown[] | false;
  readonly path?: unknown[];
  readonly pos?: { readonly first_line: number; readonly first_column: number };
}

/** One velocityjs method handler (`customMethodHandlers` entry). */
export type MethodHandler = NonNullable<CompileConfig['customMethodHandlers']>[number];

const config: CompileConfig = { customMethodHandlers: [...javaMethodHandlers] };

/**
 * Every method handler in the order velocityjs tries them: the Java ones, then its built-in ones
 * (read off an instance, where velocityjs appends them, so the list is exactly the one it uses).
 */
export const methodHandlers: readonly MethodHandler[] = (new Compile([], config) as unknown as { config: CompileConfig }).config.customMethodHandlers!;

const MAX_STRINGS = 512;

/**
 * velocityjs (its public Compile class, one instance per render) with API Gateway's output rule:
 * a null reference renders as nothing (velocityjs prints `null`). The double-quoted strings a
 * template interpolates, which velocityjs parses on every evaluation, are parsed once per template.
 */
export class ApiGatewayVelocity extends Compile {
  readonly #strings: Map<string, Asts>;

  /** `strings` caches the parsed interpolated strings; pass the same map to every render of one template. */
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

/** Renders one parsed template with velocityjs, silently (an undefined reference renders as nothing, as on API Gateway). */
export function velocityRenderer(asts: Asts): (vars: Record<string, unknown>) => string {
  const strings = new Map<string, Asts>();
  return (vars) => new ApiGatewayVelocity(asts, strings).render(vars, undefined, true);
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
