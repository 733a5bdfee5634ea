import type { PriorAnomaly } from '../anomaly/incidents';
import type { DetectorInputRow } from '../anomaly/types';
import type { QueryEngine, QueryRow } from '../ports/query-engine';
import { anomalyColumns, dailyCtrColumns } from '../schema/columns';
import type { AnomalyRow } from '../schema/types';
import type { HeadlineInputRow } from '../slack/digest';
import { num, schemaColumns, schemaRow, str } from '../sql/decode';
import type { DialectName } from '../sql/dialect';
import { runQuery } from '../sql/run-query';

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

/** What the digest of `date` shows: its anomalies, the cohort's daily_ctr rows, the quarantined rows. */
export async function readDigestInput(target: ReadTarget, date: string): Promise<{ anomalies: AnomalyRow[]; headlineRows: HeadlineInputRow[]; quarantined: number }> {
  const call = (name: 'daily/digest-anomalies' | 'daily/digest-headlines' | 'daily/digest-quarantined') => ({ name, params: { dt: date }, dialect: target.dialect });
  const anomalies = await runQuery(target.engine, call('daily/digest-anomalies'), (r) => schemaRow(anomalyColumns, r));
  const headlineRows = await runQuery(target.engine, call('daily/digest-headlines'), headlineRow);
  const [count] = await runQuery(target.engine, call('daily/digest-quarantined'), (r) => num(r, 'n'));
  return { anomalies, headlineRows, quarantined: count ?? 0 };
}
