import { ConfigError } from '../errors';
import { defaultReportLinkDays, maxReportLinkDays } from '../report/link';

type Env = Readonly<Record<string, string | undefined>>;

/** The report-link Lambda's configuration (serverless.yml function `reportLink`): names, never the secret. */
export interface ReportLinkConfig {
  /** DATA_BUCKET: the lake bucket holding `reports/dt=D/index.html`. */
  readonly bucket: string;
  /** REPORT_LINK_SECRET_PARAM: the SSM SecureString holding the stage's link secret. */
  readonly secretParam: string;
  /** REPORT_URL_SECONDS: lifetime of the presigned S3 URL the link redirects to (300 when unset). */
  readonly urlSeconds: number;
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number, unit: string): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`${name} must be a whole number of ${unit} from ${min} to ${max} (got "${text}")`);
  return n;
}

/** Reads and validates the report-link Lambda's environment once, at cold start. */
export function readReportLinkConfig(env: Env): ReportLinkConfig {
  return {
    bucket: required(env, 'DATA_BUCKET'),
    secretParam: required(env, 'REPORT_LINK_SECRET_PARAM'),
    // Minutes, not hours: the presigned URL is a credential too, and a reader who needs more
    // time clicks the signed link again.
    urlSeconds: wholeNumber(env, 'REPORT_URL_SECONDS', 300, 30, 3600, 'seconds'),
  };
}

/** What the daily digest needs to sign the link of its date. */
export interface ReportLinkIssuerConfig {
  /** REPORT_API_URL: the API stage's base URL (the stack output ApiUrl). */
  readonly apiUrl: string;
  /** REPORT_LINK_SECRET_PARAM: as for the Lambda that checks the links. */
  readonly secretParam: string;
  /** REPORT_LINK_DAYS: the stage parameter `reportLinkDays` (30 when unset). */
  readonly days: number;
}

/** The issuing side's settings (the daily workflow's environment); ConfigError names the variable. */
export function readReportLinkIssuerConfig(env: Env): ReportLinkIssuerConfig {
  const apiUrl = required(env, 'REPORT_API_URL');
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch (cause) {
    throw new ConfigError(`REPORT_API_URL must be a URL (got "${apiUrl}")`, { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(`REPORT_API_URL must be an http(s) URL (got "${apiUrl}")`);
  return {
    apiUrl,
    secretParam: required(env, 'REPORT_LINK_SECRET_PARAM'),
    days: wholeNumber(env, 'REPORT_LINK_DAYS', defaultReportLinkDays, 1, maxReportLinkDays, 'days'),
  };
}
