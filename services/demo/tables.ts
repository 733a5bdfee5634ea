import type { QueryRow } from '../../shared/ports/query-engine';

/**
 * Plain-text tables for the demo's output: the CTR of every button over the whole history, and
 * the alerts the daily workflow raised. Pure formatting, aligned for a terminal.
 */

/** Columns padded to their widest cell; numbers right-aligned. */
export function alignedTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header.map(String), ...rows.map((r) => r.map(String))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** SQL for the per-button totals over every cohort (daily rows summed, CTR from the sums). */
export const ctrSummarySql = `SELECT campaign_id, template_name, button_id, MIN(button_title) AS button_title, MIN(button_position) AS button_position,
  SUM(messages_delivered) AS delivered, SUM(clicked_messages) AS clicked, SUM(clicks) AS clicks, MIN(dt) AS first_dt, MAX(dt) AS last_dt
FROM daily_ctr GROUP BY campaign_id, template_name, button_id
ORDER BY campaign_id, template_name NULLS FIRST, button_position NULLS LAST, button_id`;

/** The CTR table: one line per button, CTR = tapped messages / delivered over the whole period. */
export function ctrTable(rows: readonly QueryRow[]): string {
  return alignedTable(
    ['campaign', 'template', 'pos', 'button', 'delivered', 'tapped', 'taps', 'ctr'],
    rows.map((r) => [
      String(r.campaign_id),
      String(r.template_name ?? '-'),
      r.button_position === null ? '-' : num(r.button_position),
      `${String(r.button_id)} (${String(r.button_title ?? '')})`,
      num(r.delivered),
      num(r.clicked),
      num(r.clicks),
      pct(num(r.clicked), num(r.delivered)),
    ]),
  );
}

const short = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v < 1 ? `${(100 * v).toFixed(1)}%` : v.toFixed(1)) : String(v ?? '-'));

/** The alerts table: date, series, what moved and by how much. */
export function alertTable(rows: readonly QueryRow[]): string {
  if (rows.length === 0) return '(no alerts)';
  return alignedTable(
    ['date', 'campaign', 'template', 'button', 'metric', 'kind', 'observed', 'expected', 'score'],
    rows.map((r) => [
      String(r.dt),
      String(r.campaign_id),
      String(r.template_name ?? '-'),
      String(r.button_id ?? '(all)'),
      String(r.metric),
      String(r.kind),
      short(r.observed),
      short(r.expected),
      num(r.score),
    ]),
  );
}
