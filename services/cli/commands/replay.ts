import { Option, type Command } from 'commander';
import { sources, type Source } from '../../../shared/schema/types';
import { formatReport, replay, replayTimeHeader, type ReplayReport } from '../../local/replay';
import { openStack } from '../../local/stack';
import type { RegisterCommand } from './index';

interface ReplayCommandOptions {
  source?: Source;
  asOfEventTime?: boolean;
  dataDir?: string;
  stage?: string;
  region?: string;
  stream?: string;
}

/**
 * `replay FILE|DIR`: posts recorded bodies through the local API in-process, then flushes the
 * delivery stream so the rows are queryable. Exit 1 when any body was rejected.
 */
export async function replayCommand(path: string, options: ReplayCommandOptions): Promise<ReplayReport> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // In-process: the operator's own data dir, so /sends needs no bearer token (nothing listens).
  const stack = await openStack({ dataDir: options.dataDir, replayTimeHeader, trustRegistry: true, log, command: 'replay' });
  let report: ReplayReport;
  try {
    report = await replay(stack.app, path, {
      source: options.source,
      asOfEventTime: options.asOfEventTime === true,
      secrets: { appSecret: stack.config.appSecret, wasenderSecret: stack.config.wasenderSecret, registryToken: stack.config.registryToken },
      progress: process.stderr.isTTY === true,
    });
  } finally {
    // Whatever was accepted is delivered, also when the replay stopped at a bad body.
    await stack.close();
  }
  process.stdout.write(`${formatReport(report)}\n`);
  if (Object.keys(report.rejected).length > 0) process.exitCode = 1;
  return report;
}

export const registerReplay: RegisterCommand = (program: Command) => {
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
      // The local path stays as it was; --stage goes to services/ops, loaded only then: it pulls
      // in the AWS SDK clients, which every other command start would otherwise pay for.
      if (options.stage !== undefined) {
        // require, not import(): the CLI runs as CommonJS through tsx, whose ESM loader is not registered.
        const { runStageReplay } = require('../../ops/replay-command') as typeof import('../../ops/replay-command');
        process.exitCode = (await runStageReplay(path, { ...options, stage: options.stage })).code;
      } else {
        await replayCommand(path, options);
      }
    });
};
