import type { LocalCatalog } from '../../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { writeRawRequests, type RawRequest } from '../../support/raw-lake';
import { closeTempLake, openTempLake, runDailyTargets } from '../../support/temp-lake';
import { metaWebhook, type MetaStatusSpec } from '../../support/webhooks';
import { at } from './scenario';

/*
 * Two days of an experiment's sends through the real transform and the daily SQL: which message
 * belongs to which arm, what counts as an exposure and as a success, and the declared split. The
 * expectations are counted by hand from the facts below.
 */

const windows = { lookbackDays: 2, attributionDays: 3 };
const buttons = [
  { id: 'yes', title: 'Yes' },
  { id: 'no', title: 'No' },
];

interface Send {
  wamid: string;
  to: string;
  sentAt: number;
  arm: Record<string, unknown> | null;
  status: MetaStatusSpec['status'] | null;
  callback?: string;
}

const day1 = (time: string) => at('2024-05-01', time);
const day2 = (time: string) => at('2024-05-02', time);

const sends: Send[] = [
  { wamid: 'wamid.E1', to: '15550002001', sentAt: day1('09:00:00'), arm: { experiment_id: 'cta', variant: 'control', split: { control: 1, b: 1 } }, status: 'delivered' },
  { wamid: 'wamid.E2', to: '15550002002', sentAt: day1('09:00:00'), arm: { experiment_id: 'cta', variant: 'control' }, status: 'read' },
  { wamid: 'wamid.E3', to: '15550002003', sentAt: day1('09:01:00'), arm: { experiment_id: 'cta', variant: 'b', split: { control: 1, b: 1 } }, status: 'delivered' },
  // Never delivered: an arm member, not an exposure; its tap (a client glitch) is no success.
  { wamid: 'wamid.E4', to: '15550002004', sentAt: day1('09:01:00'), arm: { experiment_id: 'cta', variant: 'b' }, status: 'failed' },
  // Known only from its status's callback data.
  { wamid: 'wamid.E5', to: '15550002005', sentAt: day1('09:02:00'), arm: null, status: 'delivered', callback: JSON.stringify({ campaign_id: 'spring', experiment_id: 'cta', variant: 'b' }) },
  // In no experiment.
  { wamid: 'wamid.E6', to: '15550002006', sentAt: day1('09:03:00'), arm: null, status: 'delivered' },
  // Day 2: the control, tapped on day 3 (counted in its cohort, day 2), and the later declaration of the split.
  { wamid: 'wamid.E7', to: '15550002007', sentAt: day2('08:00:00'), arm: { experiment_id: 'cta', variant: 'control', split: { control: 3, b: 1 } }, status: 'delivered' },
  // The registry's arm wins over a status naming another one.
  { wamid: 'wamid.E8', to: '15550002008', sentAt: day2('08:05:00'), arm: { experiment_id: 'other', variant: 'control' }, status: 'delivered', callback: JSON.stringify({ experiment_id: 'cta', variant: 'b' }) },
];

const taps = [
  { id: 'wamid.R1', from: '15550002001', at: day1('09:10:00'), context: 'wamid.E1' },
  // Two taps on one message: one tapped message.
  { id: 'wamid.R3', from: '15550002003', at: day1('09:20:00'), context: 'wamid.E3' },
  { id: 'wamid.R3b', from: '15550002003', at: day1('09:21:00'), context: 'wamid.E3' },
  { id: 'wamid.R4', from: '15550002004', at: day1('09:30:00'), context: 'wamid.E4' },
  { id: 'wamid.R7', from: '15550002007', at: at('2024-05-03', '07:00:00'), context: 'wamid.E7' },
];

function requests(): RawRequest[] {
  const out: RawRequest[] = [];
  for (const s of sends) {
    if (s.arm !== null) {
      const body = JSON.stringify({ wamid: s.wamid, campaign_id: 'spring', template_name: 'spring_v1', wa_id: `+${s.to}`, sent_at: new Date(s.sentAt).toISOString(), buttons, ...s.arm });
      out.push({ source: 'registry', body, receivedTs: s.sentAt + 1000 });
    }
    if (s.status !== null) {
      const status: MetaStatusSpec = { id: s.wamid, status: s.status, timestamp: (s.sentAt + 60_000) / 1000, recipient: s.to };
      if (s.callback !== undefined) status.callback = s.callback;
      out.push({ source: 'meta', body: JSON.stringify(metaWebhook({ statuses: [status] })), receivedTs: s.sentAt + 61_000 });
    }
  }
  for (const t of taps) {
    const body = metaWebhook({ taps: [{ id: t.id, from: t.from, timestamp: t.at / 1000, contextId: t.context, kind: 'button_reply', buttonId: 'yes', title: 'Yes' }] });
    out.push({ source: 'meta', body: JSON.stringify(body), receivedTs: t.at + 1000 });
  }
  // E3's user buys after the tap: a credited conversion of arm b.
  const purchase = { conversion_id: 'order-e3', wa_id: '+15550002003', name: 'purchase', occurred_at: new Date(day1('10:00:00')).toISOString(), value: 10, currency: 'EUR' };
  out.push({ source: 'conversions', body: JSON.stringify(purchase), receivedTs: day1('10:00:05') });
  return out;
}

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeAll(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-experiments-sql-', async (c) => void (await writeRawRequests(c.lakeDir, requests()))));
  await runDailyTargets({ catalog, engine }, ['2024-05-01', '2024-05-02', '2024-05-03'], windows);
}, 120_000);

afterAll(() => closeTempLake({ dataDir, catalog, engine }));

describe('daily_experiments', () => {
  it('counts delivered messages per arm and the tapped and converted ones among them, per cohort date', async () => {
    const { rows } = await engine.query(
      `SELECT dt, experiment_id, variant, metric, exposures, successes, declared_split FROM daily_experiments ORDER BY dt, experiment_id, metric, variant`,
    );
    expect(rows).toEqual([
      { dt: '2024-05-01', experiment_id: 'cta', variant: 'b', metric: 'conversion_rate', exposures: 2, successes: 1, declared_split: '{"b":1,"control":1}' },
      { dt: '2024-05-01', experiment_id: 'cta', variant: 'control', metric: 'conversion_rate', exposures: 2, successes: 0, declared_split: '{"b":1,"control":1}' },
      { dt: '2024-05-01', experiment_id: 'cta', variant: 'b', metric: 'ctr', exposures: 2, successes: 1, declared_split: '{"b":1,"control":1}' },
      { dt: '2024-05-01', experiment_id: 'cta', variant: 'control', metric: 'ctr', exposures: 2, successes: 1, declared_split: '{"b":1,"control":1}' },
      { dt: '2024-05-02', experiment_id: 'cta', variant: 'control', metric: 'conversion_rate', exposures: 1, successes: 0, declared_split: '{"b":1,"control":3}' },
      { dt: '2024-05-02', experiment_id: 'cta', variant: 'control', metric: 'ctr', exposures: 1, successes: 1, declared_split: '{"b":1,"control":3}' },
      { dt: '2024-05-02', experiment_id: 'other', variant: 'control', metric: 'conversion_rate', exposures: 1, successes: 0, declared_split: null },
      { dt: '2024-05-02', experiment_id: 'other', variant: 'control', metric: 'ctr', exposures: 1, successes: 0, declared_split: null },
    ]);
  });

  it('writes an empty partition for a cohort with no experiment', async () => {
    const { rows } = await engine.query(`SELECT COUNT(*) AS n FROM daily_experiments WHERE dt = '2024-05-03'`);
    expect(rows).toEqual([{ n: 0 }]);
    const partitions = await catalog.listPartitions('daily_experiments');
    expect(partitions).toContain('2024-05-03');
  });
});
