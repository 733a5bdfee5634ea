import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDaily } from '../../cli/commands/daily/run';
import { pushDeliveries } from '../../demo/push';
import { replayTimeHeader } from '../../local/replay';
import { openStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { rowsSelect } from '../../shared/daily/rows-select';
import { LocalPartitionWriter } from '../../shared/adapters/local/partition-writer';
import type { Delivery } from '../../shared/demo/types';
import { dailyCtrColumns } from '../../shared/schema/columns';
import { addDays } from '../../shared/time';
import { metaWebhook, type MetaStatusSpec, type MetaTapSpec } from '../support/webhooks';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-stand-in';

/*
 * The daily workflow, as `wa-analytics daily` runs it, posting to a Slack stand-in that enforces
 * Slack's limits and refuses control sequences. Sixty campaigns reach it through the local API
 * (registry sends, Meta statuses and taps), their ids, templates, button ids and titles written
 * to ping the channel, plant links, break formatting or overflow a block; twenty-five of them have
 * a history of taps and get none on the target date, so the digest has more anomalies than fit.
 */

const TARGET = '2026-03-10';
const secrets = { appSecret: 'hostile-app-secret', wasenderSecret: 'hostile-wasender-secret', registryToken: 'hostile-registry-token', twilioAuthToken: 'hostile-twilio-token' };
const at = (date: string, time: string) => Date.parse(`${date}T${time}Z`);

/** Strings that would mention, link, format or escape badly if any reached Slack as they are. */
const hostile = [
  '<!channel>',
  '<!here>',
  '<!everyone> now',
  '<@U024BE7LH>',
  '<#C024BE7LR|general>',
  '<!subteam^S0123|@oncall>',
  '<https://evil.example|click here>',
  '<mailto:ceo@example.com|mail>',
  'https://evil.example/login',
  'www.evil.example',
  '@channel look',
  '&lt;!channel&gt;',
  'a & b < c > d',
  '*bold* _it_ ~gone~',
  '```code``` `tick`',
  'line1\nline2',
  '\u001b[2J\u001b]0;owned\u0007',
  '\u202eevil',
];
const hostileOf = (i: number) => `${hostile[i % hostile.length]} #${i}`;
const longId = `<!channel>${'x'.repeat(20_000)}`;

interface Campaign {
  readonly id: string;
  readonly template: string;
  readonly button: { id: string; title: string };
  readonly messages: number;
  readonly taps: number;
  readonly history: boolean;
}

const campaigns: Campaign[] = Array.from({ length: 60 }, (_, i) => ({
  id: i === 59 ? longId : hostileOf(i),
  template: hostileOf(i + 7),
  button: { id: hostileOf(i + 3), title: hostileOf(i + 11) },
  // The first 25 have a history of about 30% taps and get none today: anomalies.
  messages: i < 25 ? 120 : 6,
  taps: i < 25 ? 0 : 2,
  history: i < 25,
}));

const phone = (c: number, m: number) => `55119${String(c).padStart(3, '0')}${String(m).padStart(5, '0')}`;
const outbound = (c: number, m: number) => `wamid.OUT${String(c).padStart(3, '0')}${String(m).padStart(5, '0')}`;

/** The target day's traffic: registry sends, delivered statuses, taps, in bodies of bounded size. */
function deliveries(): Delivery[] {
  const out: Delivery[] = [];
  const sendTs = at(TARGET, '09:00:00');
  const sends = campaigns.flatMap((c, ci) =>
    Array.from({ length: c.messages }, (_, m) => ({ wamid: outbound(ci, m), campaign_id: c.id, template_name: c.template, wa_id: phone(ci, m), sent_at: new Date(sendTs).toISOString(), buttons: [c.button] })),
  );
  const statuses: MetaStatusSpec[] = campaigns.flatMap((c, ci) =>
    Array.from({ length: c.messages }, (_, m) => ({ id: outbound(ci, m), status: 'delivered' as const, timestamp: sendTs / 1000 + 60, recipient: phone(ci, m) })),
  );
  const taps: MetaTapSpec[] = campaigns.flatMap((c, ci) =>
    Array.from({ length: c.taps }, (_, m) => ({ id: `wamid.IN${ci}-${m}`, from: phone(ci, m), timestamp: sendTs / 1000 + 600, contextId: outbound(ci, m), kind: 'button_reply' as const, buttonId: c.button.id, title: c.button.title })),
  );
  const arrival = at(TARGET, '12:00:00');
  // The long campaign id makes its sends ~20 KB each: a handful per body stays far below 1,000 KiB.
  for (let i = 0; i < sends.length; i += 20) out.push({ source: 'registry', body: JSON.stringify(sends.slice(i, i + 20)), arrivalTs: arrival });
  for (let i = 0; i < statuses.length; i += 200) out.push({ source: 'meta', body: JSON.stringify(metaWebhook({ statuses: statuses.slice(i, i + 200) })), arrivalTs: arrival });
  for (let i = 0; i < taps.length; i += 50) out.push({ source: 'meta', body: JSON.stringify(metaWebhook({ taps: taps.slice(i, i + 50) })), arrivalTs: arrival });
  return out;
}

/** daily_ctr partitions of the 28 days before the window: what earlier runs would have written. */
async function writeHistory(dataDir: string): Promise<void> {
  const catalog = await LocalCatalog.open(dataDir);
  const engine = await LocalQueryEngine.open(catalog);
  try {
    for (let d = 2; d <= 29; d++) {
      const rows = campaigns
        .filter((c) => c.history)
        .map((c, k) => ({
          campaign_id: c.id, template_name: c.template, button_id: c.button.id, button_title: c.button.title, button_position: 1,
          messages_sent: 120, messages_delivered: 120, messages_read: 90, clicks: 34 + ((d + k) % 5), clicked_messages: 34 + ((d + k) % 5),
          unique_users: 34 + ((d + k) % 5), ctr: (34 + ((d + k) % 5)) / 120, read_ctr: null, median_seconds_to_click: 300,
        }));
      await new LocalPartitionWriter({ catalog, engine }).write('daily_ctr', addDays(TARGET, -d), rowsSelect(dailyCtrColumns, rows));
    }
  } finally {
    await engine.close();
  }
}

let dataDir: string;
let slack: SlackStandIn;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wa-hostile-digest-'));
  slack = await startSlackStandIn();
  const env = { WA_APP_SECRET: secrets.appSecret, WASENDER_WEBHOOK_SECRET: secrets.wasenderSecret, WA_REGISTRY_TOKEN: secrets.registryToken, WA_TIMEZONE: 'UTC', WA_PII: 'hash', WA_PII_KEY: 'hostile-test-key' };
  const stack = await openStack({ config: readLocalConfig(env, { dataDir }), replayTimeHeader, inlineTransform: true, log: () => undefined });
  try {
    await pushDeliveries(stack.app, deliveries(), secrets);
  } finally {
    await stack.close();
  }
  await writeHistory(dataDir);
}, 120_000);

afterAll(async () => {
  await slack?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the daily digest against a Slack stand-in that enforces its limits', () => {
  it('is accepted with 60 hostile campaigns, and nothing in it mentions or links what the data put there', async () => {
    const out: string[] = [];
    const result = await runDaily({ date: TARGET, lookback: '1', dataDir }, (t) => out.push(t), { WA_TIMEZONE: 'UTC', SLACK_WEBHOOK_URL: slack.url });
    expect(result.status).toBe('SUCCEEDED');
    expect(slack.posts.map((p) => p.problems)).toEqual([[]]);
    const [digest] = slack.accepted();
    const blocks = digest!.blocks as Record<string, unknown>[];
    const everything = JSON.stringify(digest);

    // The data reached the digest: anomalies (more than fit) and headlines (more than fit).
    expect(result.output).toMatchObject({ anomalies: { anomalies: expect.any(Number) } });
    const found = (result.output as { anomalies: { anomalies: number } }).anomalies.anomalies;
    expect(found).toBeGreaterThanOrEqual(25);
    expect(blocks.filter((b) => JSON.stringify(b).includes(':rotating_light:'))).toHaveLength(20);
    expect(everything).toContain(`… and ${found - 20} more (query the anomalies table, dt = '${TARGET}')`);
    expect(everything).toMatch(/… and \d+ more campaigns \(query the daily_ctr table/);
    expect(blocks.length).toBeLessThanOrEqual(50);

    // Shown, escaped exactly once, as inline code: what Slack displays is the text itself.
    expect(everything).toContain('`&lt;!channel&gt; #');
    expect(everything).toContain('`&lt;https://evil.example|click here&gt; #');
    expect(everything).toContain('`&amp;lt;!channel&amp;gt; #');
    expect(everything).toContain('`\\\\x1b[2J\\\\x1b]0;owned\\\\x07 #');
    expect(everything).not.toContain('\\u001b');
    // The 20,000-character id is cut, not sent whole.
    expect(everything).not.toContain('x'.repeat(100));
  }, 120_000);
});
