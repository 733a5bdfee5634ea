import { readAttributionDays } from '../../../shared/config/attribution';
import { readTimeZone, type Env } from '../../../shared/config/local';
import type { DailyCtrRow } from '../../../shared/schema/types';
import { textTable } from '../../../shared/text/table';
import { assertTimeZone } from '../../../shared/time';
import { readTodayRows, timeOfDay, todayIn, type TodayClock, type TodayWindows } from '../../../shared/today/read';
import { withReadTarget, type ReadTarget, type ReadTargetFlags } from '../../ops/read-engine';
import { requireOutput } from '../../ops/stage';

/**
 * `today [--data-dir D | --stage S]`: the running numbers of today's cohort (messages sent today
 * in the reporting time zone) per campaign, template and button, read from the raw rows by the
 * same query on either engine (shared/sql/queries/today/by-button.sql).
 */

export type TodayFlags = ReadTargetFlags;

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

/** The table of today's rows: one line per button; sent and delivered are its template's messages. */
export function todayTable(rows: readonly DailyCtrRow[]): string {
  return textTable(
    ['campaign', 'template', 'button', 'sent', 'delivered', 'tapped', 'taps', 'ctr', 'conversions'],
    rows.map((r) => [
      r.campaign_id,
      r.template_name ?? '-',
      r.button_title === null || r.button_title === r.button_id ? String(r.button_id) : `${String(r.button_id)} (${r.button_title})`,
      r.messages_sent,
      r.messages_delivered,
      r.clicked_messages,
      r.clicks,
      pct(r.clicked_messages, r.messages_delivered),
      r.conversions,
    ]),
    { nullText: '-' },
  );
}

/** The heading line and the table (or why there is none yet). */
export function todayText(clock: TodayClock, rows: readonly DailyCtrRow[]): string {
  const heading = `Today so far: ${clock.date} (${clock.timeZone}), as of ${timeOfDay(clock)}; messages sent today, from the raw rows (each fact once); the daily run makes it final`;
  if (rows.length === 0) return `${heading}\n(nothing yet today: no message sent or tapped on ${clock.date} has arrived)\n`;
  return `${heading}\n${todayTable(rows)}\n`;
}

/** What "today" is and the windows, for the target: the stage's time zone, or WA_TIMEZONE locally. */
function settingsOf(target: ReadTarget, env: Env, now: number): { clock: TodayClock; windows: TodayWindows } {
  if (target.stage !== null) return { clock: todayIn(assertTimeZone(requireOutput(target.stage, 'TimeZone')), now), windows: {} };
  return { clock: todayIn(readTimeZone(env), now), windows: { attributionDays: readAttributionDays(env, 'WA_ATTRIBUTION_DAYS') } };
}

/** Prints today's numbers; `now` is the clock (tests pin it). */
export async function printToday(
  flags: TodayFlags,
  out: (text: string) => void,
  env: Env = process.env,
  note: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  now: number = Date.now(),
): Promise<void> {
  const text = await withReadTarget(flags, env, note, async (target) => {
    const { clock, windows } = settingsOf(target, env, now);
    return todayText(clock, await readTodayRows(target.engine, target.dialect, clock.date, windows, target.database));
  });
  out(text);
}
