/**
 * The shapes the API Gateway mapping-template renderer works on. They describe one method request
 * the way API Gateway (REST) sees it, independent of the HTTP server that received it.
 */

/** One method request, as `$input`, `$context` and `$util` see it. */
export interface ApiRequest {
  /** HTTP method, upper case (`$context.httpMethod`). */
  readonly method: string;
  /** The route's resource path, e.g. `/webhooks/meta` (`$context.resourcePath`). */
  readonly resourcePath: string;
  /** The request path as received (`$context.path`); on AWS it starts with the stage, e.g. `/prod/webhooks/meta`. */
  readonly path: string;
  /** One value per header name. Names keep the case they arrived in; `$input.params(name)` matches them case-insensitively. */
  readonly headers: Readonly<Record<string, string>>;
  /** One value per query-string name (case-sensitive names). */
  readonly query: Readonly<Record<string, string>>;
  readonly pathParams?: Readonly<Record<string, string>>;
  /** The raw body. A Buffer is decoded as UTF-8 for `$input.body`, as API Gateway does for text payloads. */
  readonly body: Buffer | string;
  readonly requestId: string;
  /** Epoch milliseconds (`$context.requestTimeEpoch`). */
  readonly requestTimeEpoch: number;
  readonly stage: string;
  readonly sourceIp: string;
  readonly userAgent?: string;
}

/** Values for `${Name}` placeholders, filled before VTL rendering as CloudFormation `Fn::Sub` does on AWS. */
export type Substitutions = Readonly<Record<string, string>>;

/** What a response template did besides producing the body. */
export interface ResponseRender {
  readonly body: string;
  /** `$context.responseOverride.status`, when the template set a valid one (an integer 100–599). */
  readonly statusOverride?: number;
  /** `$context.responseOverride.header.*` values set by the template. */
  readonly headerOverrides: Readonly<Record<string, string>>;
}

/** One integration response: chosen by its selection pattern against the integration's status code. */
export interface IntegrationResponseSpec {
  /** Regex matched against the whole status code string; null marks the default response. */
  readonly selectionPattern: string | null;
  /** The method response status returned unless the template overrides it. */
  readonly statusCode: number;
  /** Response template file name (resolved through the caller's template loader). */
  readonly template: string;
  /** The response's content type (the template's key in `responseTemplates`). */
  readonly contentType: string;
}

/** The part of a route the response selection needs. */
export interface RouteResponses {
  readonly integrationResponses: readonly IntegrationResponseSpec[];
}

/** The method response that goes back to the client. */
export interface MethodResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}
