import { InputError } from '../errors';
import { dateRange, isIsoDate } from '../time';
import { detectorConfig, type DetectorConfig } from './config';
import { IncidentMemory, type PriorAnomaly } from './incidents';
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
    incident_start: c.incidentStart,
  };
}

/**
 * Anomalies of one target date from an indexed history. Only days before the target feed the
 * baselines; the target's own rows are the observations; later rows are never read. Days that
 * `memory` says were reported earlier stay out of their series' baselines (see baselineHistory).
 *
 * Every test that ran enters one Benjamini–Hochberg correction at `falseDiscoveryRate`; a test is
 * reported when its adjusted p-value is at most that rate and the change is material, or, for a
 * series whose previous day was reported moving the same way (an open incident), when its raw
 * p-value is. When the CTR and the clicks of a button both move the same way, only the CTR row is
 * kept: it is one event.
 */
export function detectOnIndex(index: HistoryIndex, targetDt: string, memory: IncidentMemory, config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  if (!isIsoDate(targetDt)) throw new InputError(`target date "${targetDt}" is not a YYYY-MM-DD date`);
  // The display band is the range a value could take without being rejected by a single test at
  // level q, before the correction.
  const bandZ = normalQuantile(1 - config.falseDiscoveryRate / 2);
  const candidates: Candidate[] = [];
  for (const group of index.groups) {
    const c = deliveryCandidate(group, targetDt, bandZ, config, memory.groupDays(group.campaignId, group.templateName));
    if (c) candidates.push(c);
  }
  for (const series of index.buttons) {
    candidates.push(...buttonCandidates(series, targetDt, bandZ, config, memory.buttonDays(series.campaignId, series.templateName, series.buttonId)));
  }
  if (candidates.length === 0) return [];

  const logAdjusted = adjustBenjaminiHochberg(candidates.map((c) => c.logP));
  const logQ = Math.log(config.falseDiscoveryRate);
  // An open incident (the series' previous day was reported moving the same way) stays open
  // while the day is still outside the expected range: the correction guards the opening of an
  // incident among many tests, not each day of one already open.
  const reported = (c: Candidate, i: number): boolean => logAdjusted[i]! <= logQ || (c.incidentStart !== targetDt && c.logP <= logQ);
  const flagged = candidates.flatMap((c, i) => (c.material && reported(c, i) ? [{ c, logAdj: logAdjusted[i]! }] : []));

  const seriesKey = (c: Candidate): string => JSON.stringify([c.campaignId, c.templateName, c.buttonId, c.kind]);
  const ctrEvents = new Set(flagged.filter(({ c }) => c.metric === 'ctr').map(({ c }) => seriesKey(c)));
  return flagged
    .filter(({ c }) => !(c.metric === 'clicks' && ctrEvents.has(seriesKey(c))))
    .map(({ c, logAdj }) => toRow(c, targetDt, logAdj))
    .sort(compareAnomalies);
}

/** First date of any row of the history (undefined when empty). */
function firstDate(index: HistoryIndex): string | undefined {
  let first: string | undefined;
  for (const s of [...index.buttons, ...index.groups]) {
    const dt = s.days[0]?.dt;
    if (dt !== undefined && (first === undefined || dt < first)) first = dt;
  }
  return first;
}

/**
 * Anomalies of several target dates, each as if the detector had run every day: a date's
 * baselines see only rows dated before it, never its own or later ones, and leave out the days
 * reported on earlier dates. Output in date order.
 *
 * `prior` is what earlier runs reported (the daily workflow reads it back from the `anomalies`
 * table): the dates from the first target to the last are then run in turn, each adding its
 * anomalies to the record. Without `prior`, every date from the history's first one is run in
 * turn, so a target gets the same answer whether it is run alone or in a range.
 */
export function detectDates(
  rows: readonly DetectorInputRow[],
  targetDates: readonly string[],
  config: DetectorConfig = detectorConfig,
  prior?: readonly PriorAnomaly[],
): DatedAnomalyRow[] {
  for (const dt of targetDates) if (!isIsoDate(dt)) throw new InputError(`target date "${dt}" is not a YYYY-MM-DD date`);
  const targets = new Set(targetDates);
  const sorted = [...targets].sort();
  if (sorted.length === 0) return [];
  const index = indexHistory(rows);
  const first = sorted[0]!;
  const historyStart = firstDate(index) ?? first;
  const start = prior === undefined && historyStart < first ? historyStart : first;
  const memory = new IncidentMemory((prior ?? []).filter((a) => a.dt < start));
  const out: DatedAnomalyRow[] = [];
  for (const dt of dateRange(start, sorted.at(-1)!)) {
    const found = detectOnIndex(index, dt, memory, config);
    memory.add(found);
    if (targets.has(dt)) out.push(...found);
  }
  return out;
}

/** Anomalies of one target date; see detectDates (without `prior`, the earlier dates of the history are run first). */
export function detectAnomalies(
  rows: readonly DetectorInputRow[],
  targetDt: string,
  config: DetectorConfig = detectorConfig,
  prior?: readonly PriorAnomaly[],
): DatedAnomalyRow[] {
  return detectDates(rows, [targetDt], config, prior);
}
