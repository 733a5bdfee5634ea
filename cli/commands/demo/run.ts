import { resolveDataDir, type Env } from '../../../shared/config/local';
import { minDemoDays } from '../../../shared/demo/incidents';
import { InputError } from '../../../shared/errors';
import { runDemo, type DemoResult } from '../../../demo/run';

export interface DemoFlags {
  readonly days?: string;
  readonly seed?: string;
  readonly dataDir?: string;
}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new InputError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

/**
 * `demo`: validates the flags (one line on bad input), then runs the whole demo. The data
 * directory is all the demo takes from the environment: its stack runs on its own configuration.
 */
export async function runDemoCommand(flags: DemoFlags, out: (text: string) => void, progress: boolean, env: Env = process.env): Promise<DemoResult> {
  const days = wholeNumber('--days', flags.days, minDemoDays, 366);
  const seed = wholeNumber('--seed', flags.seed, 0, 2 ** 32 - 1);
  return runDemo({ days, seed, dataDir: resolveDataDir(env, { dataDir: flags.dataDir }), progress, out });
}
