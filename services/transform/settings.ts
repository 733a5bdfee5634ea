import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { readTransformEnv, type TransformEnvConfig } from '../../shared/config/transform';
import { ConfigError } from '../../shared/errors';
import type { TransformSettings } from '../../shared/normalize';
import { createPseudonymizer } from '../../shared/pii';

/** Fetches one secret by parameter name (SSM SecureString, decrypted, cached by Powertools). */
export type SecretFetcher = (name: string, maxAgeSeconds: number) => Promise<string | undefined>;

/** True for SSM's "no such parameter" (as Powertools wraps it), not for throttling or access errors. */
function isParameterNotFound(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e.name === 'ParameterNotFound' || e.name === 'ParameterNotFoundError') return true;
  return false;
}

/** Resolves undefined for a parameter that does not exist; every other failure rejects. */
const ssmFetcher: SecretFetcher = (name, maxAge) =>
  getParameter(name, { decrypt: true, maxAge }).catch((error: unknown) => {
    if (isParameterNotFound(error)) return undefined;
    throw error;
  });

let config: TransformEnvConfig | undefined;
let cached: { key: string; settings: TransformSettings } | undefined;

/** A configured parameter's value; undefined when it does not exist; a ConfigError when it is empty. */
async function fetchSecret(fetch: SecretFetcher, name: string, maxAge: number): Promise<string | undefined> {
  const value = await fetch(name, maxAge);
  if (value === '') throw new ConfigError(`parameter ${name} is empty`);
  return value;
}

async function fetchRequired(fetch: SecretFetcher, name: string | null, maxAge: number): Promise<string | null> {
  if (name === null) return null;
  const value = await fetchSecret(fetch, name, maxAge);
  if (value === undefined) throw new ConfigError(`parameter ${name} does not exist`);
  return value;
}

/**
 * The Twilio Auth Token, or why there is none. A stage that does not use Twilio may not have
 * created its parameter: that must not stop the other sources (every batch would fail), so its
 * Twilio records are quarantined instead, saying which parameter to create; they can be requeued
 * once it exists. A parameter that exists but is empty is a configuration error, as for the others.
 */
async function fetchTwilioToken(fetch: SecretFetcher, name: string | null, maxAge: number): Promise<{ token: string | null; missing?: string }> {
  if (name === null) return { token: null };
  const value = await fetchSecret(fetch, name, maxAge);
  if (value === undefined) return { token: null, missing: `the Twilio Auth Token parameter ${name} does not exist: create it (SSM SecureString) and requeue` };
  return { token: value };
}

/**
 * Transform settings for this invocation. The environment is read once; secrets come from SSM
 * through Powertools' cache (so a rotated secret is picked up after maxAge), and the settings
 * object (with its pseudonymizer memo) is rebuilt only when a secret value changed.
 */
export async function currentSettings(env: NodeJS.ProcessEnv = process.env, fetch: SecretFetcher = ssmFetcher): Promise<TransformSettings> {
  config ??= readTransformEnv(env);
  const [metaAppSecret, wasenderSecret, twilioAuthToken, piiKey] = await Promise.all([
    fetchRequired(fetch, config.appSecretParam, config.secretsMaxAgeSeconds),
    fetchRequired(fetch, config.wasenderSecretParam, config.secretsMaxAgeSeconds),
    fetchTwilioToken(fetch, config.twilioAuthTokenParam, config.secretsMaxAgeSeconds),
    config.pii === 'hash' ? fetchRequired(fetch, config.piiKeyParam, config.secretsMaxAgeSeconds) : Promise.resolve(null),
  ]);
  const key = JSON.stringify([metaAppSecret, wasenderSecret, twilioAuthToken, piiKey]);
  const { token, missing } = twilioAuthToken;
  if (cached?.key !== key) {
    cached = {
      key,
      settings: {
        metaAppSecret,
        wasenderSecret,
        twilioAuthToken: token,
        ...(missing === undefined ? {} : { twilioUnverifiable: missing }),
        timeZone: config.timeZone,
        pseudonymize: createPseudonymizer(config.pii, piiKey ?? undefined),
      },
    };
  }
  return cached.settings;
}

/** Forgets the cached environment and settings (tests change the environment between cases). */
export function resetSettingsCache(): void {
  config = undefined;
  cached = undefined;
}
