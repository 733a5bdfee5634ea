import { SingleBar } from 'cli-progress';
import type { FastifyInstance } from 'fastify';
import { errorMessage, InputError, WaError } from '../shared/errors';
import { parseForm } from '../shared/form';
import { isTwilioStatusCallback } from '../shared/normalize/twilio';
import type { Source } from '../shared/schema/types';
import { signMetaBody } from '../shared/signature';
import { signTwilioRequest } from '../shared/twilio-signature';
import { routes, type Route } from '../services/ingest/routes';
import { latestEventTime, sourceOfBody } from './replay-body';
import { planReplay, readReplayBodies, type ReplayBody, type ReplayPlan } from './replay-input';

/** The header the replay app reads the receive time from (the app is never bound to a port). */
export const replayTimeHeader = 'x-wa-replay-received-ts';

/** Posts in flight at once: enough to share the log's group commits, small enough to bound memory. */
const WINDOW = 64;

export interface ReplaySecrets {
  readonly appSecret: string | null;
  readonly wasenderSecret: string | null;
  readonly registryToken: string | null;
  /** `TWILIO_AUTH_TOKEN`: Twilio bodies are signed with it over the URL the API records (ReplayOptions.twilioUrl). */
  readonly twilioAuthToken?: string | null;
}

export interface ReplayOptions {
  /** Route for every body; inferred per body when absent. */
  readonly source?: Source;
  /** Stamp each body's receive time with its latest event time. */
  readonly asOfEventTime: boolean;
  readonly secrets: ReplaySecrets;
  /** Draw a progress bar on stderr (callers pass whether stderr is a TTY). */
  readonly progress: boolean;
  /**
   * The full URL the API records for a request to a route path (Twilio signs that URL): needed
   * to sign Twilio bodies; without it they are posted unsigned.
   */
  readonly twilioUrl?: (path: string) => string;
}

export interface ReplayReport {
  posted: number;
  accepted: number;
  /** Non-2xx answers by status code. */
  rejected: Record<string, number>;
  /** What the API said, for the first rejection of each status code. */
  reasons: Record<string, string>;
  /** Bodies sent with the current time because they name no event time (with --as-of-event-time). */
  unstamped: number;
}

const postRoutes: readonly Route[] = routes.filter((r) => r.method === 'POST');

/**
 * The POST route a body of this source goes to. Twilio has two (the incoming-message webhook and
 * the status callback URL, `…/status`); a status callback goes to the second, as Twilio posts it.
 */
export function routeForBody(source: Source, body: Buffer): Route | undefined {
  const candidates = postRoutes.filter((r) => r.source === source);
  if (source !== 'twilio' || candidates.length < 2) return candidates[0];
  const form = parseForm(body);
  const status = form !== null && isTwilioStatusCallback(form);
  return candidates.find((r) => r.path.endsWith('/status') === status) ?? candidates[0];
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The request a sender would have made for this body: route, signature or token, receive time. */
function requestFor(body: ReplayBody, options: ReplayOptions, report: ReplayReport) {
  const source = sourceOfBody(body, options.source);
  const route = routeForBody(source, body.bytes);
  if (route === undefined) throw new InputError(`${body.where}: the local API has no route for ${source} bodies yet`);
  const headers: Record<string, string> = { 'content-type': body.form ? FORM_TYPE : 'application/json' };
  const { appSecret, wasenderSecret, registryToken, twilioAuthToken = null } = options.secrets;
  if (source === 'meta' && appSecret !== null) headers['x-hub-signature-256'] = signMetaBody(body.bytes, appSecret);
  if (source === 'wasender' && wasenderSecret !== null) headers['x-webhook-signature'] = wasenderSecret;
  // Twilio signs the URL it requested and the form's parameters. (A JSON body Twilio signs through
  // a bodySHA256 query parameter the replayed URL does not have: it goes unsigned.)
  if (source === 'twilio' && body.form && twilioAuthToken !== null && options.twilioUrl !== undefined) {
    headers['x-twilio-signature'] = signTwilioRequest(twilioAuthToken, options.twilioUrl(route.path), parseForm(body.bytes) ?? []);
  }
  if (route.localAuthorization === 'BEARER' && registryToken !== null) headers.authorization = `Bearer ${registryToken}`;
  if (options.asOfEventTime) {
    const ts = latestEventTime(body.json, source);
    if (ts === null) report.unstamped++;
    else headers[replayTimeHeader] = String(ts);
  }
  return { method: 'POST' as const, url: route.path, headers, payload: body.bytes };
}

/** A replay worth a progress bar: many files, or a big JSON-lines file. */
function isLong(plan: ReplayPlan): boolean {
  return plan.kind === 'dir' ? plan.total >= 50 : plan.kind === 'jsonl' && plan.total >= 256 * 1024;
}

/**
 * Posts recorded bodies through the local API in-process (`inject`: same templates, same stream),
 * as their senders would have. A body that cannot be read or parsed stops the replay with an
 * InputError saying how many bodies were already sent; those stay accepted.
 */
export async function replay(app: FastifyInstance, path: string, options: ReplayOptions): Promise<ReplayReport> {
  const report: ReplayReport = { posted: 0, accepted: 0, rejected: {}, reasons: {}, unstamped: 0 };
  const inFlight = new Set<Promise<void>>();
  let bar: SingleBar | null = null;
  let total = 0;
  let done = 0;
  // A post that could not be made at all (not a status: the app itself failed) stops the replay.
  let failure: unknown;
  try {
    const plan = await planReplay(path);
    total = plan.total;
    if (options.progress && isLong(plan)) {
      bar = new SingleBar({ stream: process.stderr, format: 'replay [{bar}] {percentage}% | {posted} posted' });
      bar.start(total, 0, { posted: 0 });
    }
    const count = (status: number, body: string): void => {
      report.posted++;
      if (status >= 200 && status < 300) report.accepted++;
      else {
        report.rejected[status] = (report.rejected[status] ?? 0) + 1;
        report.reasons[status] ??= answerText(body);
      }
      if (plan.kind === 'dir') done++;
      bar?.update(done, { posted: report.posted });
    };
    for await (const body of readReplayBodies(path, plan, (bytes) => (done += bytes))) {
      // Built before sending, so a body of unknown source stops the replay in order.
      const request = requestFor(body, options, report);
      const p: Promise<void> = app
        .inject(request)
        .then(
          (response) => count(response.statusCode, response.body),
          (error: unknown) => {
            failure ??= error;
          },
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= WINDOW) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } catch (error) {
    await Promise.allSettled(inFlight);
    bar?.stop();
    const sent = `${report.posted} ${report.posted === 1 ? 'body was' : 'bodies were'} already sent (${report.accepted} accepted and kept)`;
    if (error instanceof InputError) throw new InputError(`${error.message}; ${sent}`, { cause: error });
    throw new WaError('replay', `replay stopped: ${errorMessage(error)}; ${sent}`, { cause: error });
  }
  bar?.update(total, { posted: report.posted });
  bar?.stop();
  return report;
}

/** The `message` (gateway answers) or `error` (integration answers) of a response body. */
function answerText(body: string): string {
  try {
    const o = JSON.parse(body) as { message?: unknown; error?: unknown };
    const text = typeof o.message === 'string' ? o.message : typeof o.error === 'string' ? o.error : '';
    return text.slice(0, 200);
  } catch {
    return '';
  }
}

/** One line for the operator: counts, and rejections by status with what the API said. */
export function formatReport(report: ReplayReport): string {
  const rejected = Object.entries(report.rejected).map(([status, n]) => {
    const reason = report.reasons[status];
    return reason ? `${n}×${status} (${reason})` : `${n}×${status}`;
  });
  const parts = [`posted ${report.posted}`, `accepted ${report.accepted}`, `rejected ${rejected.length === 0 ? 0 : rejected.join(', ')}`];
  if (report.unstamped > 0) parts.push(`${report.unstamped} without an event time (stamped now)`);
  return `replay: ${parts.join('; ')}`;
}
