import { Option } from 'commander';
import { quarantineReasons } from '../../../shared/normalize/reasons';
import type { RegisterCommand } from '../../register';
import type { RequeueFlags } from './run';

/** `requeue`: quarantined records of some arrival days back into a stage's stream. */
export const registerRequeue: RegisterCommand = (program) => {
  program
    .command('requeue')
    .description("send quarantined records of some arrival days back into a stage's Firehose stream, to be verified again (after a secret was fixed, say)")
    .requiredOption('--stage <stage>', 'the deployed stage (stack wa-analytics-<stage>)')
    .requiredOption('--from <date>', 'first arrival date YYYY-MM-DD')
    .requiredOption('--to <date>', 'last arrival date YYYY-MM-DD')
    .addOption(new Option('--reason <reason>', 'only quarantine rows with this reason').choices([...quarantineReasons]))
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)')
    .option('--stream <name>', 'Firehose stream name (default: the stack output DeliveryStreamName)')
    .option('--yes', 'send without asking')
    .option('--dry-run', 'list what would be sent; send nothing')
    .action(async (options: RequeueFlags) => {
      const { runRequeue } = require('./run') as typeof import('./run');
      process.exitCode = (await runRequeue(options)).code;
    });
};
