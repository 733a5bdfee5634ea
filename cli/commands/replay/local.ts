import type { LocalConfig } from '../../../shared/config/local';
import type { Source } from '../../../shared/schema/types';
import { formatReport, replay, replayTimeHeader, type ReplayReport } from '../../../local/replay';
import { unboundPublicUrl } from '../../../local/server';
import { openStack } from '../../../local/stack';

/** Flags of `replay` (the local path and, with --stage, cli/commands/replay/stage.ts). */
export interface ReplayCommandOptions {
  readonly source?: Source;
  readonly asOfEventTime?: boolean;
  readonly dataDir?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly stream?: string;
}

/**
 * `replay FILE|DIR`: posts recorded bodies through the local API in-process, with the
 * configuration the command read once, then flushes the delivery stream so the rows are
 * queryable. Exit 1 when any body was rejected.
 */
export async function replayCommand(path: string, options: ReplayCommandOptions, config: LocalConfig): Promise<ReplayReport> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // In-process: the operator's own data dir, so /sends and /conversions need no bearer token (nothing listens).
  const stack = await openStack({ config, replayTimeHeader, trustRegistry: true, log, command: 'replay' });
  let report: ReplayReport;
  try {
    report = await replay(stack.app, path, {
      source: options.source,
      asOfEventTime: options.asOfEventTime === true,
      secrets: { appSecret: config.appSecret, wasenderSecret: config.wasenderSecret, registryToken: config.registryToken, twilioAuthToken: config.twilioAuthToken },
      progress: process.stderr.isTTY === true,
      // In-process requests record the public URL when one is configured, else the unbound address.
      twilioUrl: (path) => `${config.publicUrl ?? unboundPublicUrl}${path}`,
    });
  } finally {
    // Whatever was accepted is delivered, also when the replay stopped at a bad body.
    await stack.close();
  }
  process.stdout.write(`${formatReport(report)}\n`);
  if (Object.keys(report.rejected).length > 0) process.exitCode = 1;
  return report;
}
