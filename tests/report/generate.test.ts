import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runReport } from '../../cli/commands/report/run';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { InputError } from '../../shared/errors';
import { loadReportData, renderReportSql, reportQueryNames, type ReportData } from '../../shared/report/queries';
import { scenarioExperiments } from '../support/experiment-rows';
import { buildReportLake } from './lake';

const run = promisify(execFile);
const bin = resolve(__dirname, '../../bin/wa-analytics.cjs');

let dataDir: string;
let data: ReportData;
const scratch: string[] = [];

beforeAll(async () => {
  dataDir = await buildReportLake();
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  try {
    data = await loadReportData(engine);
  } finally {
    await engine.close();
  }
}, 180_000);

afterAll(async () => {
  for (const dir of [dataDir, ...scratch]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wa-report-out-'));
  scratch.push(dir);
  return dir;
}

describe('report queries on the daily scenario lake', () => {
  it('render for the local engine against the qualified tables, with no placeholder left', () => {
    for (const name of reportQueryNames) {
      const sql = renderReportSql(name);
      expect(sql).toMatch(/whatsapp_analytics\.(daily_ctr|daily_conversions|events|raw_events|anomalies|experiments)\b/);
      expect(sql).not.toContain('{{');
    }
  });

  it('count the funnel per campaign once per message, late taps included', () => {
    // spring: M1–M4, M7, M8 sent; M3 failed; M1, M2 (late), M4, M8 read; every message but M3 tapped.
    // Converted, from daily_ctr: spring M1 (rep-1 on T1) and M4 (the order on T4), promo-b M5
    // (the sign-up on T5), unattributed M6 (rep-2 on T6).
    expect(data.funnel).toEqual([
      { campaign_id: 'spring', messages_sent: 6, messages_delivered: 5, messages_read: 4, messages_tapped: 5, messages_converted: 2, conversions: 2 },
      { campaign_id: 'promo-b', messages_sent: 1, messages_delivered: 1, messages_read: 1, messages_tapped: 1, messages_converted: 1, conversions: 1 },
      { campaign_id: 'unattributed', messages_sent: 1, messages_delivered: 1, messages_read: 0, messages_tapped: 1, messages_converted: 1, conversions: 1 },
    ]);
  });

  it('take the conversion rate per button from daily_ctr, leaving out a partition written before conversions', () => {
    // spring_v2 (cohort 2024-05-03, the rewritten partition) has no conversion columns: not listed.
    const key = (campaign_id: string, template_name: string | null, button_id: string, button_title: string) => ({ campaign_id, template_name, button_id, button_title });
    expect(data.conversionByButton).toEqual([
      { ...key('promo-b', null, 'flow_b', 'Tell us more'), clicked_messages: 1, converted_messages: 1, conversions: 1, conversion_rate: 1 },
      // T4 (no) came a minute after T3 (yes): the order is the no button's.
      { ...key('spring', 'spring_v1', 'no', 'No'), clicked_messages: 2, converted_messages: 1, conversions: 1, conversion_rate: 0.5 },
      { ...key('spring', 'spring_v1', 'yes', 'Yes'), clicked_messages: 2, converted_messages: 1, conversions: 1, conversion_rate: 0.5 },
      { ...key('unattributed', null, 'x1', 'Shop now'), clicked_messages: 1, converted_messages: 1, conversions: 1, conversion_rate: 1 },
      { ...key('unattributed', null, 'yes', 'Yes'), clicked_messages: 1, converted_messages: 0, conversions: 0, conversion_rate: 0 },
    ]);
  });

  it('take revenue per button and currency from daily_conversions, the duplicate post counted once', () => {
    const key = (campaign_id: string, template_name: string | null, button_id: string | null, button_title: string | null) => ({ campaign_id, template_name, button_id, button_title });
    expect(data.revenueByButton).toEqual([
      { ...key('spring', 'spring_v1', 'yes', 'Yes'), currency: 'BRL', conversions: 1, revenue: 120.5 },
      // rep-3: a user who never tapped.
      { ...key('unattributed', null, null, null), currency: 'BRL', conversions: 1, revenue: 30 },
      { ...key('unattributed', null, 'x1', 'Shop now'), currency: 'EUR', conversions: 1, revenue: 80 },
      { ...key('spring', 'spring_v1', 'no', 'No'), currency: 'USD', conversions: 1, revenue: 30 },
      { ...key('promo-b', null, 'flow_b', 'Tell us more'), currency: null, conversions: 1, revenue: null },
    ]);
  });

  it('take the time from tap to conversion per button from daily_conversions', () => {
    expect(data.timeToConvert.map((r) => [r.campaign_id, r.button_id, r.conversions, r.typical_seconds])).toEqual([
      ['promo-b', 'flow_b', 1, 11 * 3600 + 55 * 60],
      ['spring', 'no', 1, 22 * 3600 + 56 * 60],
      ['spring', 'yes', 1, 2 * 3600 + 50 * 60],
      ['unattributed', 'x1', 1, 3.5 * 3600],
    ]);
  });

  it('take CTR by position from daily_ctr with the right denominator per position', () => {
    expect(data.ctrByPosition).toEqual([
      { button_position: 1, messages_delivered: 5, clicked_messages: 4, clicks: 4, ctr: 0.8 },
      { button_position: 2, messages_delivered: 5, clicked_messages: 2, clicks: 2, ctr: 0.4 },
      { button_position: 3, messages_delivered: 3, clicked_messages: 0, clicks: 0, ctr: 0 },
    ]);
    expect(data.ctrOverTime).toHaveLength(8);
  });

  it('bucket time to tap from the first delivery status (T7 has none, T8 waited 3 days)', () => {
    expect(data.timeToTap).toEqual([
      { lower_seconds: 60, taps: 3 },
      { lower_seconds: 300, taps: 3 },
      { lower_seconds: 900, taps: 1 },
      { lower_seconds: 86_400, taps: 1 },
      { lower_seconds: 259_200, taps: 1 },
    ]);
  });

  it('count daily volume by event date and quarantine by arrival date and reason', () => {
    expect(data.dailyVolume.map((r) => r.day)).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
    expect(data.dailyVolume[0]).toEqual({ day: '2024-05-01', messages_sent: 4, messages_delivered: 3, taps: 3 });
    expect(data.quarantine).toEqual([{ arrival_date: '2024-05-02', reason: 'malformed_json', quarantined_rows: 1 }]);
  });

  it('read every experiments row the partition writer wrote, typed as the schema says, per experiment, metric, date and variant', () => {
    expect(data.experiments).toEqual(scenarioExperiments);
  });

  it('list alerts newest first', () => {
    expect(data.alerts.map((a) => a.dt)).toEqual(['2024-05-03', '2024-05-02', '2024-05-01']);
    expect(data.alerts[2]).toMatchObject({ metric: 'ctr', kind: 'drop', observed: 0.25, lower: 0.4, upper: 0.8, baseline_days: 28 });
  });
});

describe('report on a lake with no partitions (an experiments table never written)', () => {
  it('reads no rows and writes a page whose experiments section says there is none yet', async () => {
    const empty = await tempDir();
    const engine = await LocalQueryEngine.open(await LocalCatalog.open(empty));
    try {
      const rows = await loadReportData(engine);
      expect(rows.experiments).toEqual([]);
      expect(rows.ctrOverTime).toEqual([]);
    } finally {
      await engine.close();
    }
    const report = await runReport({ dataDir: empty }, () => undefined, {});
    const html = await readFile(report.path, 'utf8');
    expect(/<section class="card[^"]*" id="section-experiments">[\s\S]*?<\/section>/.exec(html)?.[0]).toContain('No experiment evaluated yet');
  });
});

describe('wa-analytics report', () => {
  it('writes <data dir>/report.html by default, prints its path and leaves no temporary file', async () => {
    let out = '';
    const report = await runReport({ dataDir }, (text) => (out += text), {});
    expect(report.path).toBe(join(dataDir, 'report.html'));
    expect(out).toBe(`${report.path}\n`);
    const html = await readFile(report.path, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(report.bytes).toBe(Buffer.byteLength(html));
    expect((await readdir(dataDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes to --out, creating its folder', async () => {
    const out = join(await tempDir(), 'nested', 'dash.html');
    await runReport({ dataDir, out }, () => undefined, {});
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a missing data directory without creating anything', async () => {
    const missing = join(await tempDir(), 'nope');
    await expect(runReport({ dataDir: missing }, () => undefined, {})).rejects.toThrow(InputError);
    await expect(runReport({ dataDir: missing }, () => undefined, {})).rejects.toThrow(/no local data at/);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a folder that is not a data directory, leaving it untouched', async () => {
    const dir = await tempDir();
    await expect(runReport({ dataDir: dir }, () => undefined, {})).rejects.toThrow(/not a wa-analytics data directory/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('prints one clear line and exits non-zero from the command line', async () => {
    const missing = join(await tempDir(), 'nope');
    const result = await run(process.execPath, [bin, 'report', '--data-dir', missing]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`wa-analytics: input error: no local data at ${missing} (run wa-analytics start or demo first, or pass --data-dir)\n`);
  }, 30_000);
});
