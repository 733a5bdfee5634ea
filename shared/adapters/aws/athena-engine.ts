import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient, type ColumnInfo } from '@aws-sdk/client-athena';
import { QueryError } from '../../errors';
import type { QueryEngine, QueryResult, QueryRow, QueryValue } from '../../ports/query-engine';
import { TransientError } from '../../ports/retryable';
import { pollUntil, type Sleep } from '../../retry';
import { databaseName } from '../../schema/tables';
import { classifyAwsError } from './errors';

export interface AthenaEngineOptions {
  readonly workGroup: string;
  readonly database?: string;
  /** Wait between GetQueryExecution polls, in ms. */
  readonly pollMs?: number;
  readonly sleep?: Sleep;
  /** Give up (QueryError) when a query is still running after this long; none by default (a Lambda's timeout bounds it). */
  readonly timeoutMs?: number;
}

const finalStates = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const numericTypes = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'double', 'float', 'real', 'decimal']);

// Athena returns every value as text; numbers become numbers when a double holds them exactly.
function convert(text: string | undefined, column: ColumnInfo | undefined): QueryValue {
  if (text === undefined) return null;
  const type = column?.Type?.toLowerCase() ?? 'varchar';
  if (type === 'boolean') return text === 'true';
  if (numericTypes.has(type)) {
    const n = Number(text);
    return Number.isFinite(n) && (type === 'double' || type === 'float' || type === 'real' || Number.isSafeInteger(n)) ? n : text;
  }
  return text;
}

/**
 * Athena as the QueryEngine: StartQueryExecution in the stage's workgroup (which holds the
 * encrypted result location and the bytes-scanned cutoff), GetQueryExecution polling, and
 * GetQueryResults for row-returning statements. A FAILED query Athena marks `Retryable` is a
 * TransientError (the workflow retries it); any other failure is a QueryError.
 */
export class AthenaQueryEngine implements QueryEngine {
  private readonly pollMs: number;

  constructor(
    private readonly athena: AthenaClient,
    private readonly options: AthenaEngineOptions,
  ) {
    this.pollMs = options.pollMs ?? 1000;
  }

  async query(sql: string): Promise<QueryResult> {
    const id = await this.call('StartQueryExecution', async () => {
      const out = await this.athena.send(
        new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.options.workGroup, QueryExecutionContext: { Database: this.options.database ?? databaseName } }),
      );
      return out.QueryExecutionId!;
    });
    const deadline = this.options.timeoutMs === undefined ? undefined : Date.now() + this.options.timeoutMs;
    const execution = await pollUntil(
      () => this.call('GetQueryExecution', async () => (await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution),
      (e) => finalStates.has(e?.Status?.State ?? ''),
      { intervalMs: this.pollMs, deadline, sleep: this.options.sleep },
    );
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED') {
      const scanned = execution?.Statistics?.DataScannedInBytes;
      const result = execution?.StatementType === 'DML' ? await this.results(id) : { columns: [], rows: [] };
      return scanned === undefined ? result : { ...result, scannedBytes: scanned };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = `Athena query ${id} ${state}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`;
      if (execution?.Status?.AthenaError?.Retryable) throw new TransientError(reason);
      throw new QueryError(reason);
    }
    throw new QueryError(`Athena query ${id} still ${state ?? 'pending'} after ${Math.round(this.options.timeoutMs! / 1000)} s`);
  }

  private async results(id: string): Promise<QueryResult> {
    let columns: ColumnInfo[] = [];
    const rows: QueryRow[] = [];
    let NextToken: string | undefined;
    let first = true;
    do {
      const page = await this.call('GetQueryResults', () => this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken })));
      columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? columns;
      // The first row of the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      for (const r of data) rows.push(Object.fromEntries(columns.map((c, i) => [c.Name!, convert(r.Data?.[i]?.VarCharValue, c)])));
      first = false;
      NextToken = page.NextToken;
    } while (NextToken);
    return { columns: columns.map((c) => c.Name!), rows };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classifyAwsError(`Athena ${what}`, error);
    }
  }

  async close(): Promise<void> {}
}
