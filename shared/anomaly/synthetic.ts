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

/** One injected event day: what a correct detector reports for that date. */
export interface SyntheticLabel {
  readonly dt: string;
  readonly campaign_id: string;
  readonly template_name: string | null;
  /** null for a delivery collapse, which concerns the whole (campaign, template). */
  readonly button_id: string | null;
  readonly metric: AnomalyMetric;
  readonly kind: AnomalyKind;
  /** First day of the event this day belongs to (dt itself for a one-day event or an event's first day). */
  readonly incident_start: string;
}

export interface SyntheticHistory {
  readonly rows: DatedDailyCtrRow[];
  readonly labels: SyntheticLabel[];
  /** Dates after the warm-up, where the detector is evaluated. */
  readonly evaluationDates: string[];
}

/**
 * Event kinds with their daily probability of starting per eligible series and their longest run
 * in days: about half the events last one day, the others 2 to `maxDays` days of the series
 * (a broken button, a bad creative, a delivery outage, a promotion shared around). The
 * eligibility floors (expected tapped messages before noise) keep labels to events a reader
 * would call real.
 */
const events = {
  drop: { rate: 0.008, minExpected: 50, maxDays: 5 },
  spike: { rate: 0.006, minExpected: 50, maxDays: 4 },
  zero: { rate: 0.004, minExpected: 20, maxDays: 4 },
  collapse: { rate: 0.012, minExpected: 300, maxDays: 3 },
} as const;
/** Share of events that last a single day. */
const SINGLE_DAY_SHARE = 0.5;
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

/** One planned event day of a (campaign, template). */
interface PlannedDay {
  readonly name: EventName;
  /** null for a delivery collapse. */
  readonly button: string | null;
  readonly factor: number;
  /** A collapse: sends that stopped (true) or deliveries that failed (false). */
  readonly sendsStopped: boolean;
  /** Date of the event's first day. */
  readonly start: string;
}

/**
 * Plans at most one event per (campaign, template) and day expecting MIN_EVENT_VOLUME deliveries:
 * either a delivery collapse or one button's drop, spike or zero-tap run. An event lasts one day
 * or a run of 2 to `maxDays` consecutive sending days of the group (weekends skipped for a
 * weekday-only template), with the same factor every day; the run ends early at the first day
 * that is no longer eligible or already holds an event.
 */
function planEvents(r: Random, groups: readonly Group[], dates: readonly string[], warmup: number): Map<string, PlannedDay> {
  const plan = new Map<string, PlannedDay>();
  groups.forEach((g, gi) => {
    const sends = (t: number): boolean => !(g.weekdayOnly && [0, 6].includes(weekdayOf(dates[t]!)));
    const volumeOn = (t: number): number => g.sent * g.volumeByWeekday[weekdayOf(dates[t]!)]! * g.deliveryRate;
    const free = (t: number): boolean => sends(t) && !plan.has(`${gi}|${t}`) && volumeOn(t) >= MIN_EVENT_VOLUME;
    /** The event's days from t: its length, drawn here, cut short where `eligible` fails. */
    const run = (t: number, name: EventName, eligible: (u: number) => boolean): number[] => {
      const length = r.chance(SINGLE_DAY_SHARE) ? 1 : r.int(2, events[name].maxDays);
      const days: number[] = [];
      for (let u = t; u < dates.length && days.length < length; u++) {
        if (!sends(u)) continue;
        if (!free(u) || !eligible(u)) break;
        days.push(u);
      }
      return days;
    };
    for (let t = warmup; t < dates.length; t++) {
      if (!free(t)) continue;
      if (volumeOn(t) >= events.collapse.minExpected && r.chance(events.collapse.rate)) {
        const factor = r.uniform(0.05, 0.35);
        const sendsStopped = r.chance(0.5);
        for (const u of run(t, 'collapse', (v) => volumeOn(v) >= events.collapse.minExpected)) {
          plan.set(`${gi}|${u}`, { name: 'collapse', button: null, factor, sendsStopped, start: dates[t]! });
        }
        continue;
      }
      for (const b of g.buttons) {
        const tapsOn = (u: number): { taps: number; ctr: number } => {
          const e = expectedOn(g, b, u, weekdayOf(dates[u]!));
          return { taps: e.delivered * e.ctr, ctr: e.ctr };
        };
        // A spike must stay a possible CTR (at most 0.95 after × 3.5).
        const eligible = (n: EventName) => (u: number): boolean => tapsOn(u).taps >= events[n].minExpected && (n !== 'spike' || tapsOn(u).ctr * 3.5 <= 0.95);
        const name = (['drop', 'spike', 'zero'] as const).find((n) => eligible(n)(t) && r.chance(events[n].rate));
        if (!name) continue;
        const factor = name === 'drop' ? r.uniform(0.1, 0.5) : name === 'spike' ? r.uniform(2, 3.5) : 0;
        for (const u of run(t, name, eligible(name))) plan.set(`${gi}|${u}`, { name, button: b.id, factor, sendsStopped: false, start: dates[t]! });
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
 * delivery collapses (volume × 0.05–0.35), each lasting one day or a run of several (see `events`);
 * every day of a run is labelled, with the run's first day as `incident_start`.
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
      const label = (button: string | null, metric: AnomalyMetric, kind: AnomalyKind, start: string): void => {
        labels.push({ dt, campaign_id: g.campaignId, template_name: g.templateName, button_id: button, metric, kind, incident_start: start });
      };
      let sent = r.poisson(g.sent * g.volumeByWeekday[weekday]! * Math.exp(r.normal(0, g.volumeNoiseSd)));
      let deliveryRate = g.deliveryRate;
      if (event?.name === 'collapse') {
        if (event.sendsStopped) sent = Math.round(sent * event.factor);
        else deliveryRate *= event.factor;
        label(null, 'messages_delivered', 'drop', event.start);
      }
      const delivered = r.binomial(sent, deliveryRate);
      for (const b of g.buttons) {
        let ctr = clampRate(expectedOn(g, b, t, weekday).ctr * Math.exp(r.normal(0, b.noiseSd)));
        const hit = event && event.button === b.id ? event : undefined;
        if (hit) {
          ctr = clampRate(ctr * hit.factor);
          label(b.id, hit.name === 'zero' ? 'clicks' : 'ctr', hit.name as AnomalyKind, hit.start);
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
          // The anomaly series are CTR series; conversions are not simulated here.
          conversions: null,
          converted_messages: null,
          conversion_rate: null,
        });
      }
    });
  });
  return { rows, labels, evaluationDates: dates.slice(o.warmupDays) };
}
