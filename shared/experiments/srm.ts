import { logChiSquareSf } from '../anomaly/stats';
import { InputError } from '../errors';

/** A declared split, normalized: variant -> share, shares summing to 1. */
export type DeclaredSplit = ReadonlyMap<string, number>;

/**
 * Parses a declared split (JSON object text, or the object) variant -> share into normalized
 * shares. Shares are finite and ≥ 0 with a positive sum; any scale works (50/50, 0.5/0.5, 1/1).
 * Throws InputError saying what is wrong (the caller adds where).
 */
export function parseDeclaredSplit(value: string | Readonly<Record<string, unknown>>): DeclaredSplit {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      throw new InputError('declared_split is not valid JSON', { cause });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError('declared_split must be a JSON object variant -> share');
  const entries = Object.entries(parsed as Record<string, unknown>);
  let total = 0;
  for (const [variant, share] of entries) {
    if (variant === '') throw new InputError('declared_split has an empty variant name');
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) throw new InputError(`declared_split share of ${JSON.stringify(variant)} must be a finite number ≥ 0`);
    total += share;
  }
  if (!(total > 0)) throw new InputError('declared_split must give some variant a positive share');
  return new Map(entries.map(([variant, share]) => [variant, (share as number) / total]));
}

/**
 * χ² goodness-of-fit p-value of the variants' exposures against the declared split (equal shares
 * of the observed variants when none is declared). Variants declared but not observed count as 0
 * exposures; exposures of a variant the split gives no share are a mismatch (p = 0). Null when
 * fewer than two variants are observed or declared, or nothing was exposed.
 */
export function sampleRatioPValue(exposures: ReadonlyMap<string, number>, declared: DeclaredSplit | null): number | null {
  const variants = new Set([...exposures.keys(), ...(declared?.keys() ?? [])]);
  if (variants.size < 2) return null;
  let total = 0;
  for (const n of exposures.values()) total += n;
  if (total === 0) return null;
  const shares = declared ?? new Map([...exposures.keys()].map((v) => [v, 1 / exposures.size]));
  let statistic = 0;
  let categories = 0;
  for (const variant of variants) {
    const observed = exposures.get(variant) ?? 0;
    const share = shares.get(variant) ?? 0;
    if (share === 0) {
      if (observed > 0) return 0;
      continue;
    }
    const expected = share * total;
    statistic += (observed - expected) ** 2 / expected;
    categories++;
  }
  if (categories < 2) return 1;
  return Math.exp(logChiSquareSf(statistic, categories - 1));
}
