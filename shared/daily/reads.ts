import type { PriorAnomaly } from '../anomaly/incidents';
import type { DetectorInputRow } from '../anomaly/types';
import type { QueryEngine, QueryRow } from '../ports/query-engine';
import { anomalyColumns } from '../schema/columns';
import type { AnomalyRow } from '../schema/types';
import type { HeadlineInputRow } from '../slack/digest';
import { num, schemaRow, str, strOrNull } from '../sql/decode';
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
  campaign_id: str(r, 'campaign_id'),
  template_name: strOrNull(r, 'template_name'),
  button_id: strOrNull(r, 'button_id'),
  messages_delivered: num(r, 'messages_delivered'),
  clicked_messages: num(r, 'clicked_messages'),
  clicks: num(r, 'clicks'),
});

const priorRow = (r: QueryRow): PriorAnomaly => ({
  dt: str(r, 'dt'),
  campaign_id: str(r, 'campaign_id'),
  template_name: strOrNull(r, 'template_name'),
  button_id: strOrNull(r, 'button_id'),
  metric: str(r, 'metric'),
  kind: str(r, 'kind'),
  incident_start: strOrNull(r, 'incident_start'),
});

const headlineRow = (r: QueryRow): HeadlineInputRow => ({
  campaign_id: str(r, 'campaign_id'),
  template_name: strOrNull(r, 'template_name'),
  messages_delivered: num(r, 'messages_delivered'),
  clicked_messages: num(r, 'clicked_messages'),
  clicks: num(r, 'clicks'),
});

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
