import type { DailyCtrRow } from '../schema/types';
import { addDays } from '../time';
import { timeOfDay, type TodayClock } from '../today/read';
import { formatCount, formatPercent, percentValue, seriesStyle } from './format';
import type { ChartSpec, TableColumn } from './spec';

/**
 * The dashboard's "today so far" panel: today's cohort (messages sent today in the reporting
 * time zone) per button, from the raw rows (shared/today/read.ts), shown when the report is built
 * during the day it describes.
 */

/** Today's rows and the clock they were read at. */
export interface TodaySoFar {
  readonly clock: TodayClock;
  readonly rows: readonly DailyCtrRow[];
}

const col = (label: string, numeric = true): TableColumn => ({ label, numeric });

/** CTR so far per button of today's messages, with sends, deliveries, taps and conversions in the table. */
export function todayChart(today: TodaySoFar): ChartSpec {
  const { clock, rows } = today;
  const title = (r: DailyCtrRow) => r.button_title ?? r.button_id ?? '(no button)';
  return {
    id: 'today',
    title: `Today so far: ${clock.date}`,
    description:
      `Messages sent today (${clock.date}, ${clock.timeZone}) as of ${timeOfDay(clock)}: tapped ÷ delivered so far per button, counted from the raw rows as they arrive (each fact once). ` +
      "Running numbers: taps and deliveries keep coming, and tomorrow's daily run makes them final.",
    type: 'bar',
    stacked: false,
    wide: true,
    xTitle: 'Campaign · button',
    yTitle: 'CTR so far (%)',
    yUnit: 'percent',
    labels: rows.map((r) => `${r.campaign_id} · ${title(r)}`),
    datasets: [{ label: 'CTR so far', data: rows.map((r) => percentValue(r.ctr)), color: seriesStyle(0).color, dash: [], role: 'series' }],
    table: {
      columns: [col('Campaign', false), col('Template', false), col('Button', false), col('Sent (messages)'), col('Delivered (messages)'), col('Tapped (messages)'), col('Taps'), col('CTR so far (%)'), col('Conversions so far')],
      rows: rows.map((r) => [
        r.campaign_id,
        r.template_name ?? '–',
        title(r),
        formatCount(r.messages_sent),
        formatCount(r.messages_delivered),
        formatCount(r.clicked_messages),
        formatCount(r.clicks),
        formatPercent(r.ctr),
        formatCount(r.conversions),
      ]),
    },
    emptyMessage: rows.length === 0 ? `Nothing yet today: no message sent on ${clock.date} has arrived.` : null,
  };
}

/**
 * Whether the page gets the panel: when something of today has arrived, or when the report's
 * newest day is today or yesterday (a live pipeline on a quiet morning: the panel says nothing
 * has arrived yet). A report of an earlier period (the demo's history, a past range) has none.
 */
export function showsToday(today: TodaySoFar, newestDate: string | null): boolean {
  return today.rows.length > 0 || (newestDate !== null && newestDate >= addDays(today.clock.date, -1));
}
