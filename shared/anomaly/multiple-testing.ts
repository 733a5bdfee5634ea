/**
 * Benjamini–Hochberg adjustment, in natural logarithms of p-values. The detector runs one test per
 * series and metric, often thousands a day; BH bounds the expected share of false alerts among the
 * alerts (the false discovery rate), which is what someone reading a digest cares about, and keeps
 * far more power than Bonferroni, whose family-wise bound gets stricter with every button added.
 *
 * Returns, in input order, log of the BH-adjusted p-values: adj(i) = min over j ranked at or after
 * i of p(j) · m / rank(j), capped at 1. A test is rejected at level q when adj ≤ q.
 */
export function adjustBenjaminiHochberg(logPValues: readonly number[]): number[] {
  const m = logPValues.length;
  const order = logPValues.map((_, i) => i).sort((a, b) => logPValues[a]! - logPValues[b]! || a - b);
  const adjusted = new Array<number>(m);
  let runningMin = 0;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    runningMin = Math.min(runningMin, logPValues[i]! + Math.log(m / rank));
    adjusted[i] = runningMin;
  }
  return adjusted;
}

