import { Compile, parse } from 'velocityjs';
import { createContext } from '../../../shared/apigw/context';
import { TemplateInput } from '../../../shared/apigw/input';
import { javaMethodHandlers } from '../../../shared/apigw/java';
import { substitute } from '../../../shared/apigw/render';
import type { ApiRequest, ResponseRender, Substitutions } from '../../../shared/apigw/types';
import { createUtil } from '../../../shared/apigw/util';

/**
 * The renderer as it was before it was made fast: plain velocityjs, a new Compile and fresh
 * `$input`/`$util`/`$context` per render, nothing cached. The tests hold the fast renderer to
 * the same output, byte for byte.
 */
type Asts = ReturnType<typeof parse>;

class ReferenceCompile extends Compile {
  protected override getReferences(ast: Asts[number], isVal?: boolean): string {
    const value = super.getReferences(ast, isVal);
    return isVal && value === null ? '' : value;
  }

  protected override evalStr(str: string): string {
    return this.renderAstList(parse(str), this.contextId);
  }
}

/** Plain velocityjs (plus the Java method handlers) on VTL text, with `vars` as the references. */
export function referenceRenderVtl(text: string, vars: Record<string, unknown>): string {
  return new ReferenceCompile(parse(text), { customMethodHandlers: [...javaMethodHandlers] }).render(vars, undefined, true);
}

function run(text: string, substitutions: Substitutions, vars: Record<string, unknown>): string {
  return referenceRenderVtl(substitute(text, substitutions), vars);
}

/** The reference result of a request template. */
export function referenceRenderTemplate(text: string, request: ApiRequest, substitutions: Substitutions = {}): string {
  return run(text, substitutions, { input: new TemplateInput(request, request.body), util: createUtil(), context: createContext(request).vars });
}

/** The reference result of a response template. */
export function referenceRenderResponseTemplate(text: string, request: ApiRequest, body: Buffer | string, substitutions: Substitutions = {}): ResponseRender {
  const context = createContext(request);
  const rendered = run(text, substitutions, { input: new TemplateInput(request, body), util: createUtil(), context: context.vars });
  const { status, headers } = context.overrides();
  const valid = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
  return valid ? { body: rendered, statusOverride: status, headerOverrides: headers } : { body: rendered, headerOverrides: headers };
}
