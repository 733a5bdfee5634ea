import type { DatedAnomalyRow } from '../shared/anomaly/types';
import type { QueryRow } from '../shared/ports/query-engine';
import { num, numOrNull, str, strOrNull } from '../shared/sql/decode';
import { textTable } from '../shared/text/table';

/**
 * Plain-text tables for the demo's output: the CTR and conversions of every button over the whole
 * history (shared/sql/queries/demo/ctr-summary.sql), conversions and revenue per campaign and
 * currency (demo/revenue-summary.sql), and the alerts the daily workflow raised (demo/alerts.sql). Typed rows in, text aligned for a terminal out (shared/text/table.ts).
 */

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

/** One button's totals over every cohort. */
export interface CtrSummaryRow {
  readonly campaign_id: string;
  readonly template_name: string | null;
  readonly button_id: string | null;
  readonly button_title: string | null;
  readonly button_position: number | null;
  readonly delivered: number;
  readonly clicked: number;
  readonly clicks: number;
  /** Null when no cohort of the button was counted with conversions. */
  readonly conversions: number | null;
}

/** Decodes a row of demo/ctr-summary.sql. */
export const ctrSummaryRow = (r: QueryRow): CtrSummaryRow => ({
  campaign_id: str(r, 'campaign_id'),
  template_name: strOrNull(r, 'template_name'),
  button_id: strOrNull(r, 'button_id'),
  button_title: strOrNull(r, 'button_title'),
  button_position: numOrNull(r, 'button_position'),
  delivered: num(r, 'delivered'),
  clicked: num(r, 'clicked'),
  clicks: num(r, 'clicks'),
  conversions: numOrNull(r, 'conversions'),
});

/** The CTR table: one line per button, CTR = tapped messages / delivered over the whole period. */
export function ctrTable(rows: readonly CtrSummaryRow[]): string {
  return textTable(
    ['campaign', 'template', 'pos', 'button', 'delivered', 'tapped', 'taps', 'ctr', 'conversions'],
    rows.map((r) => [
      r.campaign_id,
      r.template_name ?? '-',
      r.button_position ?? '-',
      `${String(r.button_id)} (${r.button_title ?? ''})`,
      r.delivered,
      r.clicked,
      r.clicks,
      pct(r.clicked, r.delivered),
      r.conversions,
    ]),
    { nullText: '-' },
  );
}

/** One campaign's conversions in one currency over every cohort. */
export interface RevenueSummaryRow {
  readonly campaign_id: string;
  readonly currency: string | null;
  readonly conversions: number;
  readonly revenue: number | null;
}

/** Decodes a row of demo/revenue-summary.sql. */
export const revenueSummaryRow = (r: QueryRow): RevenueSummaryRow => ({
  campaign_id: str(r, 'campaign_id'),
  currency: strOrNull(r, 'currency'),
  conversions: num(r, 'conversions'),
  revenue: numOrNull(r, 'revenue'),
});

/** The revenue table: conversions and revenue per campaign and currency (amounts to the cent). */
export function revenueTable(rows: readonly RevenueSummaryRow[]): string {
  if (rows.length === 0) return '(no conversions)';
  return textTable(
    ['campaign', 'currency', 'conversions', 'revenue'],
    rows.map((r) => [r.campaign_id, r.currency ?? '(no value)', r.conversions, r.revenue === null ? null : r.revenue.toFixed(2)]),
    { nullText: '-' },
  );
}

const short = (v: number | null): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v < 1 ? `${(100 * v).toFixed(1)}%` : v.toFixed(1));

/** The alerts table: date, series, what moved and by how much. */
export function alertTable(rows: readonly DatedAnomalyRow[]): string {
  if (rows.length === 0) return '(no alerts)';
  return textTable(
    ['date', 'campaign', 'template', 'button', 'metric', 'kind', 'observed', 'expected', 'score'],
    rows.map((r) => [r.dt, r.campaign_id, r.template_name ?? '-', r.button_id ?? '(all)', r.metric, r.kind, short(r.observed), short(r.expected), r.score ?? 0]),
  );
}
