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
  readonly overrides: () => ResponseOverrides;
}

/**
 * Builds `$context`. `responseOverride.status` and `responseOverride.header.*` can each be set once:
 * AWS documents overrides as final and answers a second write to the same one with a 5XX, so a
 * second write throws a TemplateError here.
 */
export function createContext(request: ApiRequest): TemplateContext {
  let status: unknown;
  let statusSet = false;
  const headers: Record<string, string> = {};
  const header = new Proxy(headers, {
    set(target, key, value: unknown) {
      const name = String(key);
      if (Object.hasOwn(target, name)) throw new TemplateError(`$context.responseOverride.header.${name} overridden twice`);
      target[name] = String(value);
      return true;
    },
  });
  const responseOverride = {
    header,
    get status(): unknown {
      return status;
    },
    set status(value: unknown) {
      if (statusSet) throw new TemplateError('$context.responseOverride.status overridden twice');
      statusSet = true;
      status = value;
    },
  };
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
  return { vars, overrides: () => ({ status, headers: { ...headers } }) };
}
