import { ConfigError, TemplateError, WaError } from '../errors';
import { compileVtl } from './vtl-compile';
import { errorText, velocityRenderer, type Asts } from './vtl-velocity';

export { parseVtl, type Asts } from './vtl-velocity';

type Renderer = (vars: Record<string, unknown>) => string;

/**
 * How templates render, read once per process: `compiled` (the default) compiles a template to
 * closures when it uses only what the compiler covers (vtl-compile.ts) and leaves the rest to
 * velocityjs; `velocityjs` renders every template with velocityjs. Only the ingest bench sets it,
 * to measure the compiler side by side (see bench/ingest.ts).
 */
const RENDERERS = ['compiled', 'velocityjs'] as const;
const rendererKind = process.env.WA_VTL_RENDERER ?? 'compiled';
if (!(RENDERERS as readonly string[]).includes(rendererKind)) throw new ConfigError(`WA_VTL_RENDERER must be one of ${RENDERERS.join(', ')}`);

// The renderer of each parse tree (parse trees live in render.ts's caches).
const renderers = new WeakMap<Asts, Renderer>();

function rendererFor(asts: Asts): Renderer {
  return (rendererKind === 'compiled' ? compileVtl(asts) : null) ?? velocityRenderer(asts);
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
