import { detectDates } from '../shared/anomaly/detect';
import { detectorConfig, type DetectorConfig } from '../shared/anomaly/config';
import { generateSyntheticHistory, type SyntheticLabel } from '../shared/anomaly/synthetic';
import type { DatedAnomalyRow } from '../shared/anomaly/types';

/** Seeds the detector's parameters were tuned on; never reported (kept to say which they were). @public */
export const tuningSeeds = [1, 2, 3, 4, 5] as const;
/**
 * Seeds the reported figures come from; never looked at while tuning. Earlier held-out sets were
 * retired once one of their misses had led to a change (101–110: the spread estimator; 201–210:
 * the generator labelling a low-volume series), see docs/anomaly-detection.md.
 */
export const heldOutSeeds = [301, 302, 303, 304, 305, 306, 307, 308, 309, 310] as const;

/** Counts of one evaluation. */
export interface DetectScore {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly labelled: number;
  /** Labels on the second or a later day of a multi-day event, and how many of them were matched. */
  readonly ongoingLabelled: number;
  readonly ongoingTruePositives: number;
  /** True positives whose incident_start is the event's first day. */
  readonly incidentStartMatches: number;
}

// A detection and a label match on date, series and kind. The metric is not compared: a drop
// reported on clicks instead of CTR is still the event. A delivery collapse is button null.
const matchKey = (x: Pick<DatedAnomalyRow, 'dt' | 'campaign_id' | 'template_name' | 'button_id' | 'kind'>): string =>
  JSON.stringify([x.dt, x.campaign_id, x.template_name, x.button_id, x.kind]);

/**
 * Scores detections against labels: each detection row that matches a label not matched yet is a
 * true positive; every other row (no such label, or a second row for the same label) is a false
 * positive; labels no row matched are false negatives.
 */
export function scoreDetections(detections: readonly DatedAnomalyRow[], labels: readonly SyntheticLabel[]): DetectScore {
  const open = new Map(labels.map((l) => [matchKey(l), l]));
  let truePositives = 0;
  let falsePositives = 0;
  let ongoingTruePositives = 0;
  let incidentStartMatches = 0;
  for (const d of detections) {
    const key = matchKey(d);
    const label = open.get(key);
    if (label === undefined) {
      falsePositives++;
      continue;
    }
    open.delete(key);
    truePositives++;
    if (label.incident_start !== label.dt) ongoingTruePositives++;
    if (d.incident_start === label.incident_start) incidentStartMatches++;
  }
  const ongoingLabelled = labels.filter((l) => l.incident_start !== l.dt).length;
  return { truePositives, falsePositives, falseNegatives: open.size, labelled: labels.length, ongoingLabelled, ongoingTruePositives, incidentStartMatches };
}

/** Generates one history per seed, detects every evaluation date from earlier rows only, and sums the scores. */
export function evaluateSeeds(seeds: readonly number[], config: DetectorConfig = detectorConfig): DetectScore {
  const total = { truePositives: 0, falsePositives: 0, falseNegatives: 0, labelled: 0, ongoingLabelled: 0, ongoingTruePositives: 0, incidentStartMatches: 0 };
  for (const seed of seeds) {
    const history = generateSyntheticHistory({ seed });
    const s = scoreDetections(detectDates(history.rows, history.evaluationDates, config), history.labels);
    for (const k of Object.keys(total) as (keyof DetectScore)[]) total[k] += s[k];
  }
  return total;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : Math.round((num / den) * 10000) / 10000);

/**
 * `detect` benchmark: precision and recall of the detector on the held-out seeds; recall on the
 * second and later days of multi-day events (`ongoing`); and the share of true positives whose
 * incident_start names the event's first day.
 */
export async function detectBench(): Promise<Record<string, number>> {
  const s = evaluateSeeds(heldOutSeeds);
  return {
    detect_precision: ratio(s.truePositives, s.truePositives + s.falsePositives),
    detect_recall: ratio(s.truePositives, s.labelled),
    detect_true_positives: s.truePositives,
    detect_false_positives: s.falsePositives,
    detect_false_negatives: s.falseNegatives,
    detect_labelled: s.labelled,
    detect_ongoing_recall: ratio(s.ongoingTruePositives, s.ongoingLabelled),
    detect_ongoing_labelled: s.ongoingLabelled,
    detect_incident_start_match: ratio(s.incidentStartMatches, s.truePositives),
  };
}
