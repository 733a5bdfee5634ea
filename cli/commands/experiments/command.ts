import type { RegisterCommand } from '../../register';
import type { ExperimentsCommandOptions } from './run';
import type { ExperimentTableFlags } from './table';

/**
 * `wa-analytics experiments [--date D] [--data-dir D | --stage S]`: the experiments table of an
 * evaluation date, read from the local lake or a stage's Athena. With `--history FILE (--date D |
 * --from D1 --to D2)` it runs the method on JSON lines of daily per-variant counts instead and
 * prints one JSON line per date, experiment, variant and metric.
 */
export const registerExperiments: RegisterCommand = (program) => {
  program
    .command('experiments')
    .description("each experiment's variants, lift with always-valid intervals and decision (local lake or --stage); --history runs the method on JSON lines of daily counts")
    .option('--date <date>', 'the evaluation date (YYYY-MM-DD; default: the latest evaluated, or with --history the only date)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .option('--stage <stage>', "read a deployed stage's experiments table through Athena")
    .option('--region <region>', 'the AWS region of the stage')
    .option('--history <file>', 'daily_experiments rows as JSON lines (dt, experiment_id, variant, metric, exposures, successes, optional declared_split)')
    .option('--from <date>', 'with --history: first evaluation date of a range')
    .option('--to <date>', 'with --history: last evaluation date of a range (inclusive)')
    .action(async (opts: ExperimentsCommandOptions & ExperimentTableFlags) => {
      const { experiments, checkTableFlags } = require('./run') as typeof import('./run');
      if (opts.history !== undefined) {
        const lines = experiments(opts);
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      checkTableFlags(opts);
      const { printExperimentTable } = require('./table') as typeof import('./table');
      await printExperimentTable(opts, (text) => process.stdout.write(text));
    });
};
