import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatedAnomalyRow } from '../../shared/anomaly/types';
import { alertMatches, expectedAlerts } from '../../shared/demo/expected-alerts';
import { demoExperiments } from '../../shared/demo/experiments';
import { minDemoDays } from '../../shared/demo/incidents';
import { simulateDemo } from '../../shared/demo/simulate';
import { truthDailyCtr } from '../../shared/demo/truth';
import { truthDailyConversions } from '../../shared/demo/truth-conversions';
import { truthQuarantine } from '../../shared/demo/truth-quarantine';
import type { Simulation } from '../../shared/demo/types';
import type { QueryRow } from '../../shared/ports/query-engine';
import { runDemo } from '../../demo/run';
import { runDemoCommand } from '../../cli/commands/demo/run';
import { queryRows, removeTempDirs, runCli, tempDir, type CliResult } from '../local/stack-helpers';

// The shortest history with every incident after its warm-up: the demo's whole path, kept short.
const DAYS = minDemoDays;
const SEED = 42;

interface Run {
  readonly dataDir: string;
  readonly cli: CliResult;
  readonly ctr: readonly QueryRow[];
  readonly conversions: readonly QueryRow[];
  readonly anomalies: readonly QueryRow[];
  readonly experiments: readonly QueryRow[];
  readonly quarantine: readonly QueryRow[];
}

/** Runs `wa-analytics demo` as a user would (a child process: the in-process API needs real ESM). */
async function demo(): Promise<Run> {
  const dataDir = join(tempDir('wa-demo-'), 'data');
  const cli = await runCli(['demo', '--days', String(DAYS), '--seed', String(SEED), '--data-dir', dataDir], {}, 600_000);
  const ctr = await queryRows(dataDir, `SELECT *, dt FROM daily_ctr ORDER BY dt, campaign_id, COALESCE(template_name, ''), button_id`);
  const conversions = await queryRows(
    dataDir,
    `SELECT *, dt FROM daily_conversions ORDER BY dt, campaign_id, COALESCE(template_name, ''), COALESCE(button_id, ''), conversion_name, COALESCE(currency, '')`,
  );
  const anomalies = await queryRows(dataDir, 'SELECT *, dt FROM anomalies ORDER BY dt, campaign_id, template_name, button_id NULLS FIRST, metric, kind');
  const experiments = await queryRows(dataDir, 'SELECT *, dt FROM experiments ORDER BY dt, experiment_id, metric, variant');
  const quarantine = await queryRows(dataDir, 'SELECT dt AS arrival_date, reason, COUNT(*) AS quarantined_rows FROM quarantine GROUP BY 1, 2 ORDER BY 1, 2');
  return { dataDir, cli, ctr, conversions, anomalies, experiments, quarantine };
}

/** Sums of prices in floating point (in any order: DuckDB adds in parallel) compared in cents. */
const cents = (rows: readonly Record<string, unknown>[]) => rows.map((r) => ({ ...r, value: typeof r.value === 'number' ? Math.round(r.value * 100) : r.value }));

let sim: Simulation;
let first: Run;
let second: Run;

beforeAll(async () => {
  sim = simulateDemo({ days: DAYS, seed: SEED });
  first = await demo();
  second = await demo();
}, 1_200_000);

afterAll(removeTempDirs);

describe('wa-analytics demo', () => {
  it('finishes cleanly', () => {
    expect(first.cli.stderr).toBe('');
    expect(first.cli.code).toBe(0);
  });

  it('writes daily_ctr equal, row for row, to what the simulation ground truth implies', () => {
    const truth = truthDailyCtr(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    expect(first.ctr.length).toBeGreaterThan(100);
    expect(first.ctr).toEqual(truth);
    // The campaign sent through Twilio is in it: its signed forms verified, its taps joined to the registered MessageSids.
    const twilio = first.ctr.filter((r) => r.campaign_id === 'appointments');
    expect(twilio.length).toBe(2 * sim.dates.length);
    expect(twilio.reduce((n, r) => n + Number(r.clicks), 0)).toBeGreaterThan(500);
  });

  it('writes daily_conversions equal, row for row, to the conversions the ground truth credits', () => {
    const truth = truthDailyConversions(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    expect(first.conversions.length).toBeGreaterThan(50);
    expect(cents(first.conversions)).toEqual(cents(truth));
    // Both currencies, attributed and unattributed, orders and posted conversions.
    expect(new Set(first.conversions.map((r) => r.currency))).toEqual(new Set(['BRL', 'MXN', null]));
    expect(first.conversions.some((r) => r.campaign_id === 'unattributed' && r.button_id === null)).toBe(true);
    expect(first.conversions.some((r) => r.conversion_name === 'order' && r.button_id === 'rewards_catalog')).toBe(true);
  });

  it('credits conversions in daily_ctr: conversions, converted messages and the rate the truth implies', () => {
    const totals = (rows: readonly Record<string, unknown>[]) => rows.reduce<number>((n, r) => n + Number(r.conversions ?? 0), 0);
    const truth = truthDailyCtr(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    expect(totals(first.ctr)).toBe(totals(truth));
    expect(totals(first.ctr)).toBeGreaterThan(100);
    const pick = (rows: readonly Record<string, unknown>[]) => rows.map((r) => [r.dt, r.campaign_id, r.button_id, r.conversions, r.converted_messages, r.conversion_rate]);
    expect(pick(first.ctr)).toEqual(pick(truth));
  });

  it('prints conversions and revenue per campaign and currency as the ground truth implies', () => {
    const totals = new Map<string, { conversions: number; cents: number | null }>();
    for (const r of truthDailyConversions(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! })) {
      const key = `${r.campaign_id}|${r.currency ?? '(no value)'}`;
      const t = totals.get(key) ?? { conversions: 0, cents: null };
      totals.set(key, { conversions: t.conversions + r.conversions, cents: r.value === null ? t.cents : (t.cents ?? 0) + Math.round(r.value * 100) });
    }
    expect(first.cli.stdout).toContain('Conversions and revenue by campaign (');
    expect(totals.size).toBeGreaterThan(5);
    for (const [key, t] of totals) {
      const [campaign, currency] = key.split('|') as [string, string];
      const revenue = t.cents === null ? '-' : (t.cents / 100).toFixed(2);
      expect(first.cli.stdout).toMatch(new RegExp(`\\n${campaign}\\s+${currency.replace(/[()]/g, '\\$&')}\\s+${t.conversions}\\s+${revenue.replace('.', '\\.')}\\n`));
    }
  });

  it('quarantines exactly the forged and malformed bodies it sent, each once, with its reason, and nothing honest', () => {
    const truth = truthQuarantine(sim);
    // The short history gets one of each kind: two forgeries, a truncated body, another product's webhook.
    expect(truth.map((r) => r.reason).sort()).toEqual(['bad_signature', 'bad_signature', 'malformed_json', 'not_whatsapp']);
    expect(first.quarantine).toEqual(truth);
    // The dashboard's quarantine panel draws them.
    const html = readFileSync(join(first.dataDir, 'report.html'), 'utf8');
    const panel = /<section class="card[^"]*" id="section-quarantine">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    for (const r of truth) expect(panel).toContain(`<td>${r.arrival_date}</td><td>${r.reason}</td><td class="num">1</td>`);
    expect(panel).not.toContain('Nothing quarantined');
  });

  it('catches every injected incident, and raises exactly the alerts the ground truth predicts', () => {
    expect(sim.incidents).toHaveLength(3);
    for (const incident of sim.incidents) expect(first.anomalies.filter((a) => alertMatches(a as unknown as DatedAnomalyRow, incident))).toHaveLength(1);
    expect(first.anomalies).toEqual(expectedAlerts(sim, 3));
  });

  it('calls the truly better variant the winner, never calls the A/A, and flags the broken split', () => {
    const last = sim.dates[sim.dates.length - 1]!;
    const of = (experimentId: string) => first.experiments.filter((r) => r.experiment_id === experimentId);
    const design = (kind: string) => demoExperiments.find((e) => e.kind === kind)!;
    // Evaluated every day of the demo, each experiment on both metrics.
    expect(new Set(first.experiments.map((r) => r.dt)).size).toBe(sim.dates.length);

    const winner = design('true_winner');
    const better = winner.arms.find((a) => a.tapFactor > 1)!;
    const onLast = of(winner.experimentId).filter((r) => r.dt === last && r.metric === 'ctr');
    const b = onLast.find((r) => r.variant === better.variant)!;
    expect(b).toMatchObject({ decision: 'winner', control_variant: 'control' });
    // The interval covers the lift the simulation built in (tap propensity × 1.4).
    expect(Number(b.lift_lower)).toBeLessThanOrEqual(better.tapFactor - 1);
    expect(Number(b.lift_upper)).toBeGreaterThanOrEqual(better.tapFactor - 1);
    expect(onLast.find((r) => r.variant === 'control')).toMatchObject({ decision: 'inconclusive', lift: null });

    // Read every day, the A/A is never called either way, on either metric.
    const aa = of(design('a_a').experimentId);
    expect(aa.length).toBe(4 * sim.dates.length);
    expect(aa.filter((r) => r.decision !== 'inconclusive')).toEqual([]);

    // The 62/38 split is a mismatch against the equal split it should have (no winner, ever, while it lasts).
    const broken = of(design('broken_split').experimentId).filter((r) => r.dt === last);
    expect(broken.length).toBe(4);
    for (const r of broken) expect(r).toMatchObject({ decision: 'srm' });
    expect(Number(broken[0]!.srm_p_value)).toBeLessThan(0.001);
    expect(first.cli.stdout).toContain(`Experiments on ${last}`);
    expect(first.cli.stdout).toMatch(/spring_cta_copy\s+ctr\s+urgent\s+\d+\s+\d+\s+[\d.]+%\s+\+[\d.]+%\s+\[\+[\d.]+%, \+[\d.]+%\]\s+\S+\s+winner/);
  });

  it('is deterministic: the same seed gives the same daily_ctr, daily_conversions, alerts and experiments', () => {
    expect(second.experiments).toEqual(first.experiments);
    expect(second.ctr).toEqual(first.ctr);
    expect(cents(second.conversions)).toEqual(cents(first.conversions));
    expect(second.anomalies).toEqual(first.anomalies);
    expect(second.quarantine).toEqual(first.quarantine);
  });

  it('prints the CTR table, the alerts and where everything is, and writes the dashboard', () => {
    const output = first.cli.stdout;
    expect(output).toContain('CTR by button, cohorts 2025-03-03 … 2025-03-13');
    expect(output).toMatch(/spring_sale\s+spring_offer_v3\s+1\s+shop_now \(Shop now\)/);
    expect(output).toContain('Alerts (3; injected: broken_button 2025-03-13, ctr_collapse 2025-03-13, delivery_outage 2025-03-13)');
    expect(output).toContain(`data dir:  ${first.dataDir}\n`);
    expect(output).toContain(`dashboard: ${join(first.dataDir, 'report.html')}\n`);
    expect(output).toContain(`wa-analytics query "SELECT dt, button_id`);
    expect(existsSync(join(first.dataDir, 'report.html'))).toBe(true);
    // The dashboard carries the conversion charts, revenue in each of the demo's two currencies.
    const html = readFileSync(join(first.dataDir, 'report.html'), 'utf8');
    for (const id of ['funnel', 'conversion-rate', 'revenue-brl', 'revenue-mxn', 'time-to-convert']) expect(html).toContain(`id="section-${id}"`);
  });
});

describe('wa-analytics demo input checks', () => {
  it('refuses a data directory that holds something other than an earlier demo', async () => {
    const dataDir = tempDir('wa-demo-other-');
    await writeFile(join(dataDir, 'keep.txt'), 'not a demo');
    await expect(runDemo({ days: DAYS, dataDir, progress: false, out: () => undefined })).rejects.toThrow(`${dataDir} already holds data that is not from a demo`);
    expect(existsSync(join(dataDir, 'keep.txt'))).toBe(true);
  });

  it('refuses --days below the incidents warm-up and a seed that is not a number', async () => {
    await expect(runDemoCommand({ days: '3' }, () => undefined, false)).rejects.toThrow(`--days must be a whole number from ${minDemoDays} to 366 (got "3")`);
    await expect(runDemoCommand({ seed: 'abc' }, () => undefined, false)).rejects.toThrow('--seed must be a whole number');
  });
});
