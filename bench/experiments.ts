import { evaluateRange } from '../shared/experiments/evaluate';
import { type DailyExperimentCount, defaultExperimentOptions, type ExperimentOptions } from '../shared/experiments/types';
import { createRandom, type Random } from '../shared/random';
import type { ExperimentRow } from '../shared/schema/types';
import { addDays } from '../shared/time';

const days = 28;
const start = '2025-01-06';
const end = addDays(start, days - 1);
/** The fixed-horizon two-sided z-test's critical value at 0.05. */
const zCritical = 1.959963984540054;

/** One family of simulated experiments, read every day for `days` days. */
interface Scenario {
  readonly name: string;
  readonly experiments: number;
  /** Success rate per arm, the control first. */
  readonly rates: readonly number[];
  /** Delivered messages a day over all arms, each message assigned at random. */
  readonly dailyTotal: number;
  /** The share of messages each arm really gets (the declared split is always equal). */
  readonly assignment: readonly number[];
  readonly seed: number;
}

const armNames = ['control', 'b', 'c', 'd'] as const;

/** Exact multinomial assignment of `total` messages to arms with probabilities `shares`, by conditional binomials. */
function assign(random: Random, total: number, shares: readonly number[]): number[] {
  const out: number[] = [];
  let left = total;
  let mass = 1;
  for (let i = 0; i < shares.length - 1; i++) {
    const n = mass > 0 ? random.binomial(left, Math.min(1, shares[i]! / mass)) : 0;
    out.push(n);
    left -= n;
    mass -= shares[i]!;
  }
  out.push(left);
  return out;
}

/** The daily history of every experiment of a scenario: exact binomial draws, declared equal split. */
function simulate(s: Scenario): DailyExperimentCount[] {
  const random = createRandom(s.seed);
  const arms = armNames.slice(0, s.rates.length);
  const declared = JSON.stringify(Object.fromEntries(arms.map((a) => [a, 1])));
  const rows: DailyExperimentCount[] = [];
  for (let e = 0; e < s.experiments; e++) {
    const experiment_id = `${s.name}-${String(e).padStart(5, '0')}`;
    for (let d = 0; d < days; d++) {
      const dt = addDays(start, d);
      const exposures = assign(random, s.dailyTotal, s.assignment);
      arms.forEach((variant, i) => {
        rows.push({ dt, experiment_id, variant, metric: 'ctr', exposures: exposures[i]!, successes: random.binomial(exposures[i]!, s.rates[i]!), declared_split: declared });
      });
    }
  }
  return rows;
}

/** Two-sided pooled two-proportion z-test at 0.05, the fixed-horizon test read as if each day were the planned end. */
function naiveSignificant(control: ExperimentRow, variant: ExperimentRow): boolean {
  const n1 = control.exposures;
  const n2 = variant.exposures;
  if (n1 === 0 || n2 === 0) return false;
  const pooled = (control.successes + variant.successes) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return false;
  return Math.abs(variant.successes / n2 - control.successes / n1) / se > zCritical;
}

/** What happened to each experiment of a scenario over the 28 daily reads. */
interface Outcome {
  readonly experiments: number;
  /** Experiments with some variant decided winner or loser on some day. */
  decided: number;
  winner: number;
  loser: number;
  srm: number;
  naive: number;
  /** The naive test read once, on the last day only (what it is designed for). */
  naiveFinal: number;
  /** Day (1-based) of the first winner, per experiment that had one; likewise the first srm. */
  readonly winnerDays: number[];
  readonly srmDays: number[];
}

function run(s: Scenario, options?: Partial<ExperimentOptions>): Outcome {
  const perExperiment = new Map<string, { winner: number; loser: boolean; srm: number; naive: boolean; naiveFinal: boolean }>();
  for (const [d, { rows }] of evaluateRange(simulate(s), start, end, options).entries()) {
    let control: ExperimentRow | undefined;
    for (const row of rows) {
      let seen = perExperiment.get(row.experiment_id);
      if (seen === undefined) {
        seen = { winner: 0, loser: false, srm: 0, naive: false, naiveFinal: false };
        perExperiment.set(row.experiment_id, seen);
      }
      if (row.decision === 'srm' && seen.srm === 0) seen.srm = d + 1;
      if (row.variant === row.control_variant) {
        control = row;
        continue;
      }
      if (row.decision === 'winner' && seen.winner === 0) seen.winner = d + 1;
      if (row.decision === 'loser') seen.loser = true;
      const significant = naiveSignificant(control!, row);
      if (significant) seen.naive = true;
      if (significant && d === days - 1) seen.naiveFinal = true;
    }
  }
  const out: Outcome = { experiments: perExperiment.size, decided: 0, winner: 0, loser: 0, srm: 0, naive: 0, naiveFinal: 0, winnerDays: [], srmDays: [] };
  for (const seen of perExperiment.values()) {
    if (seen.winner > 0 || seen.loser) out.decided++;
    if (seen.winner > 0) {
      out.winner++;
      out.winnerDays.push(seen.winner);
    }
    if (seen.loser) out.loser++;
    if (seen.srm > 0) {
      out.srm++;
      out.srmDays.push(seen.srm);
    }
    if (seen.naive) out.naive++;
    if (seen.naiveFinal) out.naiveFinal++;
  }
  return out;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : Math.round((num / den) * 10000) / 10000);
const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The scenarios: 2,000 delivered a day per arm at a 10% base rate unless said otherwise. */
export const scenarios = {
  aa: { name: 'aa', experiments: 5000, rates: [0.1, 0.1], dailyTotal: 4000, assignment: [0.5, 0.5], seed: 1501 },
  ab: { name: 'ab', experiments: 1000, rates: [0.1, 0.12], dailyTotal: 4000, assignment: [0.5, 0.5], seed: 1502 },
  srm: { name: 'srm', experiments: 1000, rates: [0.1, 0.1], dailyTotal: 4000, assignment: [0.52, 0.48], seed: 1503 },
  aaa: { name: 'aaa', experiments: 2000, rates: [0.1, 0.1, 0.1], dailyTotal: 6000, assignment: [1 / 3, 1 / 3, 1 / 3], seed: 1504 },
  aaLow: { name: 'aa-low', experiments: 2000, rates: [0.1, 0.1], dailyTotal: 200, assignment: [0.5, 0.5], seed: 1505 },
  aaRare: { name: 'aa-rare', experiments: 2000, rates: [0.01, 0.01], dailyTotal: 4000, assignment: [0.5, 0.5], seed: 1506 },
  lift10: { name: 'lift10', experiments: 500, rates: [0.1, 0.11], dailyTotal: 4000, assignment: [0.5, 0.5], seed: 1507 },
  lift5: { name: 'lift5', experiments: 500, rates: [0.1, 0.105], dailyTotal: 4000, assignment: [0.5, 0.5], seed: 1508 },
} as const satisfies Record<string, Scenario>;

/** The tuning parameters the sweep compares (the default among them). */
const tuningSweep = [1000, 5000, 20000, 100000] as const;

/**
 * `experiments` benchmark: simulated experiments read every day for 28 days through
 * `evaluateRange` (what ships), each family with its own seed. `aa_fpr`: share of A/A experiments
 * ever decided winner or loser (target ≤ α = 0.05); `naive_aa_fpr`: a fixed-horizon two-sided
 * z-test at 0.05 read daily on the same simulations; `power`: share of A/B experiments (20%
 * relative lift) reaching winner; `srm_detected`: share of experiments declared 50/50 but
 * assigned 52/48 flagged srm. Also A/A/A (Bonferroni over two variants), a low-traffic A/A (100
 * a day per arm) and a rare-event A/A (1% base rate), where the normal approximation is weakest;
 * and, for choosing N*, the power on 10% and 5% relative lifts under a few tuning parameters.
 */
export async function experimentsBench(): Promise<Record<string, number | string>> {
  const aa = run(scenarios.aa);
  const ab = run(scenarios.ab);
  const srm = run(scenarios.srm);
  const aaa = run(scenarios.aaa);
  const low = run(scenarios.aaLow);
  const rare = run(scenarios.aaRare);
  const sweep: Record<string, number> = {};
  for (const tuning of tuningSweep) {
    const lift10 = run(scenarios.lift10, { tuning });
    const lift5 = run(scenarios.lift5, { tuning });
    sweep[`experiments_power_lift10_tuning_${tuning}`] = ratio(lift10.winner, lift10.experiments);
    sweep[`experiments_median_days_lift10_tuning_${tuning}`] = median(lift10.winnerDays);
    sweep[`experiments_power_lift5_tuning_${tuning}`] = ratio(lift5.winner, lift5.experiments);
  }
  return {
    experiments_days: days,
    experiments_alpha: defaultExperimentOptions.alpha,
    experiments_tuning: defaultExperimentOptions.tuning,
    experiments_aa_fpr: ratio(aa.decided, aa.experiments),
    experiments_naive_aa_fpr: ratio(aa.naive, aa.experiments),
    experiments_naive_aa_final_day_fpr: ratio(aa.naiveFinal, aa.experiments),
    experiments_aa_n: aa.experiments,
    experiments_aa_srm_rate: ratio(aa.srm, aa.experiments),
    experiments_power: ratio(ab.winner, ab.experiments),
    experiments_ab_n: ab.experiments,
    experiments_ab_loser: ab.loser,
    experiments_ab_median_days_to_winner: median(ab.winnerDays),
    experiments_srm_detected: ratio(srm.srm, srm.experiments),
    experiments_srm_n: srm.experiments,
    experiments_srm_split: 'declared 50/50, assigned 52/48 of 4,000 a day',
    experiments_srm_median_days_to_flag: median(srm.srmDays),
    experiments_srm_decided: srm.decided,
    experiments_aaa_fpr: ratio(aaa.decided, aaa.experiments),
    experiments_aaa_n: aaa.experiments,
    experiments_aa_low_traffic_fpr: ratio(low.decided, low.experiments),
    experiments_aa_low_traffic_n: low.experiments,
    experiments_aa_rare_fpr: ratio(rare.decided, rare.experiments),
    experiments_aa_rare_n: rare.experiments,
    experiments_lift10_n: scenarios.lift10.experiments,
    experiments_lift5_n: scenarios.lift5.experiments,
    ...sweep,
  };
}
