import { ConfigError } from '../errors';
import { parsePiiMode, type PiiMode } from '../pii';
import { assertTimeZone } from '../time';

/** The transform Lambda's configuration: names of secrets, never their values. */
export interface TransformEnvConfig {
  readonly timeZone: string;
  readonly pii: PiiMode;
  /** SSM parameter names (SecureString); null when the stage does not check that source. */
  readonly appSecretParam: string | null;
  readonly wasenderSecretParam: string | null;
  /** The Twilio Auth Token's parameter (`TWILIO_AUTH_TOKEN_PARAM`). */
  readonly twilioAuthTokenParam: string | null;
  readonly piiKeyParam: string | null;
  /** How long fetched secrets stay cached, seconds. */
  readonly secretsMaxAgeSeconds: number;
}

const optional = (value: string | undefined): string | null => (value === undefined || value.trim() === '' ? null : value.trim());

/** Reads and validates the transform's environment once (at cold start). */
export function readTransformEnv(env: NodeJS.ProcessEnv): TransformEnvConfig {
  const pii = parsePiiMode((env.WA_PII ?? 'hash').trim(), 'WA_PII');
  const piiKeyParam = optional(env.WA_PII_KEY_PARAM);
  if (pii === 'hash' && piiKeyParam === null) throw new ConfigError('WA_PII_KEY_PARAM must name the PII key parameter when WA_PII is hash');
  const maxAge = Number(env.WA_SECRETS_MAX_AGE ?? '300');
  if (!Number.isFinite(maxAge) || maxAge < 0) throw new ConfigError(`WA_SECRETS_MAX_AGE must be a number of seconds (got "${env.WA_SECRETS_MAX_AGE}")`);
  return {
    timeZone: assertTimeZone(optional(env.WA_TIMEZONE) ?? 'UTC'),
    pii,
    appSecretParam: optional(env.WA_APP_SECRET_PARAM),
    wasenderSecretParam: optional(env.WASENDER_SECRET_PARAM),
    twilioAuthTokenParam: optional(env.TWILIO_AUTH_TOKEN_PARAM),
    piiKeyParam,
    secretsMaxAgeSeconds: maxAge,
  };
}
