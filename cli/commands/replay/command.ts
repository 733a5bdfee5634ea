import { Option } from 'commander';
import { sources } from '../../../shared/schema/types';
import type { RegisterCommand } from '../../register';
import type { ReplayCommandOptions } from './local';

/** `replay FILE|DIR`: recorded bodies through the local API, or into a stage's stream. */
export const registerReplay: RegisterCommand = (program) => {
  program
    .command('replay')
    .description('send recorded webhook bodies (one JSON body per .json file in a folder, one .json file, or JSON lines) through the local API and flush')
    .argument('<path>', 'a folder of .json files, a .json file, or a JSON-lines file')
    .addOption(new Option('--source <source>', 'route every body to this source (default: inferred per body)').choices([...sources]))
    .option('--as-of-event-time', "stamp each body's arrival with its latest event time, so it lands in the partition it would have landed in live")
    .option('--data-dir <dir>', 'the local lake, write-ahead log and catalog (default: WA_DATA_DIR or ./.wa-analytics)')
    .option('--stage <stage>', "send into a deployed stage's Firehose stream instead of the local API")
    .option('--region <region>', 'with --stage: AWS region (default: AWS_REGION or the profile)')
    .option('--stream <name>', 'with --stage: Firehose stream name (default: the stack output DeliveryStreamName)')
    .action(async (path: string, options: ReplayCommandOptions) => {
      // Each path loads only its own modules: --stage the AWS SDK clients, the local one the stack.
      if (options.stage !== undefined) {
        const { runStageReplay } = require('./stage') as typeof import('./stage');
        process.exitCode = (await runStageReplay(path, { ...options, stage: options.stage })).code;
      } else {
        const { readLocalConfig } = require('../../../shared/config/local') as typeof import('../../../shared/config/local');
        const { replayCommand } = require('./local') as typeof import('./local');
        // The one read of the environment in this process.
        await replayCommand(path, options, readLocalConfig(process.env, { dataDir: options.dataDir }));
      }
    });
};
