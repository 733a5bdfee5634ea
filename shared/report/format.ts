/**
 * Number formatting and colours of the dashboard. Formatting is fixed to `en-US` so a report
 * reads the same whatever machine made it (and tests can compare text).
 */

/**
 * Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. Vermillion is
 * kept out of the series palette: it only ever marks anomalies, so red means "look here".
 */
export const seriesPalette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#000000', '#F0E442'] as const;
export const anomalyColor = '#D55E00';

/** Dash patterns used once the palette wraps around, so series 8+ still differ from series 1+. */
export const dashPatterns: readonly (readonly number[])[] = [[], [6, 3], [2, 3], [8, 3, 2, 3]];

/** Colour and dash of the n-th series. */
export function seriesStyle(index: number): { color: string; dash: number[] } {
  const color = seriesPalette[index % seriesPalette.length]!;
  const dash = dashPatterns[Math.floor(index / seriesPalette.length) % dashPatterns.length]!;
  return { color, dash: [...dash] };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A count with thousands separators; `–` for null. */
export function formatCount(value: number | null): string {
  return value === null ? '–' : integer.format(value);
}

/** A ratio (0.125) as a percentage ("12.5 %"); `–` for null (no denominator). */
export function formatPercent(ratio: number | null): string {
  return ratio === null ? '–' : `${oneDecimal.format(ratio * 100)} %`;
}

/** A ratio as a percentage number for charts, rounded to 0.01 points; null stays null. */
export function percentValue(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 10_000) / 100;
}

/** `part / whole` or null when whole is 0. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** A duration in the largest unit that keeps it readable: "45 s", "12 min", "3 h", "2 d". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${integer.format(seconds)} s`;
  if (seconds < 3600) return `${integer.format(seconds / 60)} min`;
  if (seconds < 86_400) return `${integer.format(seconds / 3600)} h`;
  return `${integer.format(seconds / 86_400)} d`;
}

/** A score or other free-scale number with one decimal; `–` for null. */
export function formatDecimal(value: number | null): string {
  return value === null ? '–' : oneDecimal.format(value);
}

/** An amount in its currency ("R$1,234.50", "MX$249.00"); `–` for null. One formatter per code, made when asked. */
export function formatMoney(value: number | null, currency: string): string {
  if (value === null) return '–';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);
}

const signedOneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
const threeDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** A relative change (0.125) as a signed percentage ("+12.5 %", "-3.0 %", "0.0 %"); `–` for null. */
export function formatSignedPercent(ratio: number | null): string {
  return ratio === null ? '–' : `${signedOneDecimal.format(ratio * 100)} %`;
}

/** A p-value with three decimals, "< 0.001" below that; `–` for null. */
export function formatPValue(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? '< 0.001' : threeDecimals.format(p);
}
