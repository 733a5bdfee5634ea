import type { DatedDailyCtrRow } from '../anomaly/types';
import { creditConversions, type Credit } from './truth-conversions';
import type { Simulation } from './types';
import { countedOn, countedTaps, median, visibleFacts, type PlacedTap, type Seen, type TruthOptions } from './visible';

/**
 * The `daily_ctr` rows the simulation's facts imply (SPEC section 3), computed straight from the
 * facts in plain TypeScript, without the SQL or the transform: the demo's ground truth.
 *
 * What the pipeline can know is part of the contract, so two cuts apply. A fact is seen only
 * when a copy of it arrived in an arrival partition the curated step reads for its event date
 * (D − 1 … D + lookback + 1). A cohort's statuses and taps count up to lookback days after the
 * cohort date, and never after `asOf`: the last target date the daily workflow ran for. With
 * `asOf` = a target date T, the rows are those the workflow had written when run T finished,
 * which is what the anomaly step of T saw.
 *
 * Conversion columns follow truth-conversions.ts: the conversions credited to taps on the row's
 * button, the distinct messages those taps were on, and that count over the tapped messages.
 *
 * The CTR rules (cohort assignment, read implies delivered, campaign attribution) are written
 * here a second time on purpose: this is the oracle the SQL is checked against, so it must not
 * share code or text with shared/sql/queries/include/messages.sql, their one production home.
 */


interface ButtonAcc {
  title: string | null;
  position: number | null;
  readonly taps: PlacedTap[];
}

interface Group {
  readonly dt: string;
  readonly campaign: string;
  readonly template: string | null;
  readonly messages: Seen[];
  readonly buttons: Map<string, ButtonAcc>;
}

/** daily_ctr rows of every cohort up to `asOf`, sorted by dt, campaign, template, button. */
export function truthDailyCtr(sim: Simulation, options: TruthOptions): DatedDailyCtrRow[] {
  const lookback = options.lookbackDays;
  const visible = visibleFacts(sim, lookback, options.timeZone ?? 'UTC');
  const { messages, known } = visible;
  const counted = countedOn(options);

  const groups = new Map<string, Group>();
  const groupOf = (dt: string, campaign: string, template: string | null): Group => {
    const key = JSON.stringify([dt, campaign, template]);
    let g = groups.get(key);
    if (!g) {
      g = { dt, campaign, template, messages: [], buttons: new Map() };
      groups.set(key, g);
    }
    return g;
  };
  for (const m of messages) {
    if (m.cohort > options.asOf) continue;
    const g = groupOf(m.cohort, m.campaign, m.template);
    g.messages.push(m);
    m.buttons?.forEach((b, i) => {
      if (!g.buttons.has(b.id)) g.buttons.set(b.id, { title: b.title, position: i + 1, taps: [] });
    });
  }
  const placed = countedTaps(visible, options);
  for (const t of placed) {
    const g = groupOf(t.cohort, t.campaign, t.template);
    const title = t.tap.title;
    let b = g.buttons.get(t.tap.buttonId!);
    if (!b) {
      b = { title, position: null, taps: [] };
      g.buttons.set(t.tap.buttonId!, b);
    } else if (b.position === null && title !== null && (b.title === null || title < b.title)) b.title = title;
    b.taps.push(t);
  }

  // Read implies delivered; the delivery time is the first delivered-or-read status counted.
  const flags = new Map<Seen, { deliveredTs: number | undefined; read: boolean }>();
  const flagsOf = (m: Seen) => {
    let f = flags.get(m);
    if (f === undefined) {
      let deliveredTs: number | undefined;
      let read = false;
      for (const s of m.statuses) {
        if ((s.status !== 'delivered' && s.status !== 'read') || !counted(s.date, m.cohort)) continue;
        if (deliveredTs === undefined || s.ts < deliveredTs) deliveredTs = s.ts;
        if (s.status === 'read') read = true;
      }
      f = { deliveredTs, read };
      flags.set(m, f);
    }
    return f;
  };

  // Credited conversions by the tapped button's row.
  const credited = new Map<string, Credit[]>();
  const rowKey = (dt: string, campaign: string, template: string | null, button: string | null) => JSON.stringify([dt, campaign, template, button]);
  for (const credit of creditConversions(sim, options).credits) {
    if (credit.tap === null) continue;
    const k = rowKey(credit.tap.cohort, credit.tap.campaign, credit.tap.template, credit.tap.tap.buttonId);
    const list = credited.get(k) ?? [];
    if (list.length === 0) credited.set(k, list);
    list.push(credit);
  }

  const rows: DatedDailyCtrRow[] = [];
  for (const g of groups.values()) {
    const sent = g.messages.length;
    const delivered = g.messages.filter((m) => flagsOf(m).deliveredTs !== undefined).length;
    const read = g.messages.filter((m) => flagsOf(m).read).length;
    for (const [buttonId, b] of g.buttons) {
      const clickedMessages = new Set(b.taps.map((t) => t.tap.context)).size;
      const seconds = b.taps.flatMap((t) => {
        const m = known.get(t.tap.context);
        const d = m === undefined ? undefined : flagsOf(m).deliveredTs;
        return d === undefined ? [] : [(t.tap.ts - d) / 1000];
      });
      const conversions = credited.get(rowKey(g.dt, g.campaign, g.template, buttonId)) ?? [];
      const convertedMessages = new Set(conversions.map((k) => k.tap!.tap.context)).size;
      rows.push({
        dt: g.dt,
        campaign_id: g.campaign,
        template_name: g.template,
        button_id: buttonId,
        button_title: b.title,
        button_position: b.position,
        messages_sent: sent,
        messages_delivered: delivered,
        messages_read: read,
        clicks: new Set(b.taps.map((t) => t.tap.id)).size,
        clicked_messages: clickedMessages,
        unique_users: new Set(b.taps.map((t) => t.tap.user)).size,
        ctr: delivered === 0 ? null : clickedMessages / delivered,
        read_ctr: read === 0 ? null : clickedMessages / read,
        median_seconds_to_click: median(seconds),
        conversions: conversions.length,
        converted_messages: convertedMessages,
        conversion_rate: clickedMessages === 0 ? null : convertedMessages / clickedMessages,
      });
    }
  }
  const key = (r: DatedDailyCtrRow) => JSON.stringify([r.dt, r.campaign_id, r.template_name ?? '', r.button_id]);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
