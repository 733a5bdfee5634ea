import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runBackfill } from '../../../services/cli/commands/backfill';
import { backfill, backfillDates, stepFunctionsRunner } from '../../../services/daily/backfill';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { InputError } from '../../../shared/errors';
import { writeRawLake } from '../../shared/daily/scenario';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:wa-analytics-prod-daily';

describe('backfill dates', () => {
  it('lists every date of the range in order', () => {
    expect(backfillDates('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('rejects a backwards range, an unreal date and a range too long, with one clear line', () => {
    expect(() => backfillDates('2024-05-03', '2024-05-01')).toThrow('the date range is backwards: --from 2024-05-03 is after --to 2024-05-01');
    expect(() => backfillDates('2024-02-30', '2024-03-01')).toThrow(InputError);
    expect(() => backfillDates('2020-01-01', '2024-01-01')).toThrow(/at most 366/);
    expect(() => backfillDates('9999-12-01', '9999-12-31')).toThrow(/^--from 9999-12-01 is outside 2000-01-01/);
    expect(() => backfillDates('1999-12-31', '2000-01-02')).toThrow(/^--from 1999-12-31 is outside/);
  });

  it('runs dates one at a time in order and stops at the first failure, saying how far it got', async () => {
    const seen: string[] = [];
    const run = async (date: string) => {
      seen.push(date);
      return { date, ok: date !== '2024-05-02', detail: date === '2024-05-02' ? 'FAILED' : 'ok' };
    };
    await expect(backfill(['2024-05-01', '2024-05-02', '2024-05-03'], run)).rejects.toThrow('backfill stopped at 2024-05-02 (1 of 3 dates done): FAILED');
    expect(seen).toEqual(['2024-05-01', '2024-05-02']);
  });
});

describe('backfill on a stage', () => {
  beforeEach(() => sfn.reset());

  it('starts one execution per date with the date and lookback as input and waits for each', async () => {
    let polls = 0;
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${ARN.replace('stateMachine', 'execution')}:${input.name}` }));
    sfn.on(DescribeExecutionCommand).callsFake(() => ({ status: ++polls % 2 === 1 ? 'RUNNING' : 'SUCCEEDED' }));
    const runOne = stepFunctionsRunner({ client: new SFNClient({ region: 'us-east-1' }), stateMachineArn: ARN, lookbackDays: 2, runId: 'r1', sleep: async () => undefined });
    const days = await backfill(['2024-05-01', '2024-05-02'], runOne);
    expect(days.map((d) => d.ok)).toEqual([true, true]);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: ARN, name: 'backfill-2024-05-01-r1', input: '{"date":"2024-05-01","lookbackDays":2}' },
      { stateMachineArn: ARN, name: 'backfill-2024-05-02-r1', input: '{"date":"2024-05-02","lookbackDays":2}' },
    ]);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(4);
  });

  it('reports a failed execution with its error and cause', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'States.TaskFailed', cause: 'Athena query failed' });
    const runOne = stepFunctionsRunner({ client: new SFNClient({ region: 'us-east-1' }), stateMachineArn: ARN, runId: 'r2', sleep: async () => undefined });
    await expect(backfill(['2024-05-01'], runOne)).rejects.toThrow('backfill stopped at 2024-05-01 (0 of 1 dates done): FAILED States.TaskFailed: Athena query failed');
  });

  it('turns missing credentials into one configuration line', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const runOne = stepFunctionsRunner({ client: new SFNClient({ region: 'us-east-1' }), stateMachineArn: ARN, runId: 'r3' });
    await expect(runOne('2024-05-01')).rejects.toThrow(/no AWS credentials for starting the workflow for 2024-05-01/);
  });
});

describe('local backfill', () => {
  let dataDir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wa-backfill-'));
    await writeRawLake((await LocalCatalog.open(dataDir)).lakeDir);
    process.env = { ...env, WA_TIMEZONE: 'UTC' };
    delete process.env.SLACK_WEBHOOK_URL;
  }, 60_000);

  afterAll(async () => {
    process.env = env;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the local workflow for each date and registers the daily_ctr partitions of every window', async () => {
    const out: string[] = [];
    const days = await runBackfill({ from: '2024-05-01', to: '2024-05-03', lookback: '1', dataDir }, (t) => out.push(t));
    expect(days.map((d) => [d.date, d.ok])).toEqual([
      ['2024-05-01', true],
      ['2024-05-02', true],
      ['2024-05-03', true],
    ]);
    expect(out.join('')).toContain('backfill done: 3 dates from 2024-05-01 to 2024-05-03');
    const catalog = await LocalCatalog.open(dataDir);
    expect(await catalog.listPartitions('daily_ctr')).toEqual(['2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03']);
    const engine = await LocalQueryEngine.open(catalog);
    try {
      const r = await engine.query('SELECT count(*) AS n FROM whatsapp_analytics.anomalies');
      expect(r.columns).toEqual(['n']);
    } finally {
      await engine.close();
    }
  });

  it('refuses --data-dir together with --stage', async () => {
    await expect(runBackfill({ from: '2024-05-01', to: '2024-05-01', dataDir, stage: 'prod' }, () => undefined)).rejects.toThrow('--data-dir is for a local backfill');
  });
});
