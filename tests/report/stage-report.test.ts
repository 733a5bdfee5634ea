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
import { renderSql } from '../../shared/sql/render';
import { todayQueryParams } from '../../shared/today/read';
import { buildReportLake } from './lake';

/*
 * `report --stage` through the Athena adapter against exact requests (aws-sdk-client-mock): each
 * report query's Athena text, in the stage's workgroup and database, answered with what the same
 * query (its DuckDB text) returns on the report lake, encoded the way Athena encodes a result set.
 * The page must then be the one the local lake gives over the same span. The stage's time zone
 * (its TimeZone output) is São Paulo's, UTC−3, so "today" is visibly the stage's, not UTC's.
 */

const athena = mockClient(AthenaClient);
const cfn = mockClient(CloudFormationClient);
const now = () => new Date('2024-05-10T12:00:00.000Z');
const span = { from: '2024-05-02', to: '2024-05-03' };
const dev = { dialect: 'athena', database: 'whatsapp_analytics_dev', span } as const;
const stageZone = 'America/Sao_Paulo';
/** today/by-button.sql as the stage report sends it for `today`, in the stage's database. */
const todaySql = (today: string, dialect: 'athena' | 'duckdb' = 'athena') => renderSql('today/by-button', todayQueryParams(today, {}, dialect === 'athena' ? dev.database : undefined), dialect);
// 12:00 UTC on 05-10 is 09:00 in São Paulo: today is 05-10 there too, with nothing of it in the lake.
// 02:30 UTC on 05-04 is still 05-03, 23:30, in São Paulo: the lake's last cohort, all of it arrived.
const todays = ['2024-05-10', '2024-05-03'];

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
    for (const today of todays) answers.set(todaySql(today), await engine.query(todaySql(today, 'duckdb')));
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
      Outputs: [
        { OutputKey: 'AthenaWorkgroup', OutputValue: 'wa-analytics-dev' },
        { OutputKey: 'GlueDatabaseName', OutputValue: 'whatsapp_analytics_dev' },
        { OutputKey: 'Region', OutputValue: 'eu-west-1' },
        { OutputKey: 'TimeZone', OutputValue: stageZone },
      ],
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

/** One chart's data as the page's JSON data block carries it (tables are in the HTML). */
function chartData(page: string, id: string): { title: string; description: string; labels: string[]; datasets: { data: (number | null)[] }[] } {
  const json = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(page)![1]!;
  const charts = (JSON.parse(json) as { charts: { id: string }[] }).charts;
  return charts.find((c) => c.id === id) as never;
}

/** The cells of the table in a chart's section, row by row, as the page prints them. */
function sectionTableRows(page: string, id: string): string[][] {
  const section = page.slice(page.indexOf(`<section class="card wide" id="section-${id}">`));
  const body = section.slice(section.indexOf('<tbody>'), section.indexOf('</tbody>'));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1]!));
}

const clients = () => ({ cfn: new CloudFormationClient({ region: 'eu-west-1' }), athena: new AthenaClient({ region: 'eu-west-1' }), now });

describe('wa-analytics report --stage (Athena through the query-engine port)', () => {
  it('sends each report query once, in order, bounded by the span, in the stage workgroup and database, and writes the page the local lake gives', async () => {
    athenaFromLake();
    const notes: string[] = [];
    let printed = '';
    const out = join(scratch, 'stage.html');
    const report = await runReport({ stage: 'dev', from: span.from, to: span.to, out }, (t) => (printed += t), {}, { ...clients(), note: (l) => notes.push(l) });
    const request = (QueryString: string) => ({ QueryString, WorkGroup: 'wa-analytics-dev', QueryExecutionContext: { Database: 'whatsapp_analytics_dev' } });
    // The report's queries, then today's (05-10 in the stage's zone), which finds nothing: no panel on a past span.
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([...reportQueryNames.map((name) => request(renderReportSql(name, dev))), request(todaySql('2024-05-10'))]);
    for (const c of athena.commandCalls(StartQueryExecutionCommand).slice(0, -1)) expect(c.args[0].input.QueryString).toContain("dt BETWEEN '2024-05-02' AND '2024-05-03'");
    expect(printed).toBe(`${out}\n`);
    expect(notes).toEqual(['report: 2024-05-02 … 2024-05-03 from stage dev (whatsapp_analytics_dev), 12.0 MB scanned']);
    expect(report).toMatchObject({ path: out, span, scannedBytes: 12_000_000 });
    const local = join(scratch, 'local.html');
    await runReport({ dataDir, from: span.from, to: span.to, out: local }, () => undefined, { WA_TIMEZONE: stageZone }, { now });
    const page = await readFile(out, 'utf8');
    expect(page).toBe(await readFile(local, 'utf8'));
    expect(page).toContain('Covers 2024-05-02 to 2024-05-03.');
    expect(page).not.toContain('Today so far');
  });

  it("adds the today-so-far panel when built during the stage's day: today in its TimeZone, today/by-button.sql through Athena", async () => {
    athenaFromLake();
    const at = () => new Date('2024-05-04T02:30:00.000Z');
    const out = join(scratch, 'stage-today.html');
    await runReport({ stage: 'dev', from: span.from, to: span.to, out }, () => undefined, {}, { ...clients(), now: at, note: () => undefined });
    const sent = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
    expect(sent).toHaveLength(reportQueryNames.length + 1);
    // 05-03 in São Paulo, not 05-04 (UTC): cohort 05-03, raw arrivals 04-29 … 05-04.
    expect(sent.at(-1)).toBe(todaySql('2024-05-03'));
    expect(sent.at(-1)).toContain("dt BETWEEN '2024-04-29' AND '2024-05-04'");
    const page = await readFile(out, 'utf8');
    // The panel as the chart data carries it: 05-03's cohort is M7 and M8 (spring_v2, sent 23:30 UTC).
    // Both delivered (M7 at 00:10; M8 read, which implies delivered); T10 (M8) and T9 (M7) tap "Yes!",
    // nobody taps "No thanks"; no conversion follows a tap of that day.
    const panel = chartData(page, 'today');
    expect(panel.title).toBe('Today so far: 2024-05-03');
    expect(panel.description).toContain('(2024-05-03, America/Sao_Paulo) as of 23:30');
    expect(panel.labels).toEqual(['spring · Yes!', 'spring · No thanks']);
    expect(panel.datasets[0]!.data).toEqual([100, 0]);
    expect(sectionTableRows(page, 'today')).toEqual([
      ['spring', 'spring_v2', 'Yes!', '2', '2', '2', '2', '100.0 %', '0'],
      ['spring', 'spring_v2', 'No thanks', '2', '2', '0', '0', '0.0 %', '0'],
    ]);
    // The local report over the same lake at the same moment in the same zone is the same page.
    const local = join(scratch, 'local-today.html');
    await runReport({ dataDir, from: span.from, to: span.to, out: local }, () => undefined, { WA_TIMEZONE: stageZone }, { now: at });
    expect(page).toBe(await readFile(local, 'utf8'));
  });

  it('builds the report without the panel, and says why, for a stack without the TimeZone output', async () => {
    athenaFromLake();
    cfn.on(DescribeStacksCommand, { StackName: 'wa-analytics-dev' }).resolves({
      Stacks: [{
        StackName: 'wa-analytics-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date('2024-01-01T00:00:00Z'),
        Outputs: [{ OutputKey: 'AthenaWorkgroup', OutputValue: 'wa-analytics-dev' }, { OutputKey: 'GlueDatabaseName', OutputValue: 'whatsapp_analytics_dev' }, { OutputKey: 'Region', OutputValue: 'eu-west-1' }],
      }],
    });
    const notes: string[] = [];
    await runReport({ stage: 'dev', from: span.from, to: span.to, out: join(scratch, 'older.html') }, () => undefined, {}, { ...clients(), now: () => new Date('2024-05-04T02:30:00.000Z'), note: (l) => notes.push(l) });
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString)).toEqual(reportQueryNames.map((name) => renderReportSql(name, dev)));
    expect(notes[0]).toBe('report: no "today so far" panel: stack wa-analytics-dev has no TimeZone output (redeploy with sls deploy --stage dev)');
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
      const sent = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
      for (const sql of sent.slice(0, -1)) expect(sql).toContain("dt BETWEEN '2024-04-13' AND '2024-05-10'");
      expect(sent.at(-1)).toBe(todaySql('2024-05-10'));
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
