import type { PriorAnomaly } from '../anomaly/incidents';
import type { DetectorInputRow } from '../anomaly/types';
import type { QueryEngine, QueryRow } from '../ports/query-engine';
import type { DailyExperimentCount } from '../experiments/types';
import type { ExperimentNewsRow } from '../slack/experiment-news';
import { anomalyColumns, dailyCtrColumns, dailyExperimentColumns, experimentColumns } from '../schema/columns';
import type { AnomalyRow } from '../schema/types';
import type { ConversionInputRow, HeadlineInputRow } from '../slack/digest';
import { num, numOrNull, schemaColumns, schemaRow, str, strOrNull } from '../sql/decode';
import type { DialectName } from '../sql/dialect';
import { runQuery } from '../sql/run-query';
import type { DailyWindows } from './statements';
import { attributionWindowMs, creditSpanStart } from './window';

/**
 * What the daily workflow's anomaly and digest steps read back from the tables it wrote, as typed
 * rows: one query file under shared/sql/queries/daily/ and one decoder each.
 */

/** Where the reads run: the engine and its dialect. */
export interface ReadTarget {
  readonly engine: QueryEngine;
  readonly dialect: DialectName;
}

const historyRow = (r: QueryRow): DetectorInputRow => ({
  dt: str(r, 'dt'),
  ...schemaColumns(dailyCtrColumns, ['campaign_id', 'template_name', 'button_id', 'messages_delivered', 'clicked_messages', 'clicks'], r),
});

const priorRow = (r: QueryRow): PriorAnomaly => ({
  dt: str(r, 'dt'),
  ...schemaColumns(anomalyColumns, ['campaign_id', 'template_name', 'button_id', 'metric', 'kind', 'incident_start'], r),
});

const headlineRow = (r: QueryRow): HeadlineInputRow => schemaColumns(dailyCtrColumns, ['campaign_id', 'template_name', 'messages_delivered', 'clicked_messages', 'clicks'], r);

/** The daily_ctr series of `from` … `to` (inclusive), the detector's history. */
export function readCtrHistory(target: ReadTarget, from: string, to: string): Promise<DetectorInputRow[]> {
  return runQuery(target.engine, { name: 'daily/ctr-history', params: { from_dt: from, to_dt: to }, dialect: target.dialect }, historyRow);
}

/** The anomalies written for `from` … the day before `before`. */
export function readPriorAnomalies(target: ReadTarget, from: string, before: string): Promise<PriorAnomaly[]> {
  return runQuery(target.engine, { name: 'daily/prior-anomalies', params: { from_dt: from, before_dt: before }, dialect: target.dialect }, priorRow);
}

const conversionRow = (r: QueryRow): ConversionInputRow => ({ campaign_id: str(r, 'campaign_id'), currency: strOrNull(r, 'currency'), conversions: num(r, 'conversions'), revenue: numOrNull(r, 'revenue') });

/**
 * Parameters of daily/digest-conversions.sql for the conversions of `date`: events from the
 * earliest tap one of them can credit (attribution + 1 day before) and that tap's message
 * (lookback + 1 before it).
 */
export function digestConversionParams(date: string, windows: DailyWindows) {
  return { ...creditParams(date, windows), dt: date };
}

/** The parameters include/conversion-events.sql and include/attribution.sql share, for the conversions dated `from` on. */
function creditParams(from: string, windows: DailyWindows) {
  return {
    from_dt: creditSpanStart(from, windows.lookbackDays, windows.attributionDays),
    conv_from_dt: from,
    lookback_days: windows.lookbackDays,
    window_ms: attributionWindowMs(windows.attributionDays),
  };
}

/**
 * Cohort dates of every tap that could hold the credit of a conversion dated `from` … `date`
 * (daily/attribution-cohorts.sql), ascending.
 */
export function readAttributionCohorts(target: ReadTarget, date: string, from: string, windows: DailyWindows): Promise<string[]> {
  const params = { ...creditParams(from, windows), dt: date };
  return runQuery(target.engine, { name: 'daily/attribution-cohorts', params, dialect: target.dialect }, (r) => str(r, 'cohort_date'));
}

/** What the digest of `date` shows: its anomalies, the cohort's daily_ctr rows, the day's conversions per campaign, the quarantined rows. */
export async function readDigestInput(
  target: ReadTarget,
  date: string,
  windows: DailyWindows,
): Promise<{ anomalies: AnomalyRow[]; headlineRows: HeadlineInputRow[]; conversionRows: ConversionInputRow[]; quarantined: number }> {
  const call = (name: 'daily/digest-anomalies' | 'daily/digest-headlines' | 'daily/digest-quarantined') => ({ name, params: { dt: date }, dialect: target.dialect });
  const anomalies = await runQuery(target.engine, call('daily/digest-anomalies'), (r) => schemaRow(anomalyColumns, r));
  const headlineRows = await runQuery(target.engine, call('daily/digest-headlines'), headlineRow);
  const [count] = await runQuery(target.engine, call('daily/digest-quarantined'), (r) => num(r, 'n'));
  const conversionRows = await runQuery(target.engine, { name: 'daily/digest-conversions', params: digestConversionParams(date, windows), dialect: target.dialect }, conversionRow);
  return { anomalies, headlineRows, conversionRows, quarantined: count ?? 0 };
}

const experimentCountRow = (r: QueryRow): DailyExperimentCount => ({
  dt: str(r, 'dt'),
  ...schemaColumns(dailyExperimentColumns, ['experiment_id', 'variant', 'metric', 'exposures', 'successes', 'declared_split'], r),
});

/**
 * The daily_experiments rows up to `date` of every experiment with a delivered message in
 * `activeFrom` … `date`: the whole life of each (the method sums from the first send).
 */
export function readExperimentHistory(target: ReadTarget, date: string, activeFrom: string): Promise<DailyExperimentCount[]> {
  return runQuery(target.engine, { name: 'daily/experiment-history', params: { to_dt: date, active_from_dt: activeFrom }, dialect: target.dialect }, experimentCountRow);
}

const newsRow = (r: QueryRow): ExperimentNewsRow => ({
  dt: str(r, 'dt'),
  ...schemaColumns(
    experimentColumns,
    ['experiment_id', 'variant', 'metric', 'exposures', 'control_variant', 'lift', 'lift_lower', 'lift_upper', 'p_value', 'decision', 'srm_p_value', 'days_running'],
    r,
  ),
});

/** The experiments rows of `date` and of `previous`, what the digest compares. */
export function readDigestExperiments(target: ReadTarget, date: string, previous: string): Promise<ExperimentNewsRow[]> {
  return runQuery(target.engine, { name: 'daily/digest-experiments', params: { dt: date, previous_dt: previous }, dialect: target.dialect }, newsRow);
}
