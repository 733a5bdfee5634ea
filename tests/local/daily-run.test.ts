import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { LocalCatalog } from '../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { SlackWebhookNotifier } from '../../shared/adapters/slack';
import type { ChatMessage, Notifier } from '../../shared/ports/notifier';
import { ThrottlingError, TransientError } from '../../shared/ports/retryable';
import type { DailyContext } from '../../services/daily/context';
import { localDailyContext } from '../../local/daily-context';
import { runDailyWorkflowLocal } from '../../local/daily-run';
import { anomaliesSelect } from '../../shared/daily/rows-select';
import { reportLinkExpiry, signReportLink, verifyReportLink } from '../../shared/report/link';
import { StorageError } from '../../shared/errors';
import { runReport } from '../../cli/commands/report/run';
import { writeRawLake } from '../shared/daily/scenario';
import { closeTempLake, openTempLake } from '../support/temp-lake';

/** Records posted messages instead of sending them. */
class RecordingNotifier implements Notifier {
  readonly messages: ChatMessage[] = [];
  async post(message: ChatMessage): Promise<void> {
    this.messages.push(message);
  }
}

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeEach(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-daily-run-', async (c) => void (await writeRawLake(c.lakeDir))));
}, 60_000);
afterEach(() => closeTempLake({ dataDir, catalog, engine }));

function context(notifier: Notifier): DailyContext {
  return localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: 7, notifier });
}

const run = (ctx: DailyContext, extra: Partial<Parameters<typeof runDailyWorkflowLocal>[1]> = {}) =>
  runDailyWorkflowLocal({ date: '2024-05-03', lookbackDays: 2, attributionDays: 1 }, { context: ctx, retryIntervalMs: 0, ...extra });

/** A real Slack stand-in on 127.0.0.1 answering a scripted list of statuses. */
async function slackServer(statuses: number[]) {
  const bodies: { text: string }[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      bodies.push(JSON.parse(data));
      const status = statuses[Math.min(bodies.length - 1, statuses.length - 1)]!;
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {});
      res.end(status === 200 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/X`;
  return { url, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('daily workflow under aws-local-stepfunctions', () => {
  it('runs every step on the happy path: partitions, curated events, daily_ctr, anomalies, one digest', async () => {
    const slack = new RecordingNotifier();
    const result = await run(context(slack));
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    // The window reaches 04-30, but no conversion credits a tap there: only the lookback's cohorts are rebuilt.
    const cohorts = ['2024-05-01', '2024-05-02', '2024-05-03'];
    expect(result.output).toMatchObject({ date: '2024-05-03', lookbackDays: 2, attributionDays: 1, days: cohorts, cohortDays: ['2024-04-30', ...cohorts], rebuild: { cohortDays: cohorts }, digest: { posted: true }, anomalies: { anomalies: 0 }, experiments: { experiments: 0, rows: 0 } });
    expect(result.calls.map((c) => c.state)).toEqual([
      'ResolveInput', 'RegisterRawPartitions',
      'RebuildCuratedPartition', 'RebuildCuratedPartition', 'RebuildCuratedPartition',
      'AttributionCohorts',
      ...cohorts.map(() => 'RebuildDailyCtrPartition'),
      ...cohorts.map(() => 'RebuildDailyConversionsPartition'),
      ...cohorts.map(() => 'RebuildDailyExperimentsPartition'),
      'EvaluateExperiments',
      'DetectAnomalies', 'PublishReport', 'PostDigest',
    ]);
    expect(await catalog.listPartitions('daily_ctr')).toEqual(cohorts);
    expect(await catalog.listPartitions('daily_conversions')).toEqual(cohorts);
    expect(await catalog.listPartitions('daily_experiments')).toEqual(cohorts);
    expect(await catalog.listPartitions('experiments')).toEqual(['2024-05-03']);
    expect(await catalog.listPartitions('anomalies')).toEqual(['2024-05-03']);
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]!.text).toContain('WhatsApp CTR digest 2024-05-03: no anomalies');
    expect(slack.messages[0]!.text).toMatch(/`spring`: CTR \d/);
  });

  it('carries the signed link of its date in the digest when the context issues report links (as on AWS), the page already published when it posts', async () => {
    const slack = new RecordingNotifier();
    const published: boolean[] = [];
    const page = () => join(catalog.lakeDir, 'reports', 'dt=2024-05-03', 'index.html');
    // What a reader clicking the link the moment Slack shows it would find.
    const watching: Notifier = { post: async (m) => (published.push(await readFile(page()).then(() => true, () => false)), slack.post(m)) };
    const secret = 'report-link-secret-for-tests-0123456789';
    const issuedAt = Date.UTC(2024, 4, 4, 2, 30);
    const reportLinks = { linkFor: async (date: string) => signReportLink({ apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod', date, exp: reportLinkExpiry(issuedAt, 30), secret }) };
    expect((await run({ ...context(watching), reportLinks })).status).toBe('SUCCEEDED');
    expect(published).toEqual([true]);
    const blocks = JSON.stringify(slack.messages[0]!.blocks);
    const m = /Dashboard of 2024-05-03: <(https:[^|>]+)\|open the dashboard>/.exec(blocks);
    expect(m).not.toBeNull();
    const link = new URL(m![1]!.replace(/&amp;/g, '&'));
    expect(link.pathname).toBe('/prod/reports/2024-05-03');
    expect(link.searchParams.get('exp')).toBe(String(Date.UTC(2024, 5, 3, 2, 30) / 1000));
    const presented = { date: '2024-05-03', exp: link.searchParams.get('exp'), sig: link.searchParams.get('sig') };
    expect(verifyReportLink(presented, secret, issuedAt / 1000)).toEqual({ ok: true, date: '2024-05-03', exp: Date.UTC(2024, 5, 3, 2, 30) / 1000 });
  });

  it('publishes the target date\'s dashboard before the digest: the last 28 days, the page `report --from --to` writes, into the lake folder', async () => {
    const result = await run(context(new RecordingNotifier()));
    expect(result.status).toBe('SUCCEEDED');
    const key = 'reports/dt=2024-05-03/index.html';
    const page = await readFile(join(catalog.lakeDir, ...key.split('/')), 'utf8');
    expect((result.output as { report: unknown }).report).toEqual({ key, from: '2024-04-06', to: '2024-05-03', bytes: Buffer.byteLength(page), scannedBytes: null });
    expect(page).toContain('Covers 2024-04-06 to 2024-05-03.');
    // The same dashboard as the command line's over that span, but for the time it was made.
    const out = join(dataDir, 'cli-report.html');
    await runReport({ dataDir, out, from: '2024-04-06', to: '2024-05-03' }, () => undefined, {});
    const generated = /Generated [^.]+\.\d+Z\./g;
    expect(page.replace(generated, 'Generated T.')).toBe((await readFile(out, 'utf8')).replace(generated, 'Generated T.'));
    expect(page).toMatch(generated);
  });

  it('retries the publish after a transient store failure, then posts the digest', async () => {
    const slack = new RecordingNotifier();
    const ctx = context(slack);
    let failures = 1;
    const flaky: DailyContext = {
      ...ctx,
      store: {
        getText: (k) => ctx.store.getText(k),
        deletePrefix: (p) => ctx.store.deletePrefix(p),
        putText: async (k, body, options) => {
          if (k.startsWith('reports/') && failures-- > 0) throw new TransientError('S3 PutObject: SlowDown');
          return ctx.store.putText(k, body, options);
        },
      },
    };
    const retried = await run(flaky);
    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.calls.filter((c) => c.state === 'PublishReport')).toEqual([
      { state: 'PublishReport', ok: false, error: 'TransientError' },
      { state: 'PublishReport', ok: true },
    ]);
    expect(retried.calls.map((c) => c.state).slice(-3)).toEqual(['PublishReport', 'PublishReport', 'PostDigest']);
  });

  it('posts the digest without a link when the dashboard cannot be published, saying so, then alerts and fails', async () => {
    const slack = new RecordingNotifier();
    const ctx = context(slack);
    // The bucket refuses reports/ only (a role without PutObject there): the digest marker is still written.
    const refusing: DailyContext = {
      ...ctx,
      store: {
        getText: (k) => ctx.store.getText(k),
        deletePrefix: (p) => ctx.store.deletePrefix(p),
        putText: async (k, body, options) => (k.startsWith('reports/') ? Promise.reject(new StorageError(`S3 PutObject ${k}: AccessDenied`)) : ctx.store.putText(k, body, options)),
      },
      reportLinks: { linkFor: async () => 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/reports/2024-05-03?exp=1&sig=x' },
    };
    const failed = await run(refusing);
    expect(failed.status).toBe('FAILED');
    expect(failed.calls.slice(-3)).toEqual([
      { state: 'PublishReport', ok: false, error: 'StorageError' },
      { state: 'PostDigest', ok: true },
      { state: 'NotifyFailure', ok: true },
    ]);
    expect(slack.messages).toHaveLength(2);
    const digestBlocks = JSON.stringify(slack.messages[0]!.blocks);
    expect(slack.messages[0]!.text).toContain('WhatsApp CTR digest 2024-05-03');
    expect(digestBlocks).not.toContain('open the dashboard');
    expect(digestBlocks).not.toContain('/reports/');
    expect(digestBlocks).toContain("The dashboard of 2024-05-03 could not be published; the workflow's failure alert says why.");
    expect(slack.messages[1]!.text).toMatch(/^WhatsApp analytics daily workflow FAILED for 2024-05-03\n```StorageError: S3 PutObject reports\/dt=2024-05-03\/index.html: AccessDenied/);
    // A re-run that publishes goes through without a second digest (the marker was written).
    const again = await run(ctx);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output).toMatchObject({ digest: { posted: false }, report: { key: 'reports/dt=2024-05-03/index.html' } });
    expect(slack.messages).toHaveLength(2);
  });

  it('posts no second digest when the same date runs again', async () => {
    const slack = new RecordingNotifier();
    expect((await run(context(slack))).status).toBe('SUCCEEDED');
    const again = await run(context(slack));
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output).toMatchObject({ digest: { posted: false } });
    expect(slack.messages).toHaveLength(1);
  });

  it('retries a transient engine failure and a throttled catalog, then succeeds', async () => {
    const slack = new RecordingNotifier();
    const ctx = context(slack);
    let engineFailures = 1;
    let throttles = 1;
    const flaky: DailyContext = {
      ...ctx,
      catalog: {
        listPartitions: (t) => ctx.catalog.listPartitions(t),
        registerPartitions: async (t, dts) => {
          if (throttles-- > 0) throw new ThrottlingError('Rate exceeded');
          return ctx.catalog.registerPartitions(t, dts);
        },
      },
      partitions: {
        write: async (table, dt, select) => {
          if (table === 'daily_ctr' && engineFailures-- > 0) throw new TransientError('Athena query FAILED: retryable');
          return ctx.partitions.write(table, dt, select);
        },
      },
    };
    const result = await run(flaky);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.calls.filter((c) => !c.ok)).toEqual([
      { state: 'RegisterRawPartitions', ok: false, error: 'ThrottlingError' },
      { state: 'RebuildDailyCtrPartition', ok: false, error: 'TransientError' },
    ]);
    expect(slack.messages).toHaveLength(1);
  });

  it('honours Slack 429 Retry-After and posts the digest once Slack accepts it', async () => {
    const server = await slackServer([429, 200]);
    try {
      const result = await run(context(new SlackWebhookNotifier(server.url)));
      expect(result.status).toBe('SUCCEEDED');
      expect(server.bodies).toHaveLength(2);
      expect(server.bodies[1]!.text).toContain('digest 2024-05-03');
    } finally {
      await server.close();
    }
  });

  it('takes the failure alert path when Slack answers 500, then fails', async () => {
    const server = await slackServer([500, 500, 200]);
    try {
      const result = await run(context(new SlackWebhookNotifier(server.url, { maxAttempts: 2, backoffMs: 1 })));
      expect(result.status).toBe('FAILED');
      expect(result.calls.slice(-2)).toEqual([
        { state: 'PostDigest', ok: false, error: 'NotifyError' },
        { state: 'NotifyFailure', ok: true },
      ]);
      expect(server.bodies).toHaveLength(3);
      expect(server.bodies[2]!.text).toMatch(/^WhatsApp analytics daily workflow FAILED for 2024-05-03\n```NotifyError: Slack answered 500/);
    } finally {
      await server.close();
    }
  });

  it('alerts and fails on an engine error that is not retryable, without a retry', async () => {
    const slack = new RecordingNotifier();
    const ctx = context(slack);
    const result = await run({ ...ctx, partitions: { write: async () => Promise.reject(Object.assign(new Error('SYNTAX_ERROR'), { name: 'QueryError' })) } });
    expect(result.status).toBe('FAILED');
    const rebuilds = result.calls.filter((c) => c.state === 'RebuildCuratedPartition');
    // At most one call per date of the window: QueryError is not in the Retry list.
    expect(rebuilds.length).toBeGreaterThanOrEqual(1);
    expect(rebuilds.length).toBeLessThanOrEqual(3);
    expect(rebuilds.every((c) => !c.ok && c.error === 'QueryError')).toBe(true);
    expect(slack.messages.map((m) => m.text.split('\n')[0])).toEqual(['WhatsApp analytics daily workflow FAILED for 2024-05-03']);
  });

  it('writes anomalies to their partition and lists them first in the digest', async () => {
    const slack = new RecordingNotifier();
    const ctx = context(slack);
    const anomaly = { campaign_id: 'spring', template_name: 'spring_v2', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.05, expected: 0.4, lower: 0.3, upper: 0.5, score: 12.5, baseline_days: 28, incident_start: null };
    const result = await run(ctx, {
      handlerOverrides: { DetectAnomalies: async () => (await ctx.partitions.write('anomalies', '2024-05-03', anomaliesSelect([anomaly])), { anomalies: 1 }) },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((await engine.query(`SELECT * EXCLUDE (dt) FROM anomalies WHERE dt = '2024-05-03'`)).rows).toEqual([anomaly]);
    const lines = slack.messages[0]!.text.split('\n');
    expect(lines[0]).toBe('WhatsApp CTR digest 2024-05-03: 1 anomaly');
    expect(lines[1]).toBe('DROP ctr on `spring` / `spring_v2` / `yes`: 5.0% vs 40.0% (expected 30.0%–50.0%)');
  });
});
