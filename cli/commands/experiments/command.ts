import type { RegisterCommand } from '../../register';
import type { ExperimentsCommandOptions } from './run';

/**
 * `wa-analytics experiments --history FILE (--date D | --from D1 --to D2)`: runs the experiments
 * method on JSON lines of daily per-variant counts and prints one JSON line per date, experiment,
 * variant and metric. Reading the lake or a stage (without --history) comes next.
 */
export const registerExperiments: RegisterCommand = (program) => {
  program
    .command('experiments')
    .description("each experiment's variants, lift with always-valid intervals and decision; --history runs the method on JSON lines of daily counts")
    .option('--history <file>', 'daily_experiments rows as JSON lines (dt, experiment_id, variant, metric, exposures, successes, optional declared_split)')
    .option('--date <date>', 'the evaluation date (YYYY-MM-DD)')
    .option('--from <date>', 'first evaluation date of a range')
    .option('--to <date>', 'last evaluation date of a range (inclusive)')
    .action((opts: ExperimentsCommandOptions) => {
      const { experiments } = require('./run') as typeof import('./run');
      const lines = experiments(opts);
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    });
};
