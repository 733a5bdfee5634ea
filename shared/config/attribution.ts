import { assertAttributionDays, defaultAttributionDays } from '../daily/window';
import { ConfigError, errorMessage } from '../errors';

/**
 * The attribution window from the environment variable `name` (ATTRIBUTION_DAYS on AWS, filled
 * from the stage parameter `attributionDays`; WA_ATTRIBUTION_DAYS locally): whole days, 7 when
 * unset. ConfigError names the variable.
 */
export function readAttributionDays(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return defaultAttributionDays;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be a whole number of days (got "${text}")`);
  try {
    return assertAttributionDays(Number(text));
  } catch (cause) {
    throw new ConfigError(`${name}: ${errorMessage(cause)}`, { cause });
  }
}
