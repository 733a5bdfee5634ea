import { createRandom, type Random } from '../random';
import { addDays } from '../time';
import { weekdayOf } from './baseline';
import type { AnomalyKind, AnomalyMetric, DatedDailyCtrRow } from './types';

/** Shape of a labelled synthetic history. */
export interface SyntheticOptions {
  readonly seed: number;
  /** First cohort date. */
  readonly startDate: string;
  readonly days: number;
  /** Events are injected only after this many days, so every label has a full baseline window. */
  readonly warmupDays: number;
  readonly campaigns: number;
}

export const defaultSyntheticOptions = { seed: 1, startDate: '2025-01-06', days: 84, warmupDays: 28, campaigns: 10 } as const;

/** One injected event: what a correct detector reports for that date. */
export interface SyntheticLabel {
  readonly dt: string;
  readonly campaign_id: string;
  readonly template_name: string | null;
  /** null for a delivery collapse, which concerns the whole (campaign, template). */
  readonly button_id: string | null;
  readonly metric: AnomalyMetric;
  readonly kind: AnomalyKind;
}

export interface SyntheticHistory {
  readonly rows: DatedDailyCtrRow[];
  readonly labels: SyntheticLabel[];
  /** Dates after the warm-up, where the detector is evaluated. */
  readonly evaluationDates: string[];
}

/**
 * Event kinds with their daily probability per eligible series. The eligibility floors (expected
 * tapped messages before noise) keep labels to events a reader would call real.
 */
const events = {
  drop: { rate: 0.008, minExpected: 50 },
  spike: { rate: 0.006, minExpected: 50 },
  zero: { rate: 0.004, minExpected: 20 },
  collapse: { rate: 0.012, minExpected: 300 },
} as const;
/** No event on a (campaign, template) day expecting fewer deliveries: low-volume series must stay silent. */
const MIN_EVENT_VOLUME = 300;
type EventName = keyof typeof events;

interface Button {
  readonly id: string;
  readonly position: number;
  readonly ctr: number;
  readonly noiseSd: number;
  readonly repeatRate: number;
}

interface Group {
  readonly campaignId: string;
  readonly templateName: string;
  readonly sent: number;
  readonly weekdayOnly: boolean;
  readonly volumeByWeekday: readonly number[];
  readonly volumeNoiseSd: number;
  readonly deliveryRate: number;
  readonly readRate: number;
  readonly ctrByWeekday: readonly number[];
  /** Multiplicative CTR drift per day (0 for most groups): slow, and never an anomaly. */
  readonly driftPerDay: number;
  readonly buttons: readonly Button[];
}

function makeGroup(r: Random, campaign: number, template: number): Group {
  const tier = r.next();
  const sent = tier < 0.3 ? r.uniform(5000, 30000) : tier < 0.75 ? r.uniform(500, 5000) : r.uniform(15, 90);
  const weekendVolume = r.uniform(0.4, 0.9);
  const weekendCtr = r.uniform(0.6, 1.15);
  const isList = r.chance(0.3);
  const count = isList ? r.int(5, 8) : r.int(2, 3);
  const totalCtr = r.uniform(0.08, 0.4);
  const weights = Array.from({ length: count }, (_, k) => r.gamma(2) / (k + 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  return {
    campaignId: `campaign_${String(campaign + 1).padStart(2, '0')}`,
    templateName: `template_${String.fromCharCode(97 + template)}`,
    sent,
    weekdayOnly: r.chance(0.15),
    volumeByWeekday: Array.from({ length: 7 }, (_, d) => (d === 0 || d === 6 ? weekendVolume : 1) * r.uniform(0.95, 1.05)),
    volumeNoiseSd: r.uniform(0.05, 0.15),
    deliveryRate: r.uniform(0.88, 0.98),
    readRate: r.uniform(0.55, 0.85),
    ctrByWeekday: Array.from({ length: 7 }, (_, d) => (d === 0 || d === 6 ? weekendCtr : 1) * r.uniform(0.95, 1.05)),
    driftPerDay: r.chance(0.35) ? r.pick([-1, 1]) * r.uniform(0.003, 0.01) : 0,
    buttons: weights.map((w, k) => ({
      id: `${isList ? 'row' : 'btn'}_${k + 1}`,
      position: k + 1,
      ctr: (totalCtr * w) / weightSum,
      noiseSd: r.uniform(0.04, 0.1),
      repeatRate: r.uniform(0.05, 0.3),
    })),
  };
}

const clampRate = (p: number): number => Math.min(Math.max(p, 0), 0.95);

/** Expected (noise-free) delivered volume and CTR of a button on day index t. */
function expectedOn(g: Group, b: Button, t: number, weekday: number): { delivered: number; ctr: number } {
  const delivered = g.sent * g.volumeByWeekday[weekday]! * g.deliveryRate;
  return { delivered, ctr: clampRate(b.ctr * g.ctrByWeekday[weekday]! * Math.exp(g.driftPerDay * t)) };
}

/**
 * Plans at most one event per (campaign, template) and day expecting MIN_EVENT_VOLUME deliveries:
 * either a delivery collapse or one button's drop, spike or zero-tap day (drops and zeros
 * sometimes last two days).
 */
function planEvents(r: Random, groups: readonly Group[], dates: readonly string[], warmup: number): Map<string, { name: EventName; button: string | null; factor: number }> {
  const plan = new Map<string, { name: EventName; button: string | null; factor: number }>();
  groups.forEach((g, gi) => {
    for (let t = warmup; t < dates.length; t++) {
      const weekday = weekdayOf(dates[t]!);
      if (plan.has(`${gi}|${t}`) || (g.weekdayOnly && (weekday === 0 || weekday === 6))) continue;
      const volume = g.sent * g.volumeByWeekday[weekday]! * g.deliveryRate;
      if (volume < MIN_EVENT_VOLUME) continue;
      if (volume >= events.collapse.minExpected && r.chance(events.collapse.rate)) {
        plan.set(`${gi}|${t}`, { name: 'collapse', button: null, factor: r.uniform(0.05, 0.35) });
        continue;
      }
      for (const b of g.buttons) {
        const e = expectedOn(g, b, t, weekday);
        const taps = e.delivered * e.ctr;
        const name = (['drop', 'spike', 'zero'] as const).find((n) => taps >= events[n].minExpected && r.chance(events[n].rate));
        if (!name || (name === 'spike' && e.ctr * 3.5 > 0.95)) continue;
        const factor = name === 'drop' ? r.uniform(0.1, 0.5) : name === 'spike' ? r.uniform(2, 3.5) : 0;
        const length = name !== 'spike' && r.chance(0.2) && t + 1 < dates.length ? 2 : 1;
        for (let k = 0; k < length; k++) plan.set(`${gi}|${t + k}`, { name, button: b.id, factor });
        break;
      }
    }
  });
  return plan;
}

/**
 * A labelled `daily_ctr` history, the same for the same options: campaigns with 2–3 reply
 * buttons or 5–8 list rows, high, mid and low (15–90 a day) volume tiers, weekly seasonality of
 * volume and CTR, binomial taps with extra day-to-day noise, repeat taps, slow CTR drift on about
 * a third of templates, and injected drops (CTR × 0.1–0.5), spikes (× 2–3.5), zero-tap days and
 * delivery collapses (volume × 0.05–0.35).
 */
export function generateSyntheticHistory(options: Partial<SyntheticOptions> = {}): SyntheticHistory {
  const o = { ...defaultSyntheticOptions, ...options };
  const r = createRandom(o.seed);
  const groups = Array.from({ length: o.campaigns }, (_, c) => Array.from({ length: r.int(1, 2) }, (_, t) => makeGroup(r, c, t))).flat();
  const dates = Array.from({ length: o.days }, (_, t) => addDays(o.startDate, t));
  const plan = planEvents(r, groups, dates, o.warmupDays);
  const rows: DatedDailyCtrRow[] = [];
  const labels: SyntheticLabel[] = [];

  dates.forEach((dt, t) => {
    const weekday = weekdayOf(dt);
    groups.forEach((g, gi) => {
      if (g.weekdayOnly && (weekday === 0 || weekday === 6)) return;
      const event = plan.get(`${gi}|${t}`);
      const label = (button: string | null, metric: AnomalyMetric, kind: AnomalyKind): void => {
        labels.push({ dt, campaign_id: g.campaignId, template_name: g.templateName, button_id: button, metric, kind });
      };
      let sent = r.poisson(g.sent * g.volumeByWeekday[weekday]! * Math.exp(r.normal(0, g.volumeNoiseSd)));
      let deliveryRate = g.deliveryRate;
      if (event?.name === 'collapse') {
        // Half are sends that stopped, half are deliveries that failed.
        if (r.chance(0.5)) sent = Math.round(sent * event.factor);
        else deliveryRate *= event.factor;
        label(null, 'messages_delivered', 'drop');
      }
      const delivered = r.binomial(sent, deliveryRate);
      for (const b of g.buttons) {
        let ctr = clampRate(expectedOn(g, b, t, weekday).ctr * Math.exp(r.normal(0, b.noiseSd)));
        const hit = event && event.button === b.id ? event : undefined;
        if (hit) {
          ctr = clampRate(ctr * hit.factor);
          label(b.id, hit.name === 'zero' ? 'clicks' : 'ctr', hit.name as AnomalyKind);
        }
        const clicked = r.binomial(delivered, ctr);
        const read = clicked + r.binomial(delivered - clicked, g.readRate);
        const clicks = clicked + r.poisson(clicked * b.repeatRate);
        rows.push({
          dt,
          campaign_id: g.campaignId,
          template_name: g.templateName,
          button_id: b.id,
          button_title: `Option ${b.position}`,
          button_position: b.position,
          messages_sent: sent,
          messages_delivered: delivered,
          messages_read: read,
          clicks,
          clicked_messages: clicked,
          unique_users: clicked - r.binomial(clicked, 0.03),
          ctr: delivered > 0 ? clicked / delivered : null,
          read_ctr: read > 0 ? clicked / read : null,
          median_seconds_to_click: clicked > 0 ? Math.round(Math.exp(r.normal(Math.log(90), 0.3))) : null,
        });
      }
    });
  });
  return { rows, labels, evaluationDates: dates.slice(o.warmupDays) };
}
