import { ConfigError, TemplateError, WaError } from '../errors';
import { compileVtl } from './vtl-compile';
import { ApiGatewayCompile, errorText, type Asts } from './vtl-interpreter';
import { velocityRenderer } from './vtl-velocity';

export { parseVtl, type Asts } from './vtl-interpreter';

type Renderer = (vars: Record<string, unknown>) => string;

// The renderer of each parse tree (parse trees live in render.ts's caches): compiled to closures
// (vtl-compile.ts) when the template uses only what the compiler covers, else the interpreter.
const renderers = new WeakMap<Asts, Renderer>();

// Measuring only (bench/ingest.ts): which renderer the process uses, read once. `compiled` (the
// default) compiles where it can and interprets the rest; `interpreter` never compiles;
// `velocityjs` renders with plain velocityjs.
const RENDERERS = ['compiled', 'interpreter', 'velocityjs'] as const;
const rendererKind = process.env.WA_VTL_RENDERER ?? 'compiled';
if (!(RENDERERS as readonly string[]).includes(rendererKind)) throw new ConfigError(`WA_VTL_RENDERER must be one of ${RENDERERS.join(', ')}`);

function rendererFor(asts: Asts): Renderer {
  if (rendererKind === 'velocityjs') return velocityRenderer(asts);
  const compiled = rendererKind === 'compiled' ? compileVtl(asts) : null;
  if (compiled) return compiled;
  // One interpreter instance per template: rendering is synchronous and never re-enters itself.
  const interpreter = new ApiGatewayCompile(asts);
  return (vars) => interpreter.renderFresh(vars);
}

/** Renders parsed VTL with `vars` as the top-level references (which `#set` may change). */
export function renderAsts(asts: Asts, vars: Record<string, unknown>): string {
  let renderer = renderers.get(asts);
  if (!renderer) {
    renderer = rendererFor(asts);
    renderers.set(asts, renderer);
  }
  try {
    return renderer(vars);
  } catch (cause) {
    if (cause instanceof WaError) throw cause;
    throw new TemplateError(`mapping template failed: ${errorText(cause)}`, { cause });
  }
}
