import { dateRange } from '../time';
import { formatCount, formatDuration, formatPercent, percentValue, ratio, seriesStyle } from './format';
import type { ChartSpec, DatasetSpec, TableColumn } from './spec';
import type { FunnelRow, PositionRow, QuarantineRow, TimeToTapRow, VolumeRow } from './queries';

/** The dashboard's charts other than CTR over time (see ctr-chart.ts): rows in, ChartSpec out. */

/** Every date from the smallest to the largest of `dates` (so missing days show as gaps), or []. */
export function continuousDates(dates: readonly string[]): string[] {
  const known = dates.filter((d) => d !== '').sort();
  if (known.length === 0) return [];
  return dateRange(known[0]!, known[known.length - 1]!);
}

function dataset(label: string, data: readonly (number | null)[], index: number): DatasetSpec {
  const { color } = seriesStyle(index);
  // Bars and the few fixed series read better solid; dashes are for the many-series CTR chart.
  return { label, data, color, dash: [], role: 'series' };
}

const col = (label: string, numeric = true): TableColumn => ({ label, numeric });

/** CTR by the button's 1-based position in the message. */
export function ctrByPositionChart(rows: readonly PositionRow[]): ChartSpec {
  return {
    id: 'ctr-by-position',
    title: 'CTR by button position',
    description: 'Tapped messages ÷ delivered messages that showed a button at that position, over all cohorts. Buttons with no registry entry have no known position and are left out.',
    type: 'bar',
    stacked: false,
    xTitle: 'Button position (1 = first)',
    yTitle: 'CTR (%)',
    yUnit: 'percent',
    labels: rows.map((r) => `Position ${r.button_position}`),
    datasets: [dataset('CTR', rows.map((r) => percentValue(r.ctr)), 0)],
    table: {
      columns: [col('Position', false), col('Delivered (messages)'), col('Tapped (messages)'), col('Taps'), col('CTR (%)')],
      rows: rows.map((r) => [String(r.button_position), formatCount(r.messages_delivered), formatCount(r.clicked_messages), formatCount(r.clicks), formatPercent(r.ctr)]),
    },
    emptyMessage: rows.length === 0 ? 'No button positions known: positions come from the send registry (POST /sends).' : null,
  };
}

/** Sent → delivered → read → tapped → converted messages per campaign. */
export function funnelChart(rows: readonly FunnelRow[]): ChartSpec {
  return {
    id: 'funnel',
    title: 'Sent → delivered → read → tapped → converted, per campaign',
    description:
      'Distinct outbound messages at each stage, over every curated event (read implies delivered); a message tapped on several buttons counts once. Converted: tapped messages with a conversion credited to the tap (from daily_ctr, once per button it converted through); – where no cohort was counted with conversions.',
    type: 'bar',
    stacked: false,
    xTitle: 'Campaign',
    yTitle: 'Messages',
    yUnit: 'count',
    labels: rows.map((r) => r.campaign_id),
    datasets: [
      dataset('Sent', rows.map((r) => r.messages_sent), 5),
      dataset('Delivered', rows.map((r) => r.messages_delivered), 0),
      dataset('Read', rows.map((r) => r.messages_read), 4),
      dataset('Tapped', rows.map((r) => r.messages_tapped), 1),
      dataset('Converted', rows.map((r) => r.messages_converted), 2),
    ],
    table: {
      columns: [
        col('Campaign', false),
        col('Sent (messages)'),
        col('Delivered (messages)'),
        col('Read (messages)'),
        col('Tapped (messages)'),
        col('Converted (messages)'),
        col('Conversions'),
        col('Read ÷ delivered (%)'),
        col('Tapped ÷ delivered (%)'),
        col('Converted ÷ tapped (%)'),
      ],
      rows: rows.map((r) => [
        r.campaign_id,
        formatCount(r.messages_sent),
        formatCount(r.messages_delivered),
        formatCount(r.messages_read),
        formatCount(r.messages_tapped),
        formatCount(r.messages_converted),
        formatCount(r.conversions),
        formatPercent(ratio(r.messages_read, r.messages_delivered)),
        formatPercent(ratio(r.messages_tapped, r.messages_delivered)),
        formatPercent(r.messages_converted === null ? null : ratio(r.messages_converted, r.messages_tapped)),
      ]),
    },
    emptyMessage: rows.length === 0 ? 'No outbound messages in the curated events yet.' : null,
  };
}

/** Lower bounds (seconds) of the time-to-tap buckets; must match queries/time-to-tap.sql. */
export const timeToTapBuckets = [0, 60, 300, 900, 3600, 21_600, 86_400, 259_200] as const;

/** Label of the bucket starting at `lower` seconds ("5 min – 15 min"); -1 is the clock-skew bucket. */
export function bucketLabel(lower: number): string {
  if (lower < 0) return 'before delivery status';
  const i = timeToTapBuckets.indexOf(lower as (typeof timeToTapBuckets)[number]);
  const upper = i >= 0 ? timeToTapBuckets[i + 1] : undefined;
  if (upper === undefined) return `≥ ${formatDuration(lower)}`;
  return lower === 0 ? `< ${formatDuration(upper)}` : `${formatDuration(lower)} – ${formatDuration(upper)}`;
}

/** Taps per time-from-delivery bucket; every bucket is shown, empty ones as 0. */
export function timeToTapChart(rows: readonly TimeToTapRow[]): ChartSpec {
  const byLower = new Map(rows.map((r) => [r.lower_seconds, r.taps]));
  const lowers: number[] = [...(byLower.has(-1) ? [-1] : []), ...timeToTapBuckets];
  const total = rows.reduce((sum, r) => sum + r.taps, 0);
  const upperOf = (lower: number) => (lower < 0 ? 0 : timeToTapBuckets[timeToTapBuckets.indexOf(lower as (typeof timeToTapBuckets)[number]) + 1]);
  return {
    id: 'time-to-tap',
    title: 'Time from delivery to tap',
    description: 'Taps by the time between the first delivered (or read) status of the tapped message and the tap. Taps on messages with no delivery status are not counted.',
    type: 'bar',
    stacked: false,
    xTitle: 'Time from delivery to tap (s = seconds, min = minutes, h = hours, d = days)',
    yTitle: 'Taps',
    yUnit: 'count',
    labels: lowers.map(bucketLabel),
    datasets: [dataset('Taps', lowers.map((l) => byLower.get(l) ?? 0), 2)],
    table: {
      columns: [col('Time to tap', false), col('From (seconds)'), col('To (seconds)'), col('Taps'), col('Share of taps (%)')],
      rows: lowers.map((l) => {
        const upper = upperOf(l);
        return [bucketLabel(l), l < 0 ? '–' : formatCount(l), upper === undefined ? '–' : formatCount(upper), formatCount(byLower.get(l) ?? 0), formatPercent(ratio(byLower.get(l) ?? 0, total))];
      }),
    },
    emptyMessage: total === 0 ? 'No taps on delivered messages yet.' : null,
  };
}

/** Messages sent and delivered and taps per event date. */
export function volumeChart(rows: readonly VolumeRow[]): ChartSpec {
  const labels = continuousDates(rows.map((r) => r.day));
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const series = (pick: (r: VolumeRow) => number) => labels.map((d) => (byDay.has(d) ? pick(byDay.get(d)!) : 0));
  return {
    id: 'daily-volume',
    title: 'Daily volume',
    description: 'Outbound messages sent (registry send or sent status) and delivered, and taps, on the day each event happened.',
    type: 'line',
    stacked: false,
    xTitle: 'Event date',
    yTitle: 'Messages per day',
    yUnit: 'count',
    labels,
    datasets: [dataset('Sent', series((r) => r.messages_sent), 0), dataset('Delivered', series((r) => r.messages_delivered), 4), dataset('Taps', series((r) => r.taps), 1)],
    table: {
      columns: [col('Event date', false), col('Sent (messages)'), col('Delivered (messages)'), col('Taps')],
      rows: rows.map((r) => [r.day, formatCount(r.messages_sent), formatCount(r.messages_delivered), formatCount(r.taps)]),
    },
    emptyMessage: rows.length === 0 ? 'No curated events yet.' : null,
  };
}

/** Quarantined rows per arrival day, stacked by reason code. */
export function quarantineChart(rows: readonly QuarantineRow[]): ChartSpec {
  const labels = continuousDates(rows.map((r) => r.arrival_date));
  const reasons = [...new Set(rows.map((r) => r.reason))].sort();
  const datasets = reasons.map((reason, i) => {
    const byDay = new Map(rows.filter((r) => r.reason === reason).map((r) => [r.arrival_date, r.quarantined_rows]));
    return dataset(reason, labels.map((d) => byDay.get(d) ?? 0), i);
  });
  return {
    id: 'quarantine',
    title: 'Quarantined rows by reason',
    description: 'Webhook bodies that failed verification or parsing, by the day they arrived. Each is kept with its body and can be requeued.',
    type: 'bar',
    stacked: true,
    xTitle: 'Arrival date',
    yTitle: 'Quarantined rows',
    yUnit: 'count',
    labels,
    datasets,
    table: {
      columns: [col('Arrival date', false), col('Reason', false), col('Rows')],
      rows: rows.map((r) => [r.arrival_date, r.reason, formatCount(r.quarantined_rows)]),
    },
    emptyMessage: rows.length === 0 ? 'Nothing quarantined: every webhook verified and parsed.' : null,
  };
}
