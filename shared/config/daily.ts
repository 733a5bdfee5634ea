import { ConfigError } from '../errors';
import { readAttributionDays } from './attribution';
import { readReportLinkIssuerConfig, type ReportLinkIssuerConfig } from './report-link';
import { DATABASE_NAME_RE } from '../sql/render';
import { assertTimeZone } from '../time';

/**
 * The daily workflow Lambdas' configuration (serverless.yml `dailyEnvironment`): read and
 * validated once per process, at cold start, and handed to what needs it; nothing else in the
 * daily workflow reads the environment.
 */
export interface DailyConfig {
  /** DATA_BUCKET: the stage's lake bucket. */
  readonly bucket: string;
  /** GLUE_DATABASE: the stage's Glue database (it differs per stage). */
  readonly database: string;
  /** ATHENA_WORKGROUP: holds the result location and the bytes-scanned cutoff. */
  readonly workGroup: string;
  /** WA_TIMEZONE: the reporting time zone (IANA), UTC when unset. */
  readonly timeZone: string;
  /** SLACK_WEBHOOK_PARAM: the SSM parameter (SecureString) holding the Slack webhook URL. */
  readonly slackWebhookParam: string;
  /** ATTRIBUTION_DAYS: the stage's attribution window in days (7 when unset). */
  readonly attributionDays: number;
  /** REPORT_API_URL, REPORT_LINK_SECRET_PARAM, REPORT_LINK_DAYS: how the digest signs the link of its date. */
  readonly reportLink: ReportLinkIssuerConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

/**
 * The stage's Glue database from GLUE_DATABASE (`whatsapp_analytics` in prod,
 * `whatsapp_analytics_dev` in dev). Required: a default would send a stage's writes to another
 * stage's catalog.
 */
function glueDatabase(env: Env): string {
  const database = required(env, 'GLUE_DATABASE');
  if (!DATABASE_NAME_RE.test(database)) throw new ConfigError(`GLUE_DATABASE must be a lower-case Glue database name (got "${database}")`);
  return database;
}

/** Reads and validates the daily configuration; ConfigError names the variable at fault. */
export function readDailyConfig(env: Env): DailyConfig {
  return {
    bucket: required(env, 'DATA_BUCKET'),
    database: glueDatabase(env),
    workGroup: required(env, 'ATHENA_WORKGROUP'),
    timeZone: assertTimeZone(env.WA_TIMEZONE || 'UTC'),
    slackWebhookParam: required(env, 'SLACK_WEBHOOK_PARAM'),
    attributionDays: readAttributionDays(env, 'ATTRIBUTION_DAYS'),
    reportLink: readReportLinkIssuerConfig(env),
  };
}
