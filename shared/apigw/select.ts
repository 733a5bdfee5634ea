import { TemplateError } from '../errors';
import { renderResponseTemplate } from './render';
import type { ApiRequest, IntegrationResponseSpec, MethodResponse, RouteResponses, Substitutions } from './types';

/**
 * What API Gateway answers when the integration response cannot be mapped (no selection pattern
 * matches and there is no default response, a response template fails, an override is written
 * twice). The local server should send it for a TemplateError too.
 */
export const internalServerError: MethodResponse = {
  status: 500,
  contentType: 'application/json',
  body: '{"message": "Internal server error"}',
  headers: {},
};

/** What the selection needs besides the route: the method request and how to read template files. */
export interface SelectOptions {
  readonly request: ApiRequest;
  readonly loadTemplate: (name: string) => string;
  readonly substitutions?: Substitutions;
}

const patterns = new Map<string, RegExp>();

/**
 * Whether a selection pattern matches a status code. For AWS and HTTP integrations API Gateway
 * matches the pattern against the integration's HTTP status code, and the pattern has to match the
 * whole string (Java `String.matches`; `.` does not cross a line break).
 */
export function selectionMatches(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, re);
  }
  return re.test(value);
}

/**
 * The integration response API Gateway picks for a status code: the one whose pattern matches,
 * else the default (no pattern), else null (API Gateway then answers 500). Two matching patterns
 * are a configuration error here, because AWS does not define which one wins.
 */
export function pickIntegrationResponse(route: RouteResponses, integrationStatus: number): IntegrationResponseSpec | null {
  const value = String(integrationStatus);
  const matching = route.integrationResponses.filter((r) => r.selectionPattern !== null && selectionMatches(r.selectionPattern, value));
  if (matching.length > 1) {
    throw new TemplateError(`selection patterns ${matching.map((r) => r.selectionPattern).join(', ')} all match ${value}`);
  }
  return matching[0] ?? route.integrationResponses.find((r) => r.selectionPattern === null) ?? null;
}

/**
 * Maps an integration response to the method response as API Gateway does for AWS and MOCK
 * integrations: picks the integration response by status code, renders its template (the body as
 * `$input`, the method request as `$input.params`), and applies `$context.responseOverride`.
 */
export function selectIntegrationResponse(
  route: RouteResponses,
  integrationStatus: number,
  integrationBody: Buffer | string,
  options: SelectOptions,
): MethodResponse {
  const spec = pickIntegrationResponse(route, integrationStatus);
  if (!spec) return internalServerError;
  const text = options.loadTemplate(spec.template);
  const rendered = renderResponseTemplate(text, options.request, integrationBody, options.substitutions);
  return {
    status: rendered.statusOverride ?? spec.statusCode,
    contentType: spec.contentType,
    body: rendered.body,
    headers: rendered.headerOverrides,
  };
}

/**
 * The status code a MOCK integration "returns": the `statusCode` integer in the rendered request
 * template. Anything else is the configuration error API Gateway answers with a 500.
 */
export function mockIntegrationStatus(renderedRequest: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(renderedRequest);
  } catch (cause) {
    throw new TemplateError('MOCK request template did not render JSON', { cause });
  }
  const status = parsed !== null && typeof parsed === 'object' ? (parsed as { statusCode?: unknown }).statusCode : undefined;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new TemplateError('MOCK request template has no integer statusCode');
  return status;
}
