import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { FirehoseSender, formatSendReport, incomplete, type SendReport } from '../../ops/firehose-sender';
import { processIo, type OpsIo } from '../../io';
import { checkRange, describeRow, requeueRecord, scanQuarantine } from '../../ops/requeue';
import { requireOutput, resolveStage } from '../../ops/stage';

export interface RequeueFlags {
  readonly stage: string;
  readonly from?: string;
  readonly to?: string;
  readonly reason?: string;
  readonly region?: string;
  readonly stream?: string;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
}

export interface RequeueOutcome {
  readonly code: 0 | 1;
  /** Quarantine rows found (after the reason filter and dedupe). */
  readonly found: number;
  readonly report: Readonly<SendReport> | null;
}

/**
 * `requeue --stage S --from D1 --to D2 [--reason R]`: reads the quarantine rows of those arrival
 * days, rebuilds their records with the API's template and sends them back into the stream,
 * where the transform verifies them again. Asks first unless --yes; --dry-run only lists.
 */
export async function runRequeue(flags: RequeueFlags, io: OpsIo = processIo): Promise<RequeueOutcome> {
  const days = checkRange(flags.from, flags.to, flags.reason);
  const stage = await resolveStage({ stage: flags.stage, region: flags.region });
  const bucket = requireOutput(stage, 'DataBucketName');
  const streamName = flags.stream ?? requireOutput(stage, 'DeliveryStreamName');
  const scan = await scanQuarantine(new S3Client({ region: stage.region }), bucket, days, flags.reason);
  const what = `${scan.rows.length} quarantined ${scan.rows.length === 1 ? 'record' : 'records'}${flags.reason ? ` (${flags.reason})` : ''} of ${days[0]}..${days.at(-1)}`;
  const notes = [scan.duplicates > 0 ? `${scan.duplicates} repeated deliveries of the same body counted once` : '', ...scan.skipped.map((s) => `not sendable: ${s}`)].filter(Boolean);
  for (const n of notes) io.err(`wa-analytics: ${n}`);
  if (flags.dryRun) {
    for (const q of scan.rows) io.out(describeRow(q));
    io.out(`requeue (dry run): would send ${what} into ${streamName}; nothing sent`);
    return { code: 0, found: scan.rows.length, report: null };
  }
  if (scan.rows.length === 0) {
    io.out(`requeue: nothing to send (${what}, read from ${scan.objects} objects)`);
    return { code: scan.skipped.length > 0 ? 1 : 0, found: 0, report: null };
  }
  if (flags.yes !== true && !(await io.confirm(`send ${what} back into ${streamName} (stage ${stage.name})?`))) {
    io.out('requeue: cancelled; nothing sent');
    return { code: 1, found: scan.rows.length, report: null };
  }
  const sender = new FirehoseSender({ client: new FirehoseClient({ region: stage.region }), streamName, sleep: io.sleep });
  const bar = io.progress(`requeue → ${streamName}`, scan.rows.length);
  try {
    for (const [i, q] of scan.rows.entries()) {
      await sender.add(requeueRecord(q));
      bar.update(i + 1, { sent: sender.report.sent, failed: sender.report.failed });
    }
    await sender.flush();
  } finally {
    bar.stop();
  }
  io.out(`${formatSendReport(`requeue into ${streamName}`, sender.report)}; the transform verifies them again (still bad ones return to quarantine)`);
  return { code: incomplete(sender.report) || scan.skipped.length > 0 ? 1 : 0, found: scan.rows.length, report: sender.report };
}
