import { weekdayOf } from '../anomaly/baseline';
import { InputError } from '../errors';
import { createRandom } from '../random';
import { addDays, dateRange, isIsoDate } from '../time';
import { demoCampaigns, weekend } from './campaigns';
import { simulateConversions } from './conversions';
import { assignArm } from './experiments';
import { effectsOn, planIncidents } from './incidents';
import { liveMessage } from './lifecycle';
import { makeAudience, metaWamid } from './population';
import { badDeliveries } from './bad-traffic';
import { buildTraffic } from './traffic';
import { defaultDemoOptions, type DemoOptions } from './options';
import type { MessageFact, Simulation, StatusFact, TapFact } from './types';

/**
 * The demo campaign simulator: a seeded, deterministic history of a WhatsApp business's
 * campaigns, as webhook traffic with simulated arrival times plus the facts behind it.
 * Pure: no clock, no I/O; the same options give byte-identical deliveries.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** Day-to-day noise (log-sd) of a campaign's volume and engagement. */
const dailyNoise = { volume: 0.05, engagement: 0.05 } as const;
/** Blast speed: sends per second as a template goes out. */
const sendsPerSecond = 12;
/** Taps a day on messages the pipeline never saw (sent before tracking began): unattributed. */
const strayTapsPerDay = 3;
/** Mixed into the seed for the conversions' stream. */
const conversionStream = 0x2c1b3c6d;
/** Mixed into the seed for the experiment assignments' stream. */
const armStream = 0x5e7a11b3;
/** Mixed into the seed for the forged and malformed bodies' stream. */
const badBodyStream = 0x0bad0b0d;
/**
 * Mixed into the seed for the Twilio campaign's stream (its volumes, users, messages and
 * traffic), so adding it changed nothing about the other campaigns of a seed.
 */
const twilioStream = 0x7a1110ff;

const dayStart = (date: string): number => Date.parse(`${date}T00:00:00Z`);

function validate(o: DemoOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new InputError(`seed must be an integer (got ${o.seed})`);
  if (!isIsoDate(o.startDate)) throw new InputError(`start date must be YYYY-MM-DD (got "${o.startDate}")`);
  if (!Number.isSafeInteger(o.days) || o.days < 1 || o.days > 366) throw new InputError(`days must be a whole number from 1 to 366 (got ${o.days})`);
  if (!Number.isSafeInteger(o.lookbackDays) || o.lookbackDays < 0 || o.lookbackDays > 30) throw new InputError(`lookback must be 0 to 30 days (got ${o.lookbackDays})`);
}

/** Simulates the whole history: messages, taps, incidents and the traffic they make. */
export function simulateDemo(options: Partial<DemoOptions> = {}): Simulation {
  const o: DemoOptions = { ...defaultDemoOptions, ...options };
  validate(o);
  const r = createRandom(o.seed);
  // Its own stream, so which arm a send gets draws nothing from the messages' stream.
  const arms = createRandom(o.seed ^ armStream);
  const rTwilio = createRandom(o.seed ^ twilioStream);
  const audience = makeAudience(r);
  const dates = dateRange(o.startDate, addDays(o.startDate, o.days - 1));
  const incidents = planIncidents(dates);
  const due = new Map<StatusFact | TapFact, number>();
  const messages: MessageFact[] = [];
  const taps: TapFact[] = [];

  for (const date of dates) {
    const weekday = weekdayOf(date);
    const isWeekend = weekday === 0 || weekday === 6;
    const horizonEnd = dayStart(addDays(date, o.lookbackDays + 2)) - SECOND;
    const tapHorizonEnd = dayStart(addDays(date, o.lookbackDays + 1)) - SECOND;
    for (const c of demoCampaigns) {
      const rc = c.provider === 'twilio' ? rTwilio : r;
      const volume = c.weekdaySends * (isWeekend ? weekend.volume : 1) * Math.exp(rc.normal(0, dailyNoise.volume));
      const engagement = c.engagement * (isWeekend ? weekend.engagement : 1) * Math.exp(rc.normal(0, dailyNoise.engagement));
      const effects = effectsOn(incidents, date, c.campaignId);
      let ts = dayStart(date) + c.sendHour * HOUR + Math.round(rc.uniform(0, 10 * 60)) * SECOND;
      const count = rc.poisson(volume);
      for (let i = 0; i < count; i++) {
        ts += Math.round(rc.uniform(0, 2000 / sendsPerSecond));
        const arm = assignArm(arms, c.campaignId);
        const armEngagement = engagement * (arm?.tapFactor ?? 1);
        const life = liveMessage(rc, { campaign: c, user: rc.pick(audience), sendTs: ts, sendDate: date, engagement: armEngagement, arm, effects, horizonEnd, tapHorizonEnd }, due);
        messages.push(life.message);
        taps.push(...life.taps);
      }
    }
    for (let i = r.poisson(strayTapsPerDay); i > 0; i--) {
      const user = r.pick(audience);
      const tsAt = Math.floor((dayStart(date) + r.uniform(7 * HOUR, 22 * HOUR)) / SECOND) * SECOND;
      const t: TapFact = {
        id: metaWamid(r, user.phone, true), provider: 'meta', context: metaWamid(r, user.phone, false), user: user.phone, ts: tsAt,
        interaction: 'button_reply', buttonId: 'winter_deals', title: 'See winter deals', arrivals: [],
      };
      taps.push(t);
      due.set(t, tsAt + r.uniform(0.3 * SECOND, 3 * SECOND));
    }
  }
  taps.sort((a, b) => a.ts - b.ts);
  // Its own stream, so conversions change nothing about the messages and taps of a seed.
  const conversions = simulateConversions(createRandom(o.seed ^ conversionStream), {
    messages, taps, audience, firstDayStart: dayStart(o.startDate), horizonEnd: dayStart(addDays(o.startDate, o.days)) - SECOND, days: o.days,
  });
  const names = new Map(audience.map((u) => [u.phone, u.name]));
  const viaTwilio = (f: { provider: string }) => f.provider === 'twilio';
  const traffic = buildTraffic(r, messages.filter((m) => !viaTwilio(m)), taps.filter((t) => !viaTwilio(t)), due, names, conversions);
  const twilioTraffic = buildTraffic(rTwilio, messages.filter(viaTwilio), taps.filter(viaTwilio), due, names);
  // Its own stream, so the bad bodies change nothing about the honest traffic of a seed.
  const badStream = createRandom(o.seed ^ badBodyStream);
  const bad = badDeliveries(badStream, dates, () => badStream.pick(audience).phone);
  // Merged by arrival; on a tie the other campaigns' traffic goes first, then Twilio's, then the bad bodies.
  const deliveries = [
    ...traffic.map((d, i) => ({ d, i, group: 0 })),
    ...twilioTraffic.map((d, i) => ({ d, i, group: 1 })),
    ...bad.map(({ reason: _reason, ...d }, i) => ({ d, i, group: 2 })),
  ]
    .sort((a, b) => a.d.arrivalTs - b.d.arrivalTs || a.group - b.group || a.i - b.i)
    .map(({ d }) => d);
  return { startDate: o.startDate, days: o.days, dates, messages, taps, conversions, incidents, deliveries, bad };
}
