import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runBackfill } from '../../cli/commands/backfill/run';
import { backfill, backfillDates, stepFunctionsRunner } from '../../cli/ops/backfill';
import { formatTimeout, parseTimeout } from '../../cli/ops/execution-timeout';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { InputError } from '../../shared/errors';
import { writeRawLake } from '../shared/daily/scenario';
import { stackAnswer } from './ops/ops-fixtures';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
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
    await expect(backfill(['2024-05-01', '2024-05-02', '2024-05-03'], run)).rejects.toThrow('backfill stopped at 2024-05-02 (1 of 3 dates done: 2024-05-01): FAILED');
    expect(seen).toEqual(['2024-05-01', '2024-05-02']);
  });
});

describe('backfill timeout', () => {
  it('reads seconds, minutes and hours, a bare number as seconds', () => {
    expect(parseTimeout('6h')).toBe(21_600_000);
    expect(parseTimeout('90m')).toBe(5_400_000);
    expect(parseTimeout('45s')).toBe(45_000);
    expect(parseTimeout('120')).toBe(120_000);
    expect([formatTimeout(21_600_000), formatTimeout(5_400_000), formatTimeout(45_000)]).toEqual(['6h', '90m', '45s']);
  });

  it('refuses anything else with one line', () => {
    for (const text of ['0s', '1.5h', '2d', 'six hours', '-5m', '', '9000h']) expect(() => parseTimeout(text)).toThrow(InputError);
    expect(() => parseTimeout('2d')).toThrow('--timeout must be a duration like 90s, 45m or 6h, from 1s to 366 days (got "2d")');
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

  it('gives up on an execution still running after the timeout, leaves it running and says how far it got', async () => {
    // A virtual clock that the polling sleep advances: no real waiting.
    let clock = 0;
    const sleep = async (ms: number) => void (clock += ms);
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${ARN.replace('stateMachine', 'execution')}:${input.name}` }));
    let described = 0;
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      described++;
      return { status: input.executionArn.includes('2024-05-01') ? 'SUCCEEDED' : 'RUNNING' };
    });
    const runOne = stepFunctionsRunner({ client: new SFNClient({ region: 'us-east-1' }), stateMachineArn: ARN, runId: 'r4', timeoutMs: parseTimeout('1m'), pollMs: 5000, sleep, now: () => clock });
    const running = `${ARN.replace('stateMachine', 'execution')}:backfill-2024-05-02-r4`;
    await expect(backfill(['2024-05-01', '2024-05-02', '2024-05-03'], runOne)).rejects.toThrow(
      `backfill stopped at 2024-05-02 (1 of 3 dates done: 2024-05-01): execution ${running} still RUNNING after --timeout 1m; it was left running ` +
        `(watch it in the Step Functions console, or stop it with aws stepfunctions stop-execution --execution-arn ${running}), then run the backfill again from --from 2024-05-02`,
    );
    // 2024-05-01: one look. 2024-05-02: at 0, 5, …, 60 s, then the deadline. 2024-05-03 never starts.
    expect(described).toBe(1 + 13);
    expect(clock).toBe(60_000);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual(['backfill-2024-05-01-r4', 'backfill-2024-05-02-r4']);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('takes --timeout from the command line, 6 h by default, and refuses it for a local backfill', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves(stackAnswer());
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:wa-analytics-prod-daily:x' });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    for (const [flag, waited] of [['2m', 120_000], [undefined, 6 * 3_600_000]] as const) {
      let clock = 0;
      const run = runBackfill({ from: '2024-05-01', to: '2024-05-02', stage: 'prod', timeout: flag }, () => undefined, { sfn: new SFNClient({ region: 'eu-west-1' }), sleep: async (ms) => void (clock += ms), now: () => clock });
      await expect(run).rejects.toThrow(`backfill stopped at 2024-05-01 (0 of 2 dates done): execution arn:aws:states:eu-west-1:123456789012:execution:wa-analytics-prod-daily:x still RUNNING after --timeout ${formatTimeout(waited)};`);
      expect(clock).toBe(waited);
    }
    await expect(runBackfill({ from: '2024-05-01', to: '2024-05-01', timeout: '1h' }, () => undefined)).rejects.toThrow(new InputError('--timeout is for a backfill on a stage (--stage): a local run has no execution to wait for'));
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
    // No conversion in this lake: each run rebuilds its lookback's cohorts only.
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
