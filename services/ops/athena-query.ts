import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { QueryError } from '../../shared/errors';
import { awsFailure } from './stage';

/**
 * One small Athena query for the operator commands: start, poll, read the (short) result as
 * text. The daily workflow has its own engine adapter; this one only needs a few rows and runs
 * in the caller's workgroup, whose scan cutoff bounds what a mistake can cost.
 */

export interface AthenaQuery {
  readonly sql: string;
  readonly database: string;
  readonly workgroup: string;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The result rows as objects of text values (Athena returns every value as text). */
export async function runAthenaQuery(athena: AthenaClient, q: AthenaQuery): Promise<Record<string, string | null>[]> {
  const sleep = q.sleep ?? defaultSleep;
  let id: string | undefined;
  try {
    const started = await athena.send(new StartQueryExecutionCommand({ QueryString: q.sql, WorkGroup: q.workgroup, QueryExecutionContext: { Database: q.database } }));
    id = started.QueryExecutionId;
    if (id === undefined) throw new QueryError('Athena returned no query execution id');
    const deadline = Date.now() + (q.timeoutMs ?? 60_000);
    for (;;) {
      const status = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') throw new QueryError(`Athena query ${state.toLowerCase()}: ${status?.StateChangeReason ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new QueryError(`Athena query ${id} still ${state ?? 'pending'} after ${Math.round((q.timeoutMs ?? 60_000) / 1000)} s`);
      await sleep(500);
    }
    const rows: Record<string, string | null>[] = [];
    let columns: string[] | undefined;
    let token: string | undefined;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      const data = page.ResultSet?.Rows ?? [];
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      // The first row of the first page repeats the column names.
      for (const [i, row] of data.entries()) {
        if (token === undefined && i === 0) continue;
        rows.push(Object.fromEntries(columns.map((c, j) => [c, row.Data?.[j]?.VarCharValue ?? null])));
      }
      token = page.NextToken;
    } while (token !== undefined);
    return rows;
  } catch (error) {
    if (error instanceof QueryError) throw error;
    throw awsFailure('Athena query', error);
  }
}
