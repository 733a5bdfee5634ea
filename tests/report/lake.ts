import { mkdir, mkdtemp, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { lakePath, partitionKey } from '../../shared/adapters/local/lake';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { anomaliesSelect } from '../../shared/daily/anomalies-select';
import { partitionFileName } from '../../shared/adapters/local/partition-writer';
import { runDailyLocal } from '../../shared/daily/local-steps';
import { rawPartitionsToRegister } from '../../shared/daily/window';
import type { AnomalyRow } from '../../shared/schema/types';
import { duckdbCopy } from '../../shared/sql/dialect';
import { dateRange } from '../../shared/time';
import { writeRawLake } from '../shared/daily/scenario';

/**
 * A small real lake for the report: the daily scenario's webhooks through the real transform,
 * the daily workflow's SQL for every day (curated events, daily_ctr), and an anomalies partition
 * written the way the workflow writes it. Every report chart has rows to draw.
 */

export const LOOKBACK = 2;

/** Text that would break the page if it reached the HTML or a script element unescaped. */
export const hostileText = '</script><b id="injected">x</b><!--';

/** Alerts on series of the scenario, plus one whose campaign name is hostile. */
export const scenarioAlerts: (AnomalyRow & { dt: string })[] = [
  { dt: '2024-05-01', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.25, expected: 0.6, lower: 0.4, upper: 0.8, score: 4.2, baseline_days: 28, incident_start: null },
  { dt: '2024-05-03', campaign_id: 'spring', template_name: 'spring_v2', button_id: 'yes', metric: 'clicks', kind: 'spike', observed: 2, expected: 0.3, lower: 0, upper: 1, score: 3.1, baseline_days: 21, incident_start: null },
  { dt: '2024-05-02', campaign_id: hostileText, template_name: null, button_id: null, metric: 'messages_delivered', kind: 'zero', observed: 0, expected: 40, lower: 25, upper: 55, score: 6, baseline_days: 28, incident_start: null },
];

async function writeAnomalies(catalog: LocalCatalog, engine: LocalQueryEngine, dt: string, rows: readonly AnomalyRow[]): Promise<void> {
  const dir = lakePath(catalog.lakeDir, partitionKey('anomalies', dt));
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${partitionFileName}.tmp`);
  await engine.query(duckdbCopy({ select: anomaliesSelect(rows), file: temp }));
  await rename(temp, join(dir, partitionFileName));
  await catalog.registerPartitions('anomalies', [dt]);
}

/** Builds the lake in a new temporary data directory and returns that directory. */
export async function buildReportLake(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wa-report-'));
  const catalog = await LocalCatalog.open(dataDir);
  await writeRawLake(catalog.lakeDir);
  const engine = await LocalQueryEngine.open(catalog);
  try {
    for (const target of dateRange('2024-05-01', '2024-05-06')) {
      await catalog.registerPartitions('raw_events', rawPartitionsToRegister(target, LOOKBACK));
      await runDailyLocal({ catalog, engine }, target, { lookbackDays: LOOKBACK, attributionDays: 7 });
    }
    for (const dt of [...new Set(scenarioAlerts.map((a) => a.dt))]) {
      await writeAnomalies(catalog, engine, dt, scenarioAlerts.filter((a) => a.dt === dt).map(({ dt: _dt, ...row }) => row));
    }
  } finally {
    await engine.close();
  }
  return dataDir;
}
