import { minDemoDays } from '../../../shared/demo/incidents';
import { defaultDemoOptions } from '../../../shared/demo/options';
import type { RegisterCommand } from '../../register';
import type { DemoFlags } from './run';

/** `demo`: a simulated campaign history through the whole local pipeline. */
export const registerDemo: RegisterCommand = (program) => {
  program
    .command('demo')
    .description('simulate a campaign history (sends, statuses, taps, duplicates, late arrivals, incidents), push it through the local API, run the daily workflow for each day, print the CTR table and alerts, write the dashboard')
    .option('--days <n>', `days of history (at least ${minDemoDays}, default ${defaultDemoOptions.days})`)
    .option('--seed <n>', `random seed: the same seed gives the same data and alerts (default ${defaultDemoOptions.seed})`)
    .option('--data-dir <dir>', 'where to put the demo data (default: $WA_DATA_DIR or ./.wa-analytics); must be empty or an earlier demo')
    .action(async (flags: DemoFlags) => {
      const { runDemoCommand } = require('./run') as typeof import('./run');
      await runDemoCommand(flags, (text) => process.stdout.write(text), process.stderr.isTTY === true);
    });
};
