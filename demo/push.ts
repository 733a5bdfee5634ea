import type { FastifyInstance } from 'fastify';
import type { Delivery } from '../shared/demo/types';
import { WaError } from '../shared/errors';
import { parseForm } from '../shared/form';
import { signMetaBody } from '../shared/signature';
import { signTwilioRequest } from '../shared/twilio-signature';
import { replayTimeHeader, routeForBody } from '../local/replay';
import { unboundPublicUrl } from '../local/server';

/**
 * Posts the demo's deliveries through the local API in-process (`inject`): the same routes,
 * mapping templates and delivery stream as live traffic, each request signed as its sender would
 * sign it and stamped with its simulated arrival time, which decides its raw partition.
 */

/** The secrets the demo's stack runs with, so every signature is really checked. */
export interface DemoSecrets {
  readonly appSecret: string;
  readonly wasenderSecret: string;
  readonly registryToken: string;
  readonly twilioAuthToken: string;
}

/** A delivery's POST route, from the one route table (a Twilio status callback has its own). */
function pathOf(d: Delivery): string {
  const route = routeForBody(d.source, Buffer.from(d.body));
  if (route === undefined) throw new WaError('demo', `the API has no POST route for ${d.source} bodies`);
  return route.path;
}

/** Requests in flight at once: enough to share the log's group commits, few enough to bound memory. */
const WINDOW = 64;

/** What a forger signs with: not the stack's secret. */
const forgedSecret = (secret: string) => `${secret}-guessed`;

function requestFor(d: Delivery, secrets: DemoSecrets) {
  const path = pathOf(d);
  const twilio = d.source === 'twilio';
  const headers: Record<string, string> = { 'content-type': twilio ? 'application/x-www-form-urlencoded' : 'application/json', [replayTimeHeader]: String(d.arrivalTs) };
  const secret = (s: string) => (d.forged === true ? forgedSecret(s) : s);
  if (d.source === 'meta') headers['x-hub-signature-256'] = signMetaBody(d.body, secret(secrets.appSecret));
  else if (d.source === 'wasender') headers['x-webhook-signature'] = secret(secrets.wasenderSecret);
  // Twilio signs the URL it calls, which the demo's in-process server records as its unbound address.
  else if (twilio) headers['x-twilio-signature'] = signTwilioRequest(secret(secrets.twilioAuthToken), `${unboundPublicUrl}${path}`, parseForm(Buffer.from(d.body)) ?? []);
  // Sends and conversions are the business's own posts: the registry token, as on `/sends`.
  else headers.authorization = `Bearer ${secrets.registryToken}`;
  return { method: 'POST' as const, url: path, headers, payload: d.body };
}

/**
 * Posts every delivery in order (at most WINDOW in flight). Throws when any request is not
 * answered 200: the demo's data would then not be what its ground truth says.
 */
export async function pushDeliveries(app: FastifyInstance, deliveries: readonly Delivery[], secrets: DemoSecrets, onProgress: (done: number) => void = () => undefined): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const failures: string[] = [];
  let done = 0;
  for (const d of deliveries) {
    const p: Promise<void> = app
      .inject(requestFor(d, secrets))
      .then((response) => {
        if (response.statusCode !== 200 && failures.length < 3) failures.push(`${pathOf(d)} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
        onProgress(++done);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (failures.length > 0) break;
  }
  await Promise.allSettled(inFlight);
  if (failures.length > 0) throw new WaError('demo', `the local API refused demo traffic: ${failures.join('; ')}`);
}
