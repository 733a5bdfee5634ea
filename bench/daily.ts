import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalCatalog } from '../shared/adapters/local/catalog';
import { lakeDir, lakePath, partitionKey } from '../shared/adapters/local/lake';
import { LocalPartitionWriter } from '../shared/adapters/local/partition-writer';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import { anomaliesSelect } from '../shared/daily/rows-select';
import { rebuildPartitionLocal } from '../shared/daily/local-steps';
import { cohortDateWindow, cohortSpans, defaultAttributionDays, defaultLookbackDays, eventDateWindow } from '../shared/daily/window';
import { createPseudonymizer } from '../shared/pii';
import type { TableName } from '../shared/schema/tables';
import { addDays, dateRange } from '../shared/time';
import { digestMarkerKey } from '../services/daily/context';
import { runDaily } from '../cli/commands/daily/run';
import { type RawRequest, transformRequests } from '../tests/support/raw-lake';
import { metaWebhook, seeded, type MetaStatusSpec, type MetaTapSpec } from '../tests/support/webhooks';

/**
 * `daily`: does the local daily workflow's cost grow with history? Two lakes with the same
 * per-day traffic (registry sends, statuses, taps, conversions posted and ordered after taps and
 * without any, late arrivals and webhook retries, through the
 * real transform into gzip JSON lines under raw/events/dt=…, 24 hourly files a day):
 *
 * - the small lake holds only what the run reads (SPEC: the window plus the lookback) and one day
 *   more: `target − 2·lookback − 2 … target`;
 * - the big lake holds 90 days ending on the same target date.
 *
 * The days the run reads are byte-identical in both, and every day before the run's window has
 * its raw, curated `events`, `daily_ctr` and `anomalies` partitions, built by the same steps as
 * the workflow, so history exists in every table the run reads. Then the whole local workflow
 * (`wa-analytics daily --date <target>`, default lookback: catalog and engine open, ASL run,
 * digest) is timed on each lake, alternating, and the medians compared.
 */

const TARGET = '2025-06-30';
const BIG_DAYS = 90;
const REPS = 5;
const SENDS_PER_DAY = 1000;
const lookback = defaultLookbackDays;
const windows = { lookbackDays: lookback, attributionDays: defaultAttributionDays } as const;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const campaigns = [
  { id: 'summer_sale', template: 'summer_sale_v2', hour: 9, share: 0.5, buttons: [{ id: 'shop', title: 'Shop now' }, { id: 'later', title: 'Later' }, { id: 'stop', title: 'Stop' }], tapRate: 0.14 },
  { id: 'reorder', template: 'reorder_reminder', hour: 13, share: 0.3, buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }], tapRate: 0.22 },
  { id: 'survey', template: 'nps_survey', hour: 18, share: 0.2, buttons: [{ id: 'rate', title: 'Rate us' }], tapRate: 0.08 },
] as const;

const exp = (rand: () => number, mean: number) => -Math.log(1 - rand()) * mean;

/**
 * The requests whose facts start on `day` (sends of that day and everything that follows from
 * them: statuses, taps, retries), each with its arrival time. Seeded by the date, so a day's
 * traffic is the same in every lake.
 */
function dayTraffic(day: string): RawRequest[] {
  const rand = seeded(Number(day.replace(/-/g, '')));
  const start = Date.parse(`${day}T00:00:00Z`);
  const out: RawRequest[] = [];
  const meta = (statuses: MetaStatusSpec[], taps: MetaTapSpec[], at: number) => {
    const body = JSON.stringify(metaWebhook({ statuses, taps }));
    out.push({ source: 'meta', body, receivedTs: Math.round(at) });
    // About 1% of webhooks are delivered twice (Meta retries when the answer was slow).
    if (rand() < 0.01) out.push({ source: 'meta', body, receivedTs: Math.round(at) + 20 * SECOND });
  };
  let n = 0;
  for (const c of campaigns) {
    const count = Math.round(SENDS_PER_DAY * c.share);
    for (let i = 0; i < count; i++, n++) {
      const wamid = `wamid.HBgM${day.replace(/-/g, '')}${String(n).padStart(6, '0')}`;
      const to = `55119${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
      const sentAt = start + c.hour * HOUR + Math.floor(i / 12) * SECOND;
      const callback = JSON.stringify({ campaign_id: c.id, template_name: c.template });
      out.push({
        source: 'registry',
        body: JSON.stringify({ wamid, campaign_id: c.id, template_name: c.template, wa_id: `+${to}`, sent_at: new Date(sentAt).toISOString(), buttons: c.buttons }),
        receivedTs: sentAt + 300,
      });
      const status = (s: MetaStatusSpec['status'], at: number, arrival = at + SECOND) =>
        meta([{ id: wamid, status: s, timestamp: Math.floor(at / 1000), recipient: to, callback }], [], arrival);
      status('sent', sentAt + 2 * SECOND);
      if (rand() < 0.02) {
        status('failed', sentAt + 4 * SECOND);
        continue;
      }
      if (rand() < 0.05) continue; // never delivered (phone off for good)
      // Most devices are online; some get the message hours or a day or two later.
      const deliveredAt = rand() < 0.06 ? sentAt + Math.min(exp(rand, 12 * HOUR), 2 * DAY) : sentAt + 3 * SECOND + exp(rand, 20 * SECOND);
      status('delivered', deliveredAt);
      if (rand() > 0.62) continue;
      const readAt = deliveredAt + Math.min(exp(rand, 2 * HOUR), DAY);
      status('read', readAt);
      if (rand() > c.tapRate / 0.62) continue;
      const taps = rand() < 0.04 ? 2 : 1;
      for (let t = 0; t < taps; t++) {
        const button = c.buttons[Math.min(c.buttons.length - 1, Math.floor(exp(rand, 0.8)))]!;
        const tapAt = readAt + exp(rand, 10 * MINUTE) + t * MINUTE;
        // A tap made offline arrives when the phone is back (hours, sometimes the next day).
        const arrival = rand() < 0.04 ? tapAt + HOUR + rand() * 30 * HOUR : tapAt + SECOND;
        const kind: MetaTapSpec['kind'] = t === 0 && rand() < 0.5 ? 'quick_reply' : 'button_reply';
        meta([], [{ id: `${wamid}.tap${t}`, from: to, timestamp: Math.floor(tapAt / 1000), contextId: wamid, kind, buttonId: button.id, title: button.title }], arrival);
        // A fifth of the taps lead to a purchase, minutes to days later (some past the window).
        if (t === 0 && rand() < 0.2) conversion(`${wamid}.buy`, to, tapAt + exp(rand, 2 * DAY), rand() < 0.5 ? c.id : null);
      }
    }
  }
  // Buyers who never tapped: unattributed.
  for (let i = 0; i < SENDS_PER_DAY / 50; i++) conversion(`walkin-${day}-${i}`, `55119${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`, start + rand() * DAY, null);
  return out;

  function conversion(id: string, user: string, at: number, campaign: string | null): void {
    if (rand() < 0.25) {
      // A WhatsApp cart: an order message through the Meta webhook.
      const order = { catalog_id: 'cat-1', product_items: [{ product_retailer_id: 'sku-1', quantity: 1 + Math.floor(rand() * 3), item_price: 19.9, currency: 'EUR' }] };
      const body = { object: 'whatsapp_business_account', entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: 'pn' }, messages: [{ from: user, id: `wamid.${id}`, timestamp: String(Math.floor(at / 1000)), type: 'order', order }] } }] }] };
      out.push({ source: 'meta', body: JSON.stringify(body), receivedTs: Math.round(at) + SECOND });
      return;
    }
    const posted = { conversion_id: id, wa_id: `+${user}`, name: 'purchase', occurred_at: new Date(at).toISOString(), value: Math.round(rand() * 20000) / 100, currency: rand() < 0.8 ? 'EUR' : 'USD', ...(campaign === null ? {} : { campaign_id: campaign }) };
    const body = JSON.stringify(posted);
    // The shop posts within the hour; one in twenty is posted twice.
    const arrival = Math.round(at + rand() * HOUR);
    out.push({ source: 'conversions', body, receivedTs: arrival });
    if (rand() < 0.05) out.push({ source: 'conversions', body, receivedTs: arrival + MINUTE });
  }
}

const transformSettings = { metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('hash', 'bench-pii-key') };

/**
 * Writes the raw lake of the days `from … TARGET`: the traffic of those days through the real
 * transform, one Firehose batch (one gzip file) per arrival hour. Arrivals after the target date
 * have not happened yet. Returns the rows written per arrival day.
 */
async function writeRaw(lakeRoot: string, days: readonly string[]): Promise<Map<string, number>> {
  const last = Date.parse(`${TARGET}T00:00:00Z`) + DAY;
  const byHour = new Map<string, RawRequest[]>();
  for (const day of days) {
    for (const r of dayTraffic(day)) {
      if (r.receivedTs >= last) continue;
      const key = new Date(r.receivedTs).toISOString().slice(0, 13);
      let list = byHour.get(key);
      if (list === undefined) {
        list = [];
        byHour.set(key, list);
      }
      list.push(r);
    }
  }
  const rowsPerDay = new Map<string, number>();
  for (const [hour, reqs] of [...byHour].sort(([a], [b]) => (a < b ? -1 : 1))) {
    reqs.sort((a, b) => a.receivedTs - b.receivedTs);
    const day = hour.slice(0, 10);
    const { lines, stats } = transformRequests(reqs, transformSettings, hour);
    if (stats.failed > 0) throw new Error(`bench traffic of ${hour} did not transform cleanly: ${JSON.stringify(stats.failures)} ${JSON.stringify(stats.quarantinedByReason)}`);
    const dir = lakePath(lakeRoot, partitionKey('raw_events', day));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `wa-analytics-bench-1-${hour.replace('T', '-')}-00-00-0001.gz`), gzipSync(Buffer.from(`${lines.join('\n')}\n`)));
    rowsPerDay.set(day, (rowsPerDay.get(day) ?? 0) + lines.length);
  }
  return rowsPerDay;
}

/** First day the run for TARGET reads (curated events of the oldest cohort's source span). */
const firstDayRead = cohortSpans(cohortDateWindow(TARGET, lookback, windows.attributionDays)[0]!, lookback, windows.attributionDays).read.from;

/**
 * A lake of `days` days ending on TARGET: raw partitions registered (as the stream does on each
 * flush), and every day before the run's window rebuilt as an earlier daily run left it.
 */
async function buildLake(days: number): Promise<{ dataDir: string; rowsPerDay: Map<string, number> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `wa-bench-daily-${days}d-`));
  const catalog = await LocalCatalog.open(dataDir);
  const all = dateRange(addDays(TARGET, -(days - 1)), TARGET);
  const rowsPerDay = await writeRaw(catalog.lakeDir, all);
  await catalog.registerPartitions('raw_events', all);
  const before = all.filter((d) => d < eventDateWindow(TARGET, lookback)[0]!);
  const engine = await LocalQueryEngine.open(catalog);
  // The history is written by the workflow's own steps, one table at a time; each table's
  // partitions are registered together once written (none reads its own table), so the engine
  // redefines its tables three times instead of after every partition.
  const pending: string[] = [];
  const deferring = Object.assign(Object.create(catalog) as LocalCatalog, {
    registerPartitions: async (_table: string, dts: readonly string[]) => void pending.push(...dts),
  });
  const steps = { catalog: deferring, engine };
  const flush = async (table: TableName) => {
    await catalog.registerPartitions(table, pending.splice(0));
  };
  try {
    for (const dt of before) await rebuildPartitionLocal(steps, 'events', dt, windows);
    await flush('events');
    for (const dt of before) await rebuildPartitionLocal(steps, 'daily_ctr', dt, windows);
    await flush('daily_ctr');
    for (const dt of before) await rebuildPartitionLocal(steps, 'daily_conversions', dt, windows);
    await flush('daily_conversions');
    for (const dt of before) await new LocalPartitionWriter(steps).write('anomalies', dt, anomaliesSelect([]));
    await flush('anomalies');
  } finally {
    await engine.close();
  }
  return { dataDir, rowsPerDay };
}

/** One `wa-analytics daily --date TARGET` on a lake, in seconds; the digest marker is removed first so every run does the same work. */
async function timeRun(dataDir: string): Promise<number> {
  await rm(lakePath(lakeDir(dataDir), digestMarkerKey(TARGET)), { force: true });
  const t = process.hrtime.bigint();
  const result = await runDaily({ date: TARGET, dataDir }, () => undefined, { WA_TIMEZONE: 'UTC' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (result.status !== 'SUCCEEDED') throw new Error(`daily run failed on ${dataDir}`);
  return seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The local daily workflow on 90 days of history against the same run on (almost) none, side by side. */
export async function dailyBench(): Promise<Record<string, number>> {
  const smallDays = Math.round((Date.parse(TARGET) - Date.parse(firstDayRead)) / DAY) + 2;
  const t0 = Date.now();
  const small = await buildLake(smallDays);
  const big = await buildLake(BIG_DAYS);
  process.stderr.write(`bench: daily lakes of ${smallDays} and ${BIG_DAYS} days built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  try {
    // One warm-up each (first run creates the window's partitions), then alternate.
    await timeRun(small.dataDir);
    await timeRun(big.dataDir);
    const smallS: number[] = [];
    const bigS: number[] = [];
    for (let i = 0; i < REPS; i++) {
      smallS.push(await timeRun(small.dataDir));
      bigS.push(await timeRun(big.dataDir));
    }
    const full = [...big.rowsPerDay.entries()].filter(([d]) => d >= firstDayRead && d < TARGET).map(([, n]) => n);
    return {
      daily_s_1d_history: Number(median(smallS).toFixed(3)),
      daily_s_90d_history: Number(median(bigS).toFixed(3)),
      daily_history_ratio: Number((median(bigS) / median(smallS)).toFixed(3)),
      daily_rows_per_day: Math.round(full.reduce((a, b) => a + b, 0) / full.length),
    };
  } finally {
    await rm(small.dataDir, { recursive: true, force: true });
    await rm(big.dataDir, { recursive: true, force: true });
  }
}
