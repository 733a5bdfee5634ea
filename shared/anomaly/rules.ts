import { addDays } from '../time';
import { estimateBaseline, type Baseline, type HistoryPoint } from './baseline';
import type { DetectorConfig } from './config';
import { betaBinomial, logLowerTail, logUpperTail, negativeBinomial, type CountDistribution } from './counts';
import { baselineHistory, directionOf, incidentStart, type ReportedDays } from './incidents';
import { dayOn, daysBetween, type ButtonDay, type ButtonSeries, type DeliveryGroup, type GroupDay } from './series';
import { logNormalSf } from './stats';
import type { AnomalyKind, AnomalyMetric } from './types';

/**
 * One statistical test of one series on the target date, before the multiple-testing correction.
 * Every test that ran is a candidate, flagged or not, because the correction needs them all.
 */
export interface Candidate {
  readonly campaignId: string;
  readonly templateName: string | null;
  readonly buttonId: string | null;
  readonly metric: AnomalyMetric;
  readonly kind: AnomalyKind;
  readonly observed: number;
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
  readonly baselineDays: number;
  /** First day of the incident this test would belong to if reported (the target when the day before was not reported the same way). */
  readonly incidentStart: string;
  /** Natural log of the raw p-value. */
  readonly logP: number;
  /** The change is large enough to matter (relative change or collapse ratio). */
  readonly material: boolean;
}

// Within this many standard deviations of the mean the two-sided p-value is above 0.13, far from
// any usable level q, so the normal approximation stands in for the exact tail sum.
const EXACT_TAIL_MIN_Z = 1.5;

/** Two-sided log p-value of a count under `dist`, and whether it lies below the mean. */
function twoSided(dist: CountDistribution, observed: number): { logP: number; below: boolean } {
  const z = (observed - dist.mean) / Math.sqrt(dist.variance);
  const below = observed < dist.mean;
  if (Math.abs(z) < EXACT_TAIL_MIN_Z) return { logP: Math.min(0, Math.log(2) + logNormalSf(Math.abs(z))), below };
  const tail = below ? logLowerTail(dist, observed) : logUpperTail(dist, observed);
  return { logP: Math.min(0, Math.log(2) + tail), below };
}

/** The display band mean ± z·sd of a count distribution, divided by `scale`, clamped at 0 (and at `max`). */
function band(dist: CountDistribution, z: number, scale: number, max: number): { lower: number; upper: number } {
  const half = z * Math.sqrt(dist.variance);
  return { lower: Math.max(0, (dist.mean - half) / scale), upper: Math.min(max, (dist.mean + half) / scale) };
}

function material(kind: AnomalyKind, observed: number, expected: number, config: DetectorConfig): boolean {
  if (kind === 'zero') return true;
  const ratio = observed / expected;
  return kind === 'drop' ? ratio <= 1 - config.minRelativeChange : ratio >= 1 + config.minRelativeChange;
}

function windowStart(targetDt: string, config: DetectorConfig): string {
  return addDays(targetDt, -config.windowDays);
}

/**
 * When a change became the new normal, a day is unusual only if it is unusual against both the
 * new level and the one before (an intersection–union test: the larger p-value, material against
 * both): going back to where the series was is a return, not a new incident.
 */
function againstEarlierLevel(current: Candidate[], earlier: readonly Candidate[]): Candidate[] {
  return current.map((c) => {
    const e = earlier.find((x) => x.metric === c.metric);
    return e ? { ...c, logP: Math.max(c.logP, e.logP), material: c.material && e.material } : c;
  });
}

/**
 * Tests of one button on the target date: the CTR test (beta-binomial tail of tapped messages
 * given today's deliveries, against the seasonal baseline CTR), the zero rule (no tapped message
 * at all where the baseline expects at least `zeroMinExpected`), and the clicks test (negative
 * binomial tail of taps given today's deliveries, against the baseline taps per delivery).
 * Volume guards skip a test rather than let a small series alarm on noise. Days the series was
 * reported on earlier (`reported`) stay out of its baselines (see baselineHistory).
 */
export function buttonCandidates(series: ButtonSeries, targetDt: string, bandZ: number, config: DetectorConfig, reported?: ReportedDays): Candidate[] {
  const today = dayOn(series.days, targetDt);
  if (!today || today.delivered < config.minDelivered) return [];
  const window = daysBetween(series.days, windowStart(targetDt, config), targetDt).filter((d) => d.delivered > 0);
  const history = baselineHistory(window, reported, config);
  const since = (kind: AnomalyKind): string => incidentStart(window, reported, directionOf(kind), targetDt);
  const current = buttonTests(series, today, history.days, since, targetDt, bandZ, config);
  if (history.before.length < config.minBaselineDays) return current;
  return againstEarlierLevel(current, buttonTests(series, today, history.before, since, targetDt, bandZ, config));
}

/** The tests of buttonCandidates against one set of history days. */
function buttonTests(
  series: ButtonSeries,
  today: ButtonDay,
  history: readonly ButtonDay[],
  since: (kind: AnomalyKind) => string,
  targetDt: string,
  bandZ: number,
  config: DetectorConfig,
): Candidate[] {
  const ctrPoints: HistoryPoint[] = history.map((d) => ({ dt: d.dt, value: d.clickedMessages / d.delivered, exposure: d.delivered }));
  const ctr = estimateBaseline(ctrPoints, targetDt, 'binomial', config.rateMinRelativeSd, config);
  if (!ctr || ctr.expected <= 0) return [];
  const tapPoints: HistoryPoint[] = history.map((d) => ({ dt: d.dt, value: d.clicks / d.delivered, exposure: d.delivered }));
  const taps = estimateBaseline(tapPoints, targetDt, 'poisson', config.rateMinRelativeSd, config);

  const n = today.delivered;
  const p0 = Math.min(ctr.expected, 1 - 1e-9);
  const ctrDist = betaBinomial(n, p0, ctr.betweenDayVariance + ctr.expectedVariance);
  const base = { campaignId: series.campaignId, templateName: series.templateName, buttonId: series.buttonId, baselineDays: ctr.days };
  const out: Candidate[] = [];

  if (today.clickedMessages === 0 && today.clicks === 0) {
    if (ctrDist.mean < config.zeroMinExpected) return [];
    // Report taps (what a reader counts), test tapped messages: none tapped ⇔ no taps at all.
    const tapDist = taps && taps.expected > 0 ? countDistribution(taps, n) : null;
    const shown = tapDist ?? ctrDist;
    out.push({
      ...base,
      metric: 'clicks',
      kind: 'zero',
      incidentStart: since('zero'),
      observed: today.clicks,
      expected: shown.mean,
      ...band(shown, bandZ, 1, Infinity),
      logP: logLowerTail(ctrDist, 0),
      material: true,
    });
    return out;
  }

  if (ctrDist.mean >= config.minExpectedCount) {
    const { logP, below } = twoSided(ctrDist, today.clickedMessages);
    const kind: AnomalyKind = below ? 'drop' : 'spike';
    const observed = today.clickedMessages / n;
    out.push({ ...base, metric: 'ctr', kind, incidentStart: since(kind), observed, expected: p0, ...band(ctrDist, bandZ, n, 1), logP, material: material(kind, observed, p0, config) });
  }

  if (taps && taps.expected > 0 && today.clicks > 0) {
    const tapDist = countDistribution(taps, n);
    if (tapDist.mean >= config.minExpectedCount) {
      const { logP, below } = twoSided(tapDist, today.clicks);
      const kind: AnomalyKind = below ? 'drop' : 'spike';
      out.push({
        ...base,
        baselineDays: taps.days,
        metric: 'clicks',
        kind,
        incidentStart: since(kind),
        observed: today.clicks,
        expected: tapDist.mean,
        ...band(tapDist, bandZ, 1, Infinity),
        logP,
        material: material(kind, today.clicks, tapDist.mean, config),
      });
    }
  }
  return out;
}

/** Negative binomial for a count with rate baseline `b` over `exposure` units. */
function countDistribution(b: Baseline, exposure: number): CountDistribution {
  const relative = (b.betweenDayVariance + b.expectedVariance) / (b.expected * b.expected);
  return negativeBinomial(b.expected * exposure, relative);
}

/**
 * The delivery collapse rule for one (campaign, template): a one-sided negative binomial test of
 * today's delivered count against its seasonal baseline, material only when delivered fell to
 * `collapseRatio` of the expected volume or less. Only falls are tested: sending more is a
 * business decision, not a fault. Days the group was reported on earlier stay out of its baseline.
 */
export function deliveryCandidate(group: DeliveryGroup, targetDt: string, bandZ: number, config: DetectorConfig, reported?: ReportedDays): Candidate | null {
  const today = dayOn(group.days, targetDt);
  if (!today) return null;
  const window = daysBetween(group.days, windowStart(targetDt, config), targetDt);
  const history = baselineHistory(window, reported, config);
  const current = deliveryTest(group, today, history.days, incidentStart(window, reported, 'down', targetDt), targetDt, bandZ, config);
  if (!current || history.before.length < config.minBaselineDays) return current;
  const earlier = deliveryTest(group, today, history.before, current.incidentStart, targetDt, bandZ, config);
  return earlier ? againstEarlierLevel([current], [earlier])[0]! : current;
}

/** The test of deliveryCandidate against one set of history days. */
function deliveryTest(group: DeliveryGroup, today: GroupDay, history: readonly GroupDay[], since: string, targetDt: string, bandZ: number, config: DetectorConfig): Candidate | null {
  const points: HistoryPoint[] = history.map((d) => ({ dt: d.dt, value: d.delivered, exposure: 1 }));
  const baseline = estimateBaseline(points, targetDt, 'poisson', config.volumeMinRelativeSd, config);
  if (!baseline || baseline.expected < config.minExpectedDelivered) return null;
  const dist = countDistribution(baseline, 1);
  const z = (today.delivered - dist.mean) / Math.sqrt(dist.variance);
  const logP = z > -EXACT_TAIL_MIN_Z ? logNormalSf(-z) : logLowerTail(dist, today.delivered);
  return {
    campaignId: group.campaignId,
    templateName: group.templateName,
    buttonId: null,
    metric: 'messages_delivered',
    kind: 'drop',
    incidentStart: since,
    observed: today.delivered,
    expected: dist.mean,
    ...band(dist, bandZ, 1, Infinity),
    baselineDays: baseline.days,
    logP,
    material: today.delivered <= config.collapseRatio * dist.mean,
  };
}
