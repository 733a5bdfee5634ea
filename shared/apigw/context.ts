import { TemplateError } from '../errors';
import type { ApiRequest } from './types';

/** What a template wrote into `$context.responseOverride`. */
export interface ResponseOverrides {
  readonly status: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** `$context` for one render plus a reader for the overrides the template set. */
export interface TemplateContext {
  readonly vars: Record<string, unknown>;
  overrides(): ResponseOverrides;
}

/** The status a template set, kept beside `responseOverride` (under a symbol VTL cannot name). */
interface StatusState {
  value: unknown;
  set: boolean;
}

const STATUS = Symbol('responseOverride.status');

type ResponseOverride = { header: Record<string, string>; [STATUS]: StatusState };

// One accessor pair for every render: an object literal with its own `get status()`/`set status()`
// closures got a new hidden class per render, which cost about a microsecond. The property is still
// an own, enumerable accessor (what VTL sees, e.g. in `keySet()`, is unchanged).
const statusAccessor: PropertyDescriptor = {
  get(this: ResponseOverride): unknown {
    return this[STATUS].value;
  },
  set(this: ResponseOverride, value: unknown) {
    const state = this[STATUS];
    if (state.set) throw new TemplateError('$context.responseOverride.status overridden twice');
    state.set = true;
    state.value = value;
  },
  enumerable: true,
  configurable: true,
};

const headerTraps: ProxyHandler<Record<string, string>> = {
  set(target, key, value: unknown) {
    const name = String(key);
    if (Object.hasOwn(target, name)) throw new TemplateError(`$context.responseOverride.header.${name} overridden twice`);
    target[name] = String(value);
    return true;
  },
};

/**
 * Builds `$context`. `responseOverride.status` and `responseOverride.header.*` can each be set once:
 * AWS documents overrides as final and answers a second write to the same one with a 5XX, so a
 * second write throws a TemplateError here.
 */
export function createContext(request: ApiRequest): TemplateContext {
  const status: StatusState = { value: undefined, set: false };
  const headers: Record<string, string> = {};
  const responseOverride: ResponseOverride = { header: new Proxy(headers, headerTraps), [STATUS]: status };
  Object.defineProperty(responseOverride, 'status', statusAccessor);
  const vars: Record<string, unknown> = {
    requestId: request.requestId,
    requestTimeEpoch: request.requestTimeEpoch,
    resourcePath: request.resourcePath,
    httpMethod: request.method,
    stage: request.stage,
    path: request.path,
    identity: { sourceIp: request.sourceIp, userAgent: request.userAgent },
    requestOverride: { header: {}, path: {}, querystring: {} },
    responseOverride,
  };
  return new RenderContext(vars, status, headers);
}

// A class rather than a literal with an `overrides` closure: nothing to create per render but the
// instance (under tsx, which names every such closure with a property definition, that showed).
class RenderContext implements TemplateContext {
  readonly vars: Record<string, unknown>;
  readonly #status: StatusState;
  readonly #headers: Record<string, string>;

  constructor(vars: Record<string, unknown>, status: StatusState, headers: Record<string, string>) {
    this.vars = vars;
    this.#status = status;
    this.#headers = headers;
  }

  overrides(): ResponseOverrides {
    return { status: this.#status.value, headers: { ...this.#headers } };
  }
}
