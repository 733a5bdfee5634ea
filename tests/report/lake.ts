import { mkdir, mkdtemp, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { lakePath, partitionKey } from '../../shared/adapters/local/lake';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { anomaliesSelect, rowsSelect } from '../../shared/daily/rows-select';
import { LocalPartitionWriter, partitionFileName } from '../../shared/adapters/local/partition-writer';
import { runDailyLocal } from '../../shared/daily/local-steps';
import { rawPartitionsToRegister } from '../../shared/daily/window';
import { experimentColumns } from '../../shared/schema/columns';
import type { AnomalyRow } from '../../shared/schema/types';
import { duckdbCopy } from '../../shared/sql/dialect';
import { dateRange } from '../../shared/time';
import { at, writeRawLake } from '../shared/daily/scenario';
import { scenarioExperiments } from '../support/experiment-rows';
import { scenarioSettings, writeRawRequests, type RawRequest } from '../support/raw-lake';

/**
 * A small real lake for the report: the daily scenario's webhooks through the real transform,
 * conversions after its taps, the daily workflow's SQL for every day (curated events, daily_ctr,
 * daily_conversions), one daily_ctr partition rewritten as it was before conversions, an
 * anomalies partition written the way the workflow writes it, and the hand-made experiments rows
 * (tests/support/experiment-rows.ts) written by the local partition writer, one partition per
 * evaluation date. Every report chart has rows to draw.
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

/**
 * Conversions after the scenario's taps, in three currencies: posted purchases (one posted twice)
 * and a sign-up without value, a WhatsApp order, and a purchase by a user who never tapped.
 */
export function conversionRequests(): RawRequest[] {
  const posted = (id: string, user: string, time: number, name: string, money: { value: number; currency: string } | null) =>
    JSON.stringify({ conversion_id: id, wa_id: `+${user}`, name, occurred_at: new Date(time).toISOString(), ...(money ?? {}) });
  const rep1 = posted('rep-1', '15550000001', at('2024-05-01', '12:00:00'), 'purchase', { value: 120.5, currency: 'BRL' });
  const order = {
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
          contacts: [{ profile: { name: 'Customer' }, wa_id: '15550000004' }],
          messages: [{
            from: '15550000004', id: 'wamid.ORDER1', timestamp: String(at('2024-05-02', '09:00:00') / 1000), type: 'order',
            order: { catalog_id: '1293867519305781', product_items: [{ product_retailer_id: 'sku-mug', quantity: 2, item_price: 15, currency: 'USD' }] },
          }],
        },
      }],
    }],
  };
  return [
    { source: 'conversions', body: rep1, receivedTs: at('2024-05-01', '12:00:05') },
    { source: 'conversions', body: rep1, receivedTs: at('2024-05-01', '12:10:00') },
    { source: 'meta', body: JSON.stringify(order), receivedTs: at('2024-05-02', '09:00:02') },
    { source: 'conversions', body: posted('rep-2', '15550000006', at('2024-05-02', '15:00:00'), 'purchase', { value: 80, currency: 'EUR' }), receivedTs: at('2024-05-02', '15:00:05') },
    { source: 'conversions', body: posted('rep-4', '15550000005', at('2024-05-02', '20:00:00'), 'signup', null), receivedTs: at('2024-05-02', '20:00:05') },
    { source: 'conversions', body: posted('rep-3', '15550000099', at('2024-05-03', '10:00:00'), 'purchase', { value: 30, currency: 'BRL' }), receivedTs: at('2024-05-03', '10:00:05') },
  ];
}

/** The cohort whose daily_ctr partition is rewritten without the conversion columns, as partitions written before them are. */
export const oldCtrCohort = '2024-05-03';

/** Rewrites one daily_ctr partition without the columns conversions added (a partition from before them). */
async function dropConversionColumns(catalog: LocalCatalog, engine: LocalQueryEngine, dt: string): Promise<void> {
  const dir = lakePath(catalog.lakeDir, partitionKey('daily_ctr', dt));
  const temp = join(dir, `.${partitionFileName}.tmp`);
  await engine.query(duckdbCopy({ select: `SELECT * EXCLUDE (dt, conversions, converted_messages, conversion_rate) FROM daily_ctr WHERE dt = '${dt}'`, file: temp }));
  await rename(temp, join(dir, partitionFileName));
}

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
  await writeRawRequests(catalog.lakeDir, conversionRequests(), scenarioSettings, 'conversions-0001.gz');
  const engine = await LocalQueryEngine.open(catalog);
  try {
    for (const target of dateRange('2024-05-01', '2024-05-06')) {
      await catalog.registerPartitions('raw_events', rawPartitionsToRegister(target, LOOKBACK));
      await runDailyLocal({ catalog, engine }, target, { lookbackDays: LOOKBACK, attributionDays: 7 });
    }
    await dropConversionColumns(catalog, engine, oldCtrCohort);
    for (const dt of [...new Set(scenarioAlerts.map((a) => a.dt))]) {
      await writeAnomalies(catalog, engine, dt, scenarioAlerts.filter((a) => a.dt === dt).map(({ dt: _dt, ...row }) => row));
    }
    const writer = new LocalPartitionWriter({ catalog, engine });
    for (const dt of [...new Set(scenarioExperiments.map((r) => r.dt))]) {
      await writer.write('experiments', dt, rowsSelect(experimentColumns, scenarioExperiments.filter((r) => r.dt === dt).map(({ dt: _dt, ...row }) => row)));
    }
  } finally {
    await engine.close();
  }
  return dataDir;
}
