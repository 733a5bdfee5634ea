/**
 * Seeded, deterministic randomness for synthetic data (the detector benchmark, the demo). Not for
 * anything secret: mulberry32 is a small 32-bit generator chosen because the same seed gives the
 * same stream on every platform and Node version.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a 32-bit state generator with good statistical quality for simulation. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samplers over one seeded stream. Every call advances the stream, so call order matters. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** Normal with the given mean and standard deviation. */
  normal(mean?: number, sd?: number): number;
  /** Gamma with the given shape and scale 1. */
  gamma(shape: number): number;
  /** Beta(a, b). */
  beta(a: number, b: number): number;
  /** Exact Binomial(n, p) draw. */
  binomial(n: number, p: number): number;
  /** Exact Poisson(mean) draw. */
  poisson(mean: number): number;
}

// Below these sizes the direct methods are cheap; above them the exact splitting methods take
// O(log n) steps instead of O(n).
const DIRECT_BINOMIAL_MAX_N = 40;
const DIRECT_POISSON_MAX_MEAN = 30;

/** A Random over mulberry32(seed). */
export function createRandom(seed: number): Random {
  const rng = mulberry32(seed);

  const normal = (mean = 0, sd = 1): number => {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const u = 1 - rng();
    const v = rng();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  // Marsaglia and Tsang (2000), with the usual boost for shape < 1.
  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
    if (shape < 1) return gamma(shape + 1) * (1 - rng()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = 1 - rng();
      if (u < 1 - 0.0331 * x ** 4) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };

  const beta = (a: number, b: number): number => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };

  // Exact for any n: the a-th smallest of n uniforms is Beta(a, n + 1 - a); the uniforms below p
  // then split into a binomial over a smaller n on one side of it (Knuth, TAOCP 3.4.1).
  const binomial = (n: number, p: number): number => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
    let count = 0;
    let left = n;
    let prob = p;
    while (left > DIRECT_BINOMIAL_MAX_N && prob > 0 && prob < 1) {
      const a = 1 + (left >> 1);
      const b = left + 1 - a;
      const x = beta(a, b);
      if (x >= prob) {
        left = a - 1;
        prob /= x;
      } else {
        count += a;
        left = b - 1;
        prob = (prob - x) / (1 - x);
      }
    }
    if (prob <= 0) return count;
    if (prob >= 1) return count + left;
    for (let i = 0; i < left; i++) if (rng() < prob) count++;
    return count;
  };

  // Exact for any mean: the m-th arrival of a unit-rate process is Gamma(m); arrivals before the
  // mean then are either binomial among the first m - 1, or m plus a Poisson over what is left.
  const poisson = (mean: number): number => {
    if (!(mean >= 0)) throw new RangeError(`poisson mean must be non-negative, got ${mean}`);
    let count = 0;
    let rest = mean;
    while (rest > DIRECT_POISSON_MAX_MEAN) {
      const m = Math.floor(rest * 0.875);
      const x = gamma(m);
      if (x >= rest) return count + binomial(m - 1, rest / x);
      count += m;
      rest -= x;
    }
    const limit = Math.exp(-rest);
    let product = rng();
    while (product > limit) {
      count++;
      product *= rng();
    }
    return count;
  };

  return {
    next: rng,
    uniform: (min, max) => min + (max - min) * rng(),
    int: (min, max) => min + Math.floor(rng() * (max - min + 1)),
    chance: (p) => rng() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick needs a non-empty list');
      return items[Math.floor(rng() * items.length)]!;
    },
    normal,
    gamma,
    beta,
    binomial,
    poisson,
  };
}
