import { InputError } from '../errors';
import { isIsoDate } from '../time';
import { detectorConfig, type DetectorConfig } from './config';
import { adjustBenjaminiHochberg } from './multiple-testing';
import { buttonCandidates, deliveryCandidate, type Candidate } from './rules';
import { compareNullable, indexHistory, type HistoryIndex } from './series';
import { normalQuantile } from './stats';
import type { DatedAnomalyRow, DetectorInputRow } from './types';

// Six significant digits are plenty for a CTR or a count estimate, and keep output stable.
const round6 = (x: number): number => (Number.isInteger(x) ? x : Number(x.toPrecision(6)));

/** Output order: date, campaign, template, button, metric, kind (code-point order, null first). */
export function compareAnomalies(a: DatedAnomalyRow, b: DatedAnomalyRow): number {
  return (
    compareNullable(a.dt, b.dt) ||
    compareNullable(a.campaign_id, b.campaign_id) ||
    compareNullable(a.template_name, b.template_name) ||
    compareNullable(a.button_id, b.button_id) ||
    compareNullable(a.metric, b.metric) ||
    compareNullable(a.kind, b.kind)
  );
}

function toRow(c: Candidate, dt: string, logAdjusted: number): DatedAnomalyRow {
  return {
    dt,
    campaign_id: c.campaignId,
    template_name: c.templateName,
    button_id: c.buttonId,
    metric: c.metric,
    kind: c.kind,
    observed: round6(c.observed),
    expected: round6(c.expected),
    lower: round6(c.lower),
    upper: round6(c.upper),
    // -log10 of the BH-adjusted p-value: 2 means 1 in 100, 5 means 1 in 100 000.
    score: Math.round((-logAdjusted / Math.LN10) * 100) / 100,
    baseline_days: c.baselineDays,
  };
}

/**
 * Anomalies of one target date from an indexed history. Only days before the target feed the
 * baselines; the target's own rows are the observations; later rows are never read.
 *
 * Every test that ran enters one Benjamini–Hochberg correction at `falseDiscoveryRate`; a test is
 * reported when its adjusted p-value is at most that rate and the change is material. When the
 * CTR and the clicks of a button both move the same way, only the CTR row is kept: it is one event.
 */
export function detectOnIndex(index: HistoryIndex, targetDt: string, config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  if (!isIsoDate(targetDt)) throw new InputError(`target date "${targetDt}" is not a YYYY-MM-DD date`);
  // The display band is the range a value could take without being rejected by a single test at
  // level q, before the correction.
  const bandZ = normalQuantile(1 - config.falseDiscoveryRate / 2);
  const candidates: Candidate[] = [];
  for (const group of index.groups) {
    const c = deliveryCandidate(group, targetDt, bandZ, config);
    if (c) candidates.push(c);
  }
  for (const series of index.buttons) candidates.push(...buttonCandidates(series, targetDt, bandZ, config));
  if (candidates.length === 0) return [];

  const logAdjusted = adjustBenjaminiHochberg(candidates.map((c) => c.logP));
  const logQ = Math.log(config.falseDiscoveryRate);
  const flagged = candidates.flatMap((c, i) => (c.material && logAdjusted[i]! <= logQ ? [{ c, logAdj: logAdjusted[i]! }] : []));

  const seriesKey = (c: Candidate): string => JSON.stringify([c.campaignId, c.templateName, c.buttonId, c.kind]);
  const ctrEvents = new Set(flagged.filter(({ c }) => c.metric === 'ctr').map(({ c }) => seriesKey(c)));
  return flagged
    .filter(({ c }) => !(c.metric === 'clicks' && ctrEvents.has(seriesKey(c))))
    .map(({ c, logAdj }) => toRow(c, targetDt, logAdj))
    .sort(compareAnomalies);
}

/** Anomalies of one target date; see detectOnIndex. */
export function detectAnomalies(rows: readonly DetectorInputRow[], targetDt: string, config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  return detectOnIndex(indexHistory(rows), targetDt, config);
}

/**
 * Anomalies of several target dates, each as if run on its own day: a date's baselines see only
 * rows dated before it, never its own or later ones. Output in date order.
 */
export function detectDates(rows: readonly DetectorInputRow[], targetDates: readonly string[], config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  const index = indexHistory(rows);
  return [...targetDates].sort().flatMap((dt) => detectOnIndex(index, dt, config));
}
