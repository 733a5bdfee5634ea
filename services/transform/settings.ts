import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { readTransformEnv, type TransformEnvConfig } from '../../shared/config/transform';
import { ConfigError } from '../../shared/errors';
import type { TransformSettings } from '../../shared/normalize';
import { createPseudonymizer } from '../../shared/pii';

/** Fetches one secret by parameter name (SSM SecureString, decrypted, cached by Powertools). */
export type SecretFetcher = (name: string, maxAgeSeconds: number) => Promise<string | undefined>;

const ssmFetcher: SecretFetcher = (name, maxAge) => getParameter(name, { decrypt: true, maxAge });

let config: TransformEnvConfig | undefined;
let cached: { key: string; settings: TransformSettings } | undefined;

async function fetchRequired(fetch: SecretFetcher, name: string | null, maxAge: number): Promise<string | null> {
  if (name === null) return null;
  const value = await fetch(name, maxAge);
  if (value === undefined || value === '') throw new ConfigError(`parameter ${name} is empty or missing`);
  return value;
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
    fetchRequired(fetch, config.twilioAuthTokenParam, config.secretsMaxAgeSeconds),
    config.pii === 'hash' ? fetchRequired(fetch, config.piiKeyParam, config.secretsMaxAgeSeconds) : Promise.resolve(null),
  ]);
  const key = JSON.stringify([metaAppSecret, wasenderSecret, twilioAuthToken, piiKey]);
  if (cached?.key !== key) {
    cached = {
      key,
      settings: {
        metaAppSecret,
        wasenderSecret,
        twilioAuthToken,
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
