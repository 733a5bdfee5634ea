import { FirehoseClient } from '@aws-sdk/client-firehose';
import { envValue, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import { planReplay } from '../../../local/replay-input';
import type { Source } from '../../../shared/schema/types';
import { FirehoseSender, formatSendReport, incomplete, type SendReport } from '../../ops/firehose-sender';
import { processIo, type OpsIo } from '../../io';
import { replayToStage } from '../../ops/replay-stage';
import { requireOutput, resolveStage, type StageOutputName } from '../../ops/stage';

export interface StageReplayFlags {
  readonly stage: string;
  readonly region?: string;
  readonly stream?: string;
  readonly source?: Source;
  readonly asOfEventTime?: boolean;
  readonly dataDir?: string;
}

/** The stack output holding the URL of each Twilio route (resources/api.cjs names them after the route ids). */
const twilioUrlOutput: Readonly<Record<string, StageOutputName>> = { '/webhooks/twilio': 'TwilioWebhookUrl', '/webhooks/twilio/status': 'TwilioStatusUrl' };

/**
 * `replay PATH --stage S`: resolves the stage, sends every body, prints one report line. Returns
 * the exit code: 1 when any record was not sent (failed after retries, or over the size limit).
 */
export async function runStageReplay(path: string, flags: StageReplayFlags, io: OpsIo = processIo, env: Env = process.env): Promise<{ code: 0 | 1; report: Readonly<SendReport> }> {
  if (flags.dataDir !== undefined) throw new InputError('--data-dir and --stage exclude each other: replay goes either to the local lake or to a stage');
  // An unreadable input is reported before any AWS call.
  await planReplay(path);
  const stage = await resolveStage({ stage: flags.stage, region: flags.region, stream: flags.stream });
  const streamName = requireOutput(stage, 'DeliveryStreamName');
  const secrets = { appSecret: envValue(env, 'WA_APP_SECRET'), wasenderSecret: envValue(env, 'WASENDER_WEBHOOK_SECRET'), twilioAuthToken: envValue(env, 'TWILIO_AUTH_TOKEN') };
  // Recorded bodies carry no signature; a stage that checks signatures quarantines unsigned ones.
  if (secrets.appSecret === null) io.err('wa-analytics: WA_APP_SECRET is not set: Meta bodies are sent unsigned (the stage quarantines them if it checks signatures)');
  if (secrets.wasenderSecret === null) io.err('wa-analytics: WASENDER_WEBHOOK_SECRET is not set: WASenderApi bodies are sent without a signature header');
  const sender = new FirehoseSender({ client: new FirehoseClient({ region: stage.region }), streamName, sleep: io.sleep });
  const result = await replayToStage(path, sender, {
    source: flags.source,
    asOfEventTime: flags.asOfEventTime === true,
    secrets,
    // The stack's own Twilio URLs; read only when a Twilio body comes (a stack without them says so then).
    twilioUrl: (path) => requireOutput(stage, twilioUrlOutput[path] ?? 'TwilioWebhookUrl'),
    progress: (total) => io.progress(`replay → ${streamName}`, total),
  });
  let line = formatSendReport(`replay into ${streamName}`, result.send);
  if (result.unstamped > 0) line += `; ${result.unstamped} without an event time (stamped now)`;
  io.out(line);
  return { code: incomplete(result.send) ? 1 : 0, report: result.send };
}
