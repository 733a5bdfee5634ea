import type { Command } from 'commander';
import { defaultDemoOptions } from '../../../shared/demo/simulate';
import { minDemoDays } from '../../../shared/demo/incidents';
import { InputError } from '../../../shared/errors';
import { runDemo, type DemoResult } from '../../demo/run';
import type { RegisterCommand } from './index';

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

/** `demo`: validates the flags (one line on bad input), then runs the whole demo. */
export async function runDemoCommand(flags: DemoFlags, out: (text: string) => void, progress: boolean): Promise<DemoResult> {
  return runDemo({
    days: wholeNumber('--days', flags.days, minDemoDays, 366),
    seed: wholeNumber('--seed', flags.seed, 0, 2 ** 32 - 1),
    dataDir: flags.dataDir,
    progress,
    out,
  });
}

export const registerDemo: RegisterCommand = (program: Command) => {
  program
    .command('demo')
    .description('simulate a campaign history (sends, statuses, taps, duplicates, late arrivals, incidents), push it through the local API, run the daily workflow for each day, print the CTR table and alerts, write the dashboard')
    .option('--days <n>', `days of history (at least ${minDemoDays}, default ${defaultDemoOptions.days})`)
    .option('--seed <n>', `random seed: the same seed gives the same data and alerts (default ${defaultDemoOptions.seed})`)
    .option('--data-dir <dir>', 'where to put the demo data (default: $WA_DATA_DIR or ./.wa-analytics); must be empty or an earlier demo')
    .action(async (flags: DemoFlags) => {
      await runDemoCommand(flags, (text) => process.stdout.write(text), process.stderr.isTTY === true);
    });
};
