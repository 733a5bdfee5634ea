import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mkdirPrivateSync, privateFileMode } from '../adapters/local/private-fs';
import { ConfigError } from '../errors';
import { parsePiiMode, type PiiMode } from '../pii';
import { parsePublicBaseUrl } from '../public-url';
import { assertTimeZone } from '../time';
import { readAttributionDays } from './attribution';

/** The one-machine configuration of SPEC section 4, validated. */
export interface LocalConfig {
  /** Absolute path of the local lake, write-ahead log and catalog. */
  readonly dataDir: string;
  readonly appSecret: string | null;
  readonly verifyToken: string | null;
  readonly wasenderSecret: string | null;
  /** `TWILIO_AUTH_TOKEN`: the Twilio account's Auth Token for `X-Twilio-Signature` (null: not checked). */
  readonly twilioAuthToken: string | null;
  readonly registryToken: string | null;
  readonly pii: PiiMode;
  readonly piiKey: string;
  readonly timeZone: string;
  readonly slackWebhookUrl: string | null;
  /** `WA_ATTRIBUTION_DAYS`: the attribution window in days (7 when unset). */
  readonly attributionDays: number;
  /**
   * `WA_DAILY_TIME` as given (null when unset): when `start` runs the daily workflow. Parsed by
   * `start` with its `--daily-at` flag, by the one parser of that time (local/daily-schedule.ts).
   */
  readonly dailyTime: string | null;
  /**
   * `--public-url` / `WA_PUBLIC_URL`, checked (shared/public-url.ts): the base URL senders that
   * sign the URL they call (Twilio) were given, e.g. a tunnel's https URL. Null or absent: the
   * local API's own address, `http://127.0.0.1:<port>`.
   */
  readonly publicUrl?: string | null;
}

/** Command-line flags that override the environment. */
export interface LocalFlags {
  readonly dataDir?: string | undefined;
  /** `--public-url`, over `WA_PUBLIC_URL`. */
  readonly publicUrl?: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Default data directory, relative to the working directory. */
export const defaultDataDir = './.wa-analytics';

/** Name of the generated PII key file inside the data directory. */
export const piiKeyFileName = 'pii.key';

/** An environment value, with empty strings treated as unset (as shells often export them). */
export function envValue(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value;
}

/** Absolute data directory: `--data-dir`, else `WA_DATA_DIR`, else `./.wa-analytics`. */
export function resolveDataDir(env: Env, flags: LocalFlags = {}): string {
  const chosen = flags.dataDir !== undefined && flags.dataDir.trim() !== '' ? flags.dataDir : (envValue(env, 'WA_DATA_DIR') ?? defaultDataDir);
  return resolve(chosen);
}

function readPiiMode(env: Env): PiiMode {
  return parsePiiMode(envValue(env, 'WA_PII') ?? 'hash', 'WA_PII');
}

/** `WA_TIMEZONE`, a valid IANA name; UTC when unset. */
export function readTimeZone(env: Env): string {
  return assertTimeZone(envValue(env, 'WA_TIMEZONE') ?? 'UTC');
}

/** `SLACK_WEBHOOK_URL`, checked to be an http(s) URL; null when unset. */
export function readSlackUrl(env: Env): string | null {
  const value = envValue(env, 'SLACK_WEBHOOK_URL');
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError('SLACK_WEBHOOK_URL is not a URL', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('SLACK_WEBHOOK_URL must be an http(s) URL');
  return value;
}

/**
 * The HMAC key from `WA_PII_KEY`, else the key file in the data directory, generated once with
 * 32 random bytes (mode 0600) unless `create` is false. The exclusive create makes two processes
 * starting together agree on one key: the loser of the race reads the winner's file.
 */
function readPiiKey(env: Env, dataDir: string, create = true): string {
  const fromEnv = envValue(env, 'WA_PII_KEY');
  if (fromEnv !== null) return fromEnv;
  const file = join(dataDir, piiKeyFileName);
  if (!create) {
    if (!existsSync(file)) throw new ConfigError(`no PII key in ${dataDir}: set WA_PII_KEY, or pass the --data-dir whose ${piiKeyFileName} pseudonymized the data`);
  } else {
    try {
      mkdirPrivateSync(dataDir);
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: privateFileMode, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot create the PII key file in ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
      }
    }
  }
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError(`cannot read the PII key file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
  if (key === '') throw new ConfigError(`the PII key file ${file} is empty (delete it to generate a new key, or set WA_PII_KEY)`);
  return key;
}

/**
 * The PII mode and key of a data directory, never creating a key: what `pseudonymize` needs to
 * print what stored rows hold (a new key would print pseudonyms that match nothing). In raw
 * mode no key is read.
 */
export function readExistingPii(env: Env, flags: LocalFlags = {}): { readonly dataDir: string; readonly pii: PiiMode; readonly piiKey: string | null } {
  const dataDir = resolveDataDir(env, flags);
  const pii = readPiiMode(env);
  return { dataDir, pii, piiKey: pii === 'raw' ? null : readPiiKey(env, dataDir, false) };
}

/** What the local daily workflow takes from the configuration (`daily`, `backfill`, `start`'s schedule). */
export type LocalWorkflowConfig = Pick<LocalConfig, 'dataDir' | 'timeZone' | 'slackWebhookUrl' | 'attributionDays'>;

/**
 * The daily workflow's part of the local configuration, validated, without reading or creating
 * the PII key (the workflow reads stored rows, it never pseudonymizes).
 */
export function readLocalWorkflowConfig(env: Env, flags: LocalFlags = {}): LocalWorkflowConfig {
  const timeZone = readTimeZone(env);
  const slackWebhookUrl = readSlackUrl(env);
  return { dataDir: resolveDataDir(env, flags), timeZone, slackWebhookUrl, attributionDays: readAttributionDays(env, 'WA_ATTRIBUTION_DAYS') };
}

/**
 * Reads and validates the local configuration. Synchronous so that every command can call it
 * first thing; the only side effect is creating the PII key file when no key is configured.
 * Throws ConfigError naming the variable at fault.
 */
export function readLocalConfig(env: Env, flags: LocalFlags = {}): LocalConfig {
  const dataDir = resolveDataDir(env, flags);
  const pii = readPiiMode(env);
  const timeZone = readTimeZone(env);
  const slackWebhookUrl = readSlackUrl(env);
  return {
    dataDir,
    appSecret: envValue(env, 'WA_APP_SECRET'),
    verifyToken: envValue(env, 'WA_VERIFY_TOKEN'),
    wasenderSecret: envValue(env, 'WASENDER_WEBHOOK_SECRET'),
    twilioAuthToken: envValue(env, 'TWILIO_AUTH_TOKEN'),
    registryToken: envValue(env, 'WA_REGISTRY_TOKEN'),
    pii,
    piiKey: readPiiKey(env, dataDir),
    timeZone,
    slackWebhookUrl,
    attributionDays: readAttributionDays(env, 'WA_ATTRIBUTION_DAYS'),
    dailyTime: envValue(env, 'WA_DAILY_TIME'),
    publicUrl: readPublicUrl(env, flags),
  };
}

/** `--public-url`, else `WA_PUBLIC_URL`, checked; null when neither is given. */
export function readPublicUrl(env: Env, flags: LocalFlags = {}): string | null {
  if (flags.publicUrl !== undefined && flags.publicUrl.trim() !== '') return parsePublicBaseUrl(flags.publicUrl, '--public-url');
  const value = envValue(env, 'WA_PUBLIC_URL');
  return value === null ? null : parsePublicBaseUrl(value, 'WA_PUBLIC_URL');
}
