import type { FirehoseTransformationEvent, FirehoseTransformationResult, FirehoseTransformationResultRecord } from 'aws-lambda';
import { decodeRecordData } from '../../shared/envelope';
import { errorMessage } from '../../shared/errors';
import { processEnvelope, type TransformSettings } from '../../shared/normalize';

/** Lambda's synchronous response limit is 6 MB; keep a margin for the JSON around the records. */
export const RESPONSE_BUDGET_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** What one batch produced, for the summary log line and the metrics. */
export interface BatchStats {
  records: number;
  ok: number;
  failed: number;
  rows: number;
  rowsByKind: Record<string, number>;
  quarantinedByReason: Record<string, number>;
  /** Records failed only because the response would have passed Lambda's limit. */
  overBudget: number;
  /** Why records failed (the first few), for the summary log line. */
  failures: { recordId: string; reason: string }[];
}

/**
 * Transforms one Firehose batch: every record answered, `Ok` with its rows as newline-terminated
 * JSON, `ProcessingFailed` only for a record that is not an envelope at all (or that would push
 * the response past Lambda's 6 MB limit; Firehose then keeps it under the error prefix).
 */
export function transformBatch(event: FirehoseTransformationEvent, settings: TransformSettings): { result: FirehoseTransformationResult; stats: BatchStats } {
  const stats: BatchStats = { records: event.records.length, ok: 0, failed: 0, rows: 0, rowsByKind: {}, quarantinedByReason: {}, overBudget: 0, failures: [] };
  const out: FirehoseTransformationResultRecord[] = new Array(event.records.length);
  let budget = RESPONSE_BUDGET_BYTES;
  for (let i = 0; i < event.records.length; i++) {
    const record = event.records[i]!;
    let data: string;
    let kinds: string[];
    let reasons: string[];
    try {
      const envelope = decodeRecordData(record.data);
      const outcome = processEnvelope(envelope, settings);
      let text = '';
      kinds = new Array(outcome.rows.length);
      reasons = [];
      for (let r = 0; r < outcome.rows.length; r++) {
        const row = outcome.rows[r]!;
        text += `${JSON.stringify(row)}\n`;
        kinds[r] = row.kind;
        // Per quarantine row: a conversions body can quarantine several items for different reasons.
        if (row.reason !== null) reasons.push(row.reason);
      }
      data = Buffer.from(text, 'utf8').toString('base64');
    } catch (error) {
      budget -= fail(out, i, record.recordId, errorMessage(error), stats);
      continue;
    }
    const cost = data.length + record.recordId.length + 40;
    if (cost > budget) {
      budget -= fail(out, i, record.recordId, 'response would exceed the Lambda payload limit', stats);
      stats.overBudget++;
      continue;
    }
    budget -= cost;
    out[i] = { recordId: record.recordId, result: 'Ok', data };
    stats.ok++;
    stats.rows += kinds.length;
    for (const k of kinds) stats.rowsByKind[k] = (stats.rowsByKind[k] ?? 0) + 1;
    for (const reason of reasons) stats.quarantinedByReason[reason] = (stats.quarantinedByReason[reason] ?? 0) + 1;
  }
  return { result: { records: out }, stats };
}

/**
 * Marks record `i` ProcessingFailed; returns its response cost. Firehose writes the record's
 * original data to the error prefix, so the answer carries an empty `data` (the field must be
 * present) instead of spending the response budget on a copy.
 */
function fail(out: FirehoseTransformationResultRecord[], i: number, recordId: string, reason: string, stats: BatchStats): number {
  out[i] = { recordId, result: 'ProcessingFailed', data: '' };
  stats.failed++;
  if (stats.failures.length < 10) stats.failures.push({ recordId, reason });
  return recordId.length + 60;
}
