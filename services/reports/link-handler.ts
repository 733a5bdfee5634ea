import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LinkRefusal } from '../../shared/report/link';
import { verifyReportLink } from '../../shared/report/link';
import { publishedReportKey } from '../../shared/report/published';

/** What the route's Lambda needs, behind small functions (AWS adapters in ./aws.ts). */
export interface ReportLinkDeps {
  /** The stage's link secret (SSM SecureString, cached). */
  readonly secret: () => Promise<string>;
  /** Whether `key` is in the lake bucket (the report of that date was published and has not expired). */
  readonly published: (key: string) => Promise<boolean>;
  /** A presigned GET URL of `key` in the lake bucket, valid `seconds`. */
  readonly presign: (key: string, seconds: number) => Promise<string>;
  /** Lifetime of the presigned URL, seconds. */
  readonly urlSeconds: number;
  /** Epoch milliseconds (tests fix it). */
  readonly now?: () => number;
  /** Told why a link was refused (the logs); never the signature. */
  readonly onRefused?: (reason: LinkRefusal, date: string | null) => void;
  /** Told that a valid link named a date with no published report (the logs). */
  readonly onNotPublished?: (date: string) => void;
}

// Neither answer may be kept by a browser or proxy: the Location is a short-lived credential, and
// a refusal must not outlive a fixed link.
const noStore = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } as const;

/** 403 with an empty body: the same answer for every refused link, whatever the reason. */
export const refused: APIGatewayProxyResult = { statusCode: 403, headers: { ...noStore }, body: '' };

/**
 * 404 with an empty body: a valid link to a date with no report (never published, not yet, or
 * expired by the bucket's lifecycle), rather than a redirect to S3's own error page.
 */
export const notPublished: APIGatewayProxyResult = { statusCode: 404, headers: { ...noStore }, body: '' };

/** A query parameter given exactly once; a repeated one makes the link malformed (null). */
function single(event: APIGatewayProxyEvent, name: string): unknown {
  const multi = event.multiValueQueryStringParameters?.[name];
  if (multi && multi.length !== 1) return null;
  return event.queryStringParameters?.[name];
}

/**
 * `GET /reports/{date}?exp=…&sig=…` (Lambda proxy integration): a link signed with the stage's
 * secret and not expired gets 302 to a presigned S3 URL of `reports/dt=<date>/index.html`, valid
 * `urlSeconds`, when that object exists, else 404 (notPublished); anything else gets 403 and an
 * empty body (refused). The signature is checked first: a link that is not ours learns nothing
 * about which dates exist.
 */
export function createReportLinkHandler(deps: ReportLinkDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const now = deps.now ?? Date.now;
  return async (event) => {
    const presented = { date: event.pathParameters?.date, exp: single(event, 'exp'), sig: single(event, 'sig') };
    const check = verifyReportLink(presented, await deps.secret(), Math.floor(now() / 1000));
    if (!check.ok) {
      deps.onRefused?.(check.reason, typeof presented.date === 'string' && check.reason !== 'malformed' ? presented.date : null);
      return refused;
    }
    const key = publishedReportKey(check.date);
    if (!(await deps.published(key))) {
      deps.onNotPublished?.(check.date);
      return notPublished;
    }
    const location = await deps.presign(key, deps.urlSeconds);
    return { statusCode: 302, headers: { ...noStore, Location: location }, body: '' };
  };
}
