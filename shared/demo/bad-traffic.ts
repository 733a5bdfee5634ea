import type { QuarantineReason } from '../normalize/reasons';
import type { Random } from '../random';
import { metaTapBody, twilioStatusBody, wasenderStatusBody } from './bodies';
import { metaWamid, twilioSid } from './population';
import type { Delivery, TapFact } from './types';

/**
 * What a live endpoint also receives, so the dashboard's quarantine panel has something to show:
 * forged posts (a Meta tap signed with the wrong app secret, a WASenderApi status with the wrong
 * webhook secret, a Twilio status callback signed with a guessed auth token), a truncated Meta
 * body and JSON that is no WhatsApp webhook. None of it may
 * count anywhere; each lands in quarantine once, with its reason, on the day it arrived.
 */

const HOUR = 3600 * 1000;

/** One bad body and the quarantine reason the transform must give it. */
export interface BadDelivery extends Delivery {
  readonly reason: QuarantineReason;
}

/** Bad bodies on every `everyDays`-th simulated day (from the second): a couple a week. */
const everyDays = 3;

/** The bad bodies of the history, in no particular order; each day's kind rotates through five. */
export function badDeliveries(r: Random, dates: readonly string[], user: () => string): BadDelivery[] {
  const out: BadDelivery[] = [];
  dates.forEach((date, i) => {
    if (i % everyDays !== 1) return;
    const arrivalTs = Math.round(Date.parse(`${date}T00:00:00Z`) + r.uniform(8 * HOUR, 20 * HOUR));
    const phone = user();
    switch ((i - 1) / everyDays % 5) {
      case 0: {
        // A tap nobody made, on a message nobody sent, signed by someone without the app secret.
        const tap: TapFact = { id: metaWamid(r, phone, true), provider: 'meta', context: metaWamid(r, phone, false), user: phone, ts: arrivalTs - 2000, interaction: 'button_reply', buttonId: 'claim_prize', title: 'Claim prize', arrivals: [] };
        out.push({ source: 'meta', body: metaTapBody(tap, 'Customer'), arrivalTs, forged: true, reason: 'bad_signature' });
        break;
      }
      case 1: {
        // A read receipt for a message id made up by whoever guessed the webhook URL.
        const message = { user: phone, wamid: `3EB0${Math.floor(r.uniform(0, 2 ** 40)).toString(16).toUpperCase()}` };
        const body = wasenderStatusBody(Math.floor(arrivalTs / 1000), [{ message, status: { status: 'read' } }]);
        out.push({ source: 'wasender', body, arrivalTs, forged: true, reason: 'bad_signature' });
        break;
      }
      case 2:
        // Cut off mid-body (a proxy that dropped the connection), but signed as it arrived.
        out.push({ source: 'meta', body: '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_pro', arrivalTs, reason: 'malformed_json' });
        break;
      case 4:
        // A delivery receipt for a made-up message, posted to the Twilio status URL by someone without the auth token.
        out.push({ source: 'twilio', body: twilioStatusBody({ user: phone, wamid: twilioSid(r) }, { status: 'delivered', errorCode: null }), arrivalTs, forged: true, reason: 'bad_signature' });
        break;
      default:
        // Another Meta product's webhook pointed at the WhatsApp endpoint.
        out.push({ source: 'meta', body: JSON.stringify({ object: 'page', entry: [{ id: '1029384756', time: arrivalTs, changes: [{ field: 'feed', value: { item: 'like' } }] }] }), arrivalTs, reason: 'not_whatsapp' });
    }
  });
  return out;
}
