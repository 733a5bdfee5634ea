import { generateSyntheticHistory } from '../../../shared/anomaly/synthetic';
import { createRandom, mulberry32 } from '../../../shared/random';

describe('generateSyntheticHistory', () => {
  const history = generateSyntheticHistory({ seed: 1 });
  const rowOf = (l: { dt: string; campaign_id: string; template_name: string | null; button_id: string | null }) =>
    history.rows.filter((r) => r.dt === l.dt && r.campaign_id === l.campaign_id && r.template_name === l.template_name && (l.button_id === null || r.button_id === l.button_id));

  it('is the same for the same seed and differs for another', () => {
    expect(generateSyntheticHistory({ seed: 1 })).toEqual(history);
    expect(generateSyntheticHistory({ seed: 2 }).rows).not.toEqual(history.rows);
  });

  it('labels enough events of every kind, only on evaluation dates', () => {
    const kinds = new Set(history.labels.map((l) => `${l.metric}/${l.kind}`));
    expect(kinds).toEqual(new Set(['ctr/drop', 'ctr/spike', 'clicks/zero', 'messages_delivered/drop']));
    expect(history.labels.length).toBeGreaterThanOrEqual(20);
    expect(history.evaluationDates[0]).toBe('2025-02-03');
    for (const l of history.labels) expect(history.evaluationDates).toContain(l.dt);
  });

  it('labels runs of several days of every kind, each day with the first day of its run', () => {
    const key = (l: { campaign_id: string; template_name: string | null; button_id: string | null; kind: string; incident_start: string }) =>
      JSON.stringify([l.campaign_id, l.template_name, l.button_id, l.kind, l.incident_start]);
    const runs = new Map<string, string[]>();
    for (const l of history.labels) runs.set(key(l), [...(runs.get(key(l)) ?? []), l.dt]);
    const multi = [...runs].filter(([, dts]) => dts.length > 1);
    expect(new Set(multi.map(([k]) => (JSON.parse(k) as string[])[3]))).toEqual(new Set(['drop', 'spike', 'zero']));
    expect(multi.some(([k]) => (JSON.parse(k) as (string | null)[])[2] === null)).toBe(true);
    for (const [k, dts] of runs) {
      const [campaign, template] = JSON.parse(k) as string[];
      // The run starts on its incident_start and covers every day the group sent in between.
      expect(dts[0]).toBe((JSON.parse(k) as string[])[4]);
      const sent = [...new Set(history.rows.filter((r) => r.campaign_id === campaign && r.template_name === template).map((r) => r.dt))].sort();
      expect(dts).toEqual(sent.slice(sent.indexOf(dts[0]!), sent.indexOf(dts[0]!) + dts.length));
    }
    expect(multi.length).toBeGreaterThanOrEqual(10);
  });

  it('matches each label with its rows: no taps on a zero day, every button on a collapse', () => {
    for (const l of history.labels) {
      const rows = rowOf(l);
      expect(rows.length).toBeGreaterThan(0);
      if (l.kind === 'zero') expect(rows.map((r) => [r.clicks, r.clicked_messages])).toEqual([[0, 0]]);
      if (l.metric === 'messages_delivered') expect(l.button_id).toBeNull();
      else expect(rows).toHaveLength(1);
    }
  });

  it.each([1, 205])('never labels a low-volume series (seed %i)', (seed) => {
    const h = seed === 1 ? history : generateSyntheticHistory({ seed });
    const delivered = new Map<string, number[]>();
    for (const r of h.rows) {
      const key = `${r.campaign_id}/${r.template_name}`;
      delivered.set(key, [...(delivered.get(key) ?? []), r.messages_delivered]);
    }
    const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const lowVolume = new Set([...delivered].filter(([, xs]) => medianOf(xs) < 100).map(([key]) => key));
    expect(lowVolume.size).toBeGreaterThan(0);
    expect(h.labels.filter((l) => lowVolume.has(`${l.campaign_id}/${l.template_name}`))).toEqual([]);
  });

  it('writes consistent daily_ctr rows', () => {
    const broken = history.rows.filter(
      (r) =>
        r.messages_delivered > r.messages_sent ||
        r.messages_read > r.messages_delivered ||
        r.clicked_messages > r.messages_read ||
        r.clicks < r.clicked_messages ||
        r.unique_users > r.clicked_messages ||
        r.ctr !== (r.messages_delivered > 0 ? r.clicked_messages / r.messages_delivered : null),
    );
    expect(history.rows.length).toBeGreaterThan(1000);
    expect(broken).toEqual([]);
  });
});

describe('shared/random', () => {
  it('mulberry32 matches a BigInt re-implementation of the algorithm', () => {
    const mask = (1n << 32n) - 1n;
    let state = 42n;
    const reference = (): number => {
      state = (state + 0x6d2b79f5n) & mask;
      let t = state;
      t = ((t ^ (t >> 15n)) * (t | 1n)) & mask;
      t = t ^ ((t + (((t ^ (t >> 7n)) * (t | 61n)) & mask)) & mask);
      return Number((t ^ (t >> 14n)) & mask) / 2 ** 32;
    };
    const rng = mulberry32(42);
    for (let i = 0; i < 100; i++) expect(rng()).toBe(reference());
  });

  it('samples binomials and Poissons with the right mean and variance', () => {
    const r = createRandom(7);
    const moments = (draw: () => number, n = 20_000): { mean: number; variance: number } => {
      const xs = Array.from({ length: n }, draw);
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) };
    };
    // Tolerances are about 5 standard errors of the estimates.
    const big = moments(() => r.binomial(1000, 0.1));
    expect(Math.abs(big.mean - 100)).toBeLessThan(0.35);
    expect(Math.abs(big.variance / 90 - 1)).toBeLessThan(0.05);
    const small = moments(() => r.binomial(12, 0.3));
    expect(Math.abs(small.mean - 3.6)).toBeLessThan(0.06);
    const poisson = moments(() => r.poisson(250));
    expect(Math.abs(poisson.mean - 250)).toBeLessThan(0.6);
    expect(Math.abs(poisson.variance / 250 - 1)).toBeLessThan(0.05);
    const few = moments(() => r.poisson(2.5));
    expect(Math.abs(few.mean - 2.5)).toBeLessThan(0.06);
    expect(Math.abs(few.variance / 2.5 - 1)).toBeLessThan(0.05);
  });

  it('handles the edges of the samplers', () => {
    const r = createRandom(3);
    expect(r.binomial(500, 0)).toBe(0);
    expect(r.binomial(500, 1)).toBe(500);
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.poisson(0)).toBe(0);
    expect(() => r.binomial(2.5, 0.5)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(2, 4);
      expect(k === 2 || k === 3 || k === 4).toBe(true);
    }
  });
});
