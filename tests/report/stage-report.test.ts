import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type ResultSet } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReport } from '../../cli/commands/report/run';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { InputError, QueryError } from '../../shared/errors';
import type { QueryResult, QueryValue } from '../../shared/ports/query-engine';
import { loadReportData, renderReportSql, reportQueryNames } from '../../shared/report/queries';
import { buildReportLake } from './lake';

/*
 * `report --stage` through the Athena adapter against exact requests (aws-sdk-client-mock): each
 * report query's Athena text, in the stage's workgroup and database, answered with what the same
 * query (its DuckDB text) returns on the report lake, encoded the way Athena encodes a result set.
 * The page must then be the one the local lake gives over the same span.
 */

const athena = mockClient(AthenaClient);
const cfn = mockClient(CloudFormationClient);
const now = () => new Date('2024-05-10T12:00:00.000Z');
const span = { from: '2024-05-02', to: '2024-05-03' };
const dev = { dialect: 'athena', database: 'whatsapp_analytics_dev', span } as const;

let dataDir: string;
let scratch: string;
/** Athena SQL text -> what the local engine answered to the same query. */
const answers = new Map<string, QueryResult>();

beforeAll(async () => {
  dataDir = await buildReportLake();
  scratch = await mkdtemp(join(tmpdir(), 'wa-stage-report-'));
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  try {
    for (const name of reportQueryNames) answers.set(renderReportSql(name, dev), await engine.query(renderReportSql(name, { span })));
  } finally {
    await engine.close();
  }
}, 180_000);

afterAll(async () => {
  for (const dir of [dataDir, scratch]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  athena.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'wa-analytics-dev' }).resolves({
    Stacks: [{
      StackName: 'wa-analytics-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date('2024-01-01T00:00:00Z'),
      Outputs: [{ OutputKey: 'AthenaWorkgroup', OutputValue: 'wa-analytics-dev' }, { OutputKey: 'GlueDatabaseName', OutputValue: 'whatsapp_analytics_dev' }, { OutputKey: 'Region', OutputValue: 'eu-west-1' }],
    }],
  });
});

/** Athena's column type for a column of local values: bigint, double or varchar. */
function athenaType(values: readonly QueryValue[]): string {
  const present = values.filter((v) => v !== null);
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return present.every((v) => Number.isInteger(v)) ? 'bigint' : 'double';
  return 'varchar';
}

/** A result as Athena returns it: every value as text (null as no value), the header row first. */
function athenaResultSet(result: QueryResult): ResultSet {
  const columns = result.columns.map((name) => ({ Name: name, Type: athenaType(result.rows.map((r) => r[name] ?? null)) }));
  const text = (v: QueryValue | undefined) => (v === null || v === undefined ? {} : { VarCharValue: String(v) });
  return {
    ResultSetMetadata: { ColumnInfo: columns },
    Rows: [{ Data: result.columns.map((name) => ({ VarCharValue: name })) }, ...result.rows.map((r) => ({ Data: result.columns.map((name) => text(r[name])) }))],
  };
}

/** Athena answering every known query with its lake rows, each scanning 1 MB. */
function athenaFromLake(): void {
  const byId = new Map<string, QueryResult>();
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    const result = answers.get(input.QueryString);
    if (result === undefined) throw Object.assign(new Error('unexpected query'), { name: 'InvalidRequestException' });
    const id = `q${byId.size + 1}`;
    byId.set(id, result);
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1_000_000 } } });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => ({ ResultSet: athenaResultSet(byId.get(input.QueryExecutionId)!) }));
}

const clients = () => ({ cfn: new CloudFormationClient({ region: 'eu-west-1' }), athena: new AthenaClient({ region: 'eu-west-1' }), now });

describe('wa-analytics report --stage (Athena through the query-engine port)', () => {
  it('sends each report query once, in order, bounded by the span, in the stage workgroup and database, and writes the page the local lake gives', async () => {
    athenaFromLake();
    const notes: string[] = [];
    let printed = '';
    const out = join(scratch, 'stage.html');
    const report = await runReport({ stage: 'dev', from: span.from, to: span.to, out }, (t) => (printed += t), {}, { ...clients(), note: (l) => notes.push(l) });
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual(
      reportQueryNames.map((name) => ({ QueryString: renderReportSql(name, dev), WorkGroup: 'wa-analytics-dev', QueryExecutionContext: { Database: 'whatsapp_analytics_dev' } })),
    );
    for (const c of athena.commandCalls(StartQueryExecutionCommand)) expect(c.args[0].input.QueryString).toContain("dt BETWEEN '2024-05-02' AND '2024-05-03'");
    expect(printed).toBe(`${out}\n`);
    expect(notes).toEqual(['report: 2024-05-02 … 2024-05-03 from stage dev (whatsapp_analytics_dev), 11.0 MB scanned']);
    expect(report).toMatchObject({ path: out, span, scannedBytes: 11_000_000 });
    const local = join(scratch, 'local.html');
    await runReport({ dataDir, from: span.from, to: span.to, out: local }, () => undefined, {}, { now });
    const page = await readFile(out, 'utf8');
    expect(page).toBe(await readFile(local, 'utf8'));
    expect(page).toContain('Covers 2024-05-02 to 2024-05-03.');
  });

  it('decodes the Athena rows into exactly the rows the local engine gives', async () => {
    athenaFromLake();
    const { AthenaQueryEngine } = await import('../../shared/adapters/aws/athena-engine');
    const viaAthena = await loadReportData(new AthenaQueryEngine(new AthenaClient({ region: 'eu-west-1' }), { workGroup: 'wa-analytics-dev', database: 'whatsapp_analytics_dev', pollMs: 0 }), dev);
    const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
    try {
      const local = await loadReportData(engine, { span });
      expect(viaAthena).toEqual(local);
      // The span bounds what is read: the days, arrivals and alert dates of 05-02 and 05-03 only.
      expect(local.dailyVolume.map((r) => r.day)).toEqual(['2024-05-02', '2024-05-03']);
      expect(local.quarantine).toEqual([{ arrival_date: '2024-05-02', reason: 'malformed_json', quarantined_rows: 1 }]);
      expect(local.alerts.map((a) => a.dt)).toEqual(['2024-05-03', '2024-05-02']);
      expect([...new Set(local.ctrOverTime.map((r) => r.dt))].sort()).toEqual(['2024-05-02', '2024-05-03']);
    } finally {
      await engine.close();
    }
  });

  it('covers the 28 days ending today (UTC) by default and writes ./report-<stage>.html', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      const notes: string[] = [];
      const report = await runReport({ stage: 'dev' }, () => undefined, {}, { ...clients(), note: (l) => notes.push(l) });
      expect(report.path).toBe(join(process.cwd(), 'report-dev.html'));
      expect(notes).toEqual(['report: 2024-04-13 … 2024-05-10 from stage dev (whatsapp_analytics_dev), bytes scanned not reported']);
      for (const c of athena.commandCalls(StartQueryExecutionCommand)) expect(c.args[0].input.QueryString).toContain("dt BETWEEN '2024-04-13' AND '2024-05-10'");
    } finally {
      process.chdir(cwd);
    }
  });

  it('says to narrow the span when the workgroup scan cutoff cancels a query, and writes nothing', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q9' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded' } } });
    const out = join(scratch, 'never.html');
    const error = await runReport({ stage: 'dev', from: '2020-01-01', to: '2024-05-01', out }, () => undefined, {}, clients()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toBe(
      'report query ctr-over-time: Athena query q9 CANCELLED: Query cancelled! : Bytes scanned limit was exceeded (the workgroup scan cutoff stopped it: give a shorter span with --from/--to)',
    );
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('refuses bad flags in one line before calling AWS', async () => {
    const run = (o: Parameters<typeof runReport>[0]) => runReport(o, () => undefined, {}, clients());
    await expect(run({ stage: 'dev', dataDir })).rejects.toThrow(new InputError('give --data-dir or --stage, not both'));
    await expect(run({ stage: 'dev', from: '2024-05-04', to: '2024-05-01' })).rejects.toThrow(new InputError('--from 2024-05-04 is after --to 2024-05-01'));
    await expect(run({ stage: 'dev', from: '2024-02-30' })).rejects.toThrow(new InputError('--from must be a date YYYY-MM-DD (got "2024-02-30")'));
    await expect(run({ dataDir, region: 'eu-west-1' })).rejects.toThrow(new InputError('--region goes with --stage'));
    expect(cfn.calls()).toHaveLength(0);
    expect(athena.calls()).toHaveLength(0);
  });
});
