import type { Random } from '../random';
import { buttonWeights, type DemoCampaign } from './campaigns';
import type { MessageArm } from './experiments';
import type { IncidentEffects } from './incidents';
import { baileysId, metaWamid, twilioSid, type DemoUser } from './population';
import type { DemoStatusName, MessageFact, StatusFact, TapFact } from './types';

/**
 * One outbound message's life: failed or sent, delivered (at once, or when an offline phone comes
 * back), read, tapped (usually one button, sometimes twice or a second button), and when each of
 * those webhooks is first ready to be sent (`due`): right away, or when a phone that went offline
 * after reading reconnects, hours or days later.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** The behaviour the simulation draws from; rates are per message unless said otherwise. */
export const lifecycleRates = {
  failure: 0.03,
  /** Offline when the message is sent: delivered when the phone is back. */
  offlineAtSend: { regular: 0.04, intermittent: 0.35 },
  /** Goes offline after reading: read receipt and taps wait for the reconnect. */
  offlineAfterRead: { regular: 0.05, intermittent: 0.3 },
  read: 0.72,
  /** Taps that come much later (the user comes back to the message), not within minutes. */
  laterTap: 0.12,
  repeatTap: 0.1,
  secondButton: 0.04,
  textReply: 0.015,
} as const;

/** Meta's codes (WASenderApi reports none); Twilio's own for its failed messages (63016: outside the 24-hour window, 63024: invalid recipient). */
const errorCodes = { meta: [131026, 131026, 131049], wasender: [131026, 131026, 131049], twilio: [63016, 63016, 63024] } as const;
const outageErrorCode = { meta: 131000, wasender: 131000, twilio: 63003 } as const;
const replies = ['Thanks!', 'How much is shipping?', 'Is this still valid?', 'ok'] as const;

/** Draws from a log-normal with the given median (ms) and log-sd. */
const logNormal = (r: Random, median: number, sigma: number): number => median * Math.exp(r.normal(0, sigma));
const whole = (ms: number): number => Math.floor(ms / SECOND) * SECOND;

export interface MessageInput {
  readonly campaign: DemoCampaign;
  readonly user: DemoUser;
  readonly sendTs: number;
  readonly sendDate: string;
  /** Share of delivered messages tapped today (season and noise applied). */
  readonly engagement: number;
  /** The experiment arm of the send (its tap factor already in `engagement`), or null. */
  readonly arm: MessageArm | null;
  readonly effects: IncidentEffects;
  /** Nothing happens after this instant: later facts would fall outside the pipeline's lookback. */
  readonly horizonEnd: number;
  /**
   * No tap after this instant (the end of the send date + lookback): every tap is one `daily_ctr`
   * counts, so every tap a conversion can credit is a counted one.
   */
  readonly tapHorizonEnd: number;
}

export interface MessageLife {
  readonly message: MessageFact;
  readonly taps: TapFact[];
}

/** A message id of the provider: Meta wamid, Baileys id, Twilio SID. */
function messageId(r: Random, c: DemoCampaign, phone: string, inbound: boolean): string {
  if (c.provider === 'meta') return metaWamid(r, phone, inbound);
  return c.provider === 'twilio' ? twilioSid(r) : baileysId(r, inbound);
}

/**
 * When the pipeline dates a fact that happened at `ts` and whose webhook is ready at `dueAt`:
 * its own time (whole seconds: the payloads carry seconds), or for Twilio, whose forms carry no
 * time, the instant the webhook arrives (Twilio posts it when it is ready), on a whole second
 * too so that medians of time differences are exact on both sides.
 */
function factTime(c: DemoCampaign, ts: number, dueAt: number): number {
  return c.provider === 'twilio' ? Math.ceil(Math.max(ts, dueAt) / SECOND) * SECOND : whole(ts);
}

/** Simulates one message. `due` receives, for each status and tap, when its webhook is first ready. */
export function liveMessage(r: Random, input: MessageInput, due: Map<StatusFact | TapFact, number>): MessageLife {
  const { campaign: c, user, sendTs, effects } = input;
  const meta = c.provider === 'meta';
  const twilio = c.provider === 'twilio';
  const wamid = messageId(r, c, user.phone, false);
  const statuses: StatusFact[] = [];
  const taps: TapFact[] = [];
  const message: MessageFact = {
    wamid, provider: c.provider, user: user.phone, sendTs, sendDate: input.sendDate, campaignId: c.campaignId, templateName: c.templateName,
    viaRegistry: c.attribution === 'registry', callback: callbackData(c, input.arm), buttons: c.buttons, registryArrivals: [], statuses,
    arm: input.arm === null ? null : { experimentId: input.arm.experimentId, variant: input.arm.variant, declared: input.arm.declared },
  };
  const network = () => r.uniform(0.3 * SECOND, 3 * SECOND);
  const status = (name: DemoStatusName, ts: number, dueAt: number, errorCode: number | null = null) => {
    const s: StatusFact = { status: name, ts: factTime(c, ts, dueAt), errorCode, arrivals: [] };
    statuses.push(s);
    // A Twilio webhook arrives at its fact's time; the others a moment after the event at the earliest.
    due.set(s, twilio ? s.ts : Math.max(dueAt, s.ts + SECOND));
  };

  const failure = effects.outageFailure ?? lifecycleRates.failure;
  if (r.chance(failure)) {
    status('failed', sendTs + r.uniform(2, 20) * SECOND, 0, effects.outageFailure !== null ? outageErrorCode[c.provider] : r.pick(errorCodes[c.provider]));
    return { message, taps };
  }
  const sentTs = sendTs + r.uniform(1, 4) * SECOND;
  status('sent', sentTs, sentTs + network());

  const kind = user.intermittent ? 'intermittent' : 'regular';
  let deliveredTs = sentTs + logNormal(r, 4 * SECOND, 0.8);
  if (r.chance(lifecycleRates.offlineAtSend[kind])) deliveredTs = sentTs + (r.chance(0.55) ? r.uniform(0.5 * HOUR, 12 * HOUR) : r.uniform(12 * HOUR, 4 * DAY));
  if (deliveredTs > input.horizonEnd) return { message, taps };
  status('delivered', deliveredTs, deliveredTs + network());
  if (!r.chance(lifecycleRates.read)) return { message, taps };

  const readTs = deliveredTs + Math.min(logNormal(r, 20 * 60 * SECOND, 1.4), 2 * DAY);
  if (readTs > input.horizonEnd) return { message, taps };
  // Offline right after reading: everything until the reconnect is sent then.
  const reconnect = r.chance(lifecycleRates.offlineAfterRead[kind]) ? readTs + (r.chance(0.6) ? r.uniform(1 * HOUR, 10 * HOUR) : r.uniform(1 * DAY, 3 * DAY)) : 0;
  const dueOf = (ts: number) => Math.max(ts, reconnect) + network();
  status('read', readTs, dueOf(readTs));

  const tap = (buttonIndex: number | null, ts: number) => {
    // A Twilio tap is dated by its arrival, so that is drawn first (in the Twilio campaign's own
    // stream); the others draw their arrival last, as they always did, keeping a seed's history.
    const tsSeen = twilio ? factTime(c, ts, dueOf(ts)) : whole(ts);
    if ((twilio ? tsSeen : ts) > input.tapHorizonEnd) return;
    const b = buttonIndex === null ? null : c.buttons[buttonIndex]!;
    if (b !== null && b.id === effects.brokenButton) return;
    const t: TapFact = {
      id: messageId(r, c, user.phone, true), provider: c.provider, context: wamid, user: user.phone, ts: tsSeen,
      interaction: b === null ? null : c.interaction, buttonId: b?.id ?? null, title: b?.title ?? r.pick(replies), arrivals: [],
    };
    taps.push(t);
    due.set(t, twilio ? t.ts : Math.max(dueOf(ts), t.ts + SECOND));
  };

  // Free-text replies come through Meta's and Twilio's webhooks (the WASenderApi campaign has none).
  if ((meta || twilio) && r.chance(lifecycleRates.textReply)) tap(null, readTs + r.uniform(60, 600) * SECOND);
  const weights = buttonWeights(c);
  const chosen = pickWeighted(r, weights);
  const tapChance = Math.min(0.95, input.engagement / lifecycleRates.read);
  const collapse = effects.collapsedButton?.id === c.buttons[chosen]!.id ? effects.collapsedButton.factor : 1;
  if (!r.chance(tapChance * collapse)) return { message, taps };
  const tapTs = readTs + (r.chance(lifecycleRates.laterTap) ? r.uniform(1 * HOUR, 30 * HOUR) : logNormal(r, 45 * SECOND, 1));
  tap(chosen, tapTs);
  if (r.chance(lifecycleRates.repeatTap)) tap(chosen, tapTs + r.uniform(3, 90) * SECOND);
  if (c.buttons.length > 1 && r.chance(lifecycleRates.secondButton)) {
    const other = (chosen + r.int(1, c.buttons.length - 1)) % c.buttons.length;
    tap(other, tapTs + r.uniform(30 * SECOND, 2 * HOUR));
  }
  return { message, taps };
}

/** The callback data a sender of this campaign attaches to each message (a JSON one names the arm too). */
function callbackData(c: DemoCampaign, arm: MessageArm | null): string | null {
  if (c.provider !== 'meta' || c.callback === 'none') return null;
  if (c.callback === 'campaign') return c.campaignId;
  const experiment = arm === null ? {} : { experiment_id: arm.experimentId, variant: arm.variant };
  return JSON.stringify({ campaign_id: c.campaignId, template_name: c.templateName, ...experiment });
}

/** Index drawn with probability proportional to its weight. */
export function pickWeighted(r: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = r.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}
