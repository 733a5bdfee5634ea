/**
 * Always-valid inference on the relative lift of two proportions: the asymptotic confidence
 * sequence of Waudby-Smith et al. (normal mixture, their eq. 9 and the ρ of their eq. 161) on the
 * delta-method estimate of lift, as GrowthBook's gbstats applies it, and the p-value that inverts
 * the same sequence (1 / the mixture likelihood ratio at the null). Derivations and sources in
 * docs/experiments.md. Written here rather than taken from a package: no npm package implements
 * it (gbstats is Python), and it is a few closed forms.
 */

/** Cumulative counts of one arm. */
export interface ArmCounts {
  readonly exposures: number;
  readonly successes: number;
}

/**
 * The minimum-data rule: no interval or p-value until both arms have at least this many
 * successes and this many failures (the usual n·p ≥ 10 condition for a normal approximation).
 */
export const minimumArmCount = 10;

/** True when the arm has enough successes and failures for the normal approximation. */
export function hasEnoughData(arm: ArmCounts): boolean {
  return arm.successes >= minimumArmCount && arm.exposures - arm.successes >= minimumArmCount;
}

/**
 * ρ of the normal mixture that makes the level-`alpha` sequence narrowest at `tuning` (N*)
 * observations: ρ² = (−2 ln α + ln(1 − 2 ln α)) / N* (Waudby-Smith et al., eq. 161).
 */
export function mixtureRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/**
 * Half-width of the level-`alpha` asymptotic confidence sequence of an estimate with variance
 * `variance` from `n` observations: σ̂·√(2(nρ²+1)/(n²ρ²) · ln(√(nρ²+1)/α)) with σ̂² = variance·n,
 * the per-observation variance.
 */
export function confidenceSequenceHalfWidth(variance: number, n: number, rho: number, alpha: number): number {
  const r2 = rho * rho;
  const s2 = variance * n;
  return Math.sqrt(s2 * ((2 * (n * r2 + 1)) / (n * n * r2)) * Math.log(Math.sqrt(n * r2 + 1) / alpha));
}

/**
 * log of the normal-mixture likelihood ratio (an e-value) against `nullValue`:
 * Λ = exp(ρ²S²/(2(nρ²+1))) / √(nρ²+1) with S² = n(estimate − null)² / variance, the squared sum
 * of standardized increments. Λ ≥ 1/α exactly when `nullValue` is outside the level-α sequence.
 */
export function logMixtureLikelihoodRatio(estimate: number, nullValue: number, variance: number, n: number, rho: number): number {
  const r2 = rho * rho;
  const s2 = (n * (estimate - nullValue) ** 2) / variance;
  return (r2 * s2) / (2 * (n * r2 + 1)) - 0.5 * Math.log(n * r2 + 1);
}

/** The relative lift of treatment over control and the delta-method variance of that estimate. */
export interface LiftEstimate {
  readonly lift: number;
  readonly variance: number;
  /** Observations of the comparison: both arms' exposures. */
  readonly n: number;
}

/**
 * lift = p_t / p_c − 1 with variance p_t(1−p_t)/(n_t p_c²) + p_c(1−p_c) p_t²/(n_c p_c⁴) (first-order
 * delta method, arms independent). Null when the control rate is 0 or an arm has no exposures.
 */
export function relativeLift(control: ArmCounts, treatment: ArmCounts): LiftEstimate | null {
  if (control.exposures === 0 || treatment.exposures === 0 || control.successes === 0) return null;
  const pc = control.successes / control.exposures;
  const pt = treatment.successes / treatment.exposures;
  const variance = (pt * (1 - pt)) / (treatment.exposures * pc * pc) + (pc * (1 - pc) * pt * pt) / (control.exposures * pc ** 4);
  return { lift: pt / pc - 1, variance, n: control.exposures + treatment.exposures };
}

/** One variant against the control: the lift, its always-valid interval and p-value. */
export interface LiftInference {
  readonly lift: number;
  readonly lower: number;
  readonly upper: number;
  /** Always-valid, Bonferroni-corrected: below alpha exactly when the interval excludes 0. */
  readonly pValue: number;
}

/** How a comparison is tested: the family's level, the mixture's ρ and the comparisons it is corrected over. */
export interface ComparisonLevel {
  readonly alpha: number;
  readonly rho: number;
  readonly comparisons: number;
}

/**
 * The always-valid inference of one variant against the control, with Bonferroni across
 * `comparisons` variants: the interval at α/m, the p-value m/Λ(0) capped at 1. The lower end
 * is cut at −1, where the lift is by definition (an intersection with the parameter space keeps
 * the coverage). Null when the minimum-data rule is not met or the lift is undefined.
 */
export function inferLift(control: ArmCounts, treatment: ArmCounts, level: ComparisonLevel): LiftInference | null {
  if (!hasEnoughData(control) || !hasEnoughData(treatment)) return null;
  const estimate = relativeLift(control, treatment);
  if (estimate === null || !(estimate.variance > 0)) return null;
  const { lift, variance, n } = estimate;
  const half = confidenceSequenceHalfWidth(variance, n, level.rho, level.alpha / level.comparisons);
  const logLambda = logMixtureLikelihoodRatio(lift, 0, variance, n, level.rho);
  const pValue = Math.min(1, level.comparisons * Math.exp(-logLambda));
  return { lift, lower: Math.max(-1, lift - half), upper: lift + half, pValue };
}
