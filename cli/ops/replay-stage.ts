import { randomUUID } from 'node:crypto';
import { errorMessage, InputError, WaError } from '../../shared/errors';
import { parseForm } from '../../shared/form';
import type { Source } from '../../shared/schema/types';
import { signMetaBody } from '../../shared/signature';
import { signTwilioRequest } from '../../shared/twilio-signature';
import { routeForBody } from '../../local/replay';
import { latestEventTime, sourceOfBody } from '../../local/replay-body';
import { planReplay, readReplayBodies, type ReplayBody } from '../../local/replay-input';
import { envelopeRecord } from './envelope';
import type { FirehoseSender, SendReport } from './firehose-sender';
import type { Progress } from './progress';

/**
 * `replay PATH --stage S`: the same inputs as the local replay (local/replay-input.ts),
 * each body wrapped in the envelope the API's template builds and sent into the stage's stream.
 * Firehose partitions by its own arrival time, so `--as-of-event-time` sets `received_ts` but the
 * raw partition is still today's (event_date, and so the curated tables, follow the event time).
 */

export interface StageReplayOptions {
  readonly source?: Source;
  readonly asOfEventTime: boolean;
  /** Recorded bodies carry no signature: they are signed with these, as the local replay does. */
  readonly secrets: { readonly appSecret: string | null; readonly wasenderSecret: string | null; readonly twilioAuthToken?: string | null };
  /**
   * The URL the stage's Twilio route at this path is called at (its stack output), recorded in the
   * envelope as the URL Twilio signed and signed over; asked for only when a Twilio body comes.
   */
  readonly twilioUrl?: (path: string) => string;
  readonly now?: () => number;
  readonly requestId?: () => string;
  /** Sized by the input plan once it is known. */
  readonly progress?: (total: number) => Progress;
}

export interface StageReplayReport {
  read: number;
  unstamped: number;
  send: Readonly<SendReport>;
}

/** Reads, wraps and sends every body; a body that cannot be read stops it, saying what was sent. */
export async function replayToStage(path: string, sender: FirehoseSender, options: StageReplayOptions): Promise<StageReplayReport> {
  const now = options.now ?? Date.now;
  const requestId = options.requestId ?? (() => `replay-${randomUUID()}`);
  const report: StageReplayReport = { read: 0, unstamped: 0, send: sender.report };
  const plan = await planReplay(path);
  const bar = options.progress?.(plan.total);
  let done = 0;
  const show = () => bar?.update(done, { sent: sender.report.sent, failed: sender.report.failed + sender.report.oversize.length });
  try {
    for await (const body of readReplayBodies(path, plan, (bytes) => (done += bytes))) {
      const source = sourceOfBody(body, options.source);
      let receivedTs = now();
      if (options.asOfEventTime) {
        const ts = latestEventTime(body.json, source);
        if (ts === null) report.unstamped++;
        else receivedTs = ts;
      }
      report.read++;
      if (plan.kind === 'dir') done++;
      const url = source === 'twilio' ? twilioUrlOf(body, options) : null;
      const signature = url === null ? signatureFor(source, body.bytes, options.secrets) : twilioSignature(body, url, options.secrets.twilioAuthToken ?? null);
      await sender.add({ data: envelopeRecord({ source, body: body.bytes, signature, requestId: requestId(), receivedTs, url }), label: body.where });
      show();
    }
    await sender.flush();
  } catch (error) {
    // Bodies read before a bad one are sent, as in the local replay; then say how many.
    if (error instanceof InputError) {
      await sender.flush().catch(() => undefined);
      bar?.stop();
      throw new InputError(`${error.message}; ${sentLine(sender.report)}`, { cause: error });
    }
    bar?.stop();
    if (error instanceof WaError) throw error;
    throw new WaError('replay', `replay stopped: ${errorMessage(error)}; ${sentLine(sender.report)}`, { cause: error });
  }
  show();
  bar?.stop();
  return report;
}

/** The stage URL of the Twilio route this body goes to (null when the caller gave none: the record then carries no url). */
function twilioUrlOf(body: ReplayBody, options: StageReplayOptions): string | null {
  const route = routeForBody('twilio', body.bytes);
  return route === undefined || options.twilioUrl === undefined ? null : options.twilioUrl(route.path);
}

/** Twilio's signature over the URL and the form's parameters (a JSON body, signed through bodySHA256, goes unsigned). */
function twilioSignature(body: ReplayBody, url: string, token: string | null): string | null {
  if (token === null || !body.form) return null;
  return signTwilioRequest(token, url, parseForm(body.bytes) ?? []);
}

function signatureFor(source: Source, body: Buffer, secrets: StageReplayOptions['secrets']): string | null {
  if (source === 'meta' && secrets.appSecret !== null) return signMetaBody(body, secrets.appSecret);
  if (source === 'wasender' && secrets.wasenderSecret !== null) return secrets.wasenderSecret;
  return null;
}

function sentLine(r: Readonly<SendReport>): string {
  return `${r.sent} ${r.sent === 1 ? 'record was' : 'records were'} already sent to the stream${r.failed > 0 ? ` (${r.failed} failed)` : ''}`;
}
