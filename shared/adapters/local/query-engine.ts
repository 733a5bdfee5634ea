import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tutorialViewDdl, tutorialViews, type TutorialView } from '../../sql/views';
import type { QueryEngine, QueryResult } from '../../ports/query-engine';
import { databaseName, tables, type TableName } from '../../schema/tables';
import { QueryError, StorageError } from '../../errors';
import type { LocalCatalog } from './catalog';
import { duckMessage } from './duckdb-file';
import { partitionDataFiles } from './lake-files';
import { derivedViews, sqlIdent, tableSelectSql } from './views';
import { toQueryResult } from './values';

/** Data files of every table's registered partitions, the state the views are built from. */
type TableFiles = Record<TableName, string[]>;

/** One line out of DuckDB's multi-line messages (which add a caret drawing after a blank line). */
export function oneLine(message: string): string {
  const head = message.split(/\n\s*\n/)[0] ?? message;
  return head.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Athena's role on one machine: an in-memory DuckDB whose database `whatsapp_analytics` (also the
 * default, so names work unqualified) holds one view per table over exactly the files of its
 * registered partitions, plus the derived views (`quarantine`, `button_clicks`, `conversions`). Before each query the catalog is read and the
 * partition folders listed; views are recreated only when that changed. The catalog file is
 * therefore held for milliseconds, never for a query's duration.
 */
export class LocalQueryEngine implements QueryEngine {
  private state = '';
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly catalog: LocalCatalog,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly window: { from: string; to: string } | undefined,
  ) {}

  /**
   * An engine over a catalog's tables. With `window`, the tables expose only partitions whose
   * `dt` lies in it: a caller whose every query filters `dt` inside the window (the daily
   * workflow) gets the same answers at a cost bounded by the window instead of the history.
   */
  static async open(catalog: LocalCatalog, options: { window?: { from: string; to: string } } = {}): Promise<LocalQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`ATTACH ':memory:' AS ${sqlIdent(databaseName)}; USE ${sqlIdent(databaseName)}`);
    const engine = new LocalQueryEngine(catalog, instance, connection, options.window);
    await engine.serial(() => engine.refresh());
    return engine;
  }

  query(sql: string): Promise<QueryResult> {
    return this.serial(async () => {
      await this.refresh();
      try {
        return toQueryResult(await this.connection.runAndReadAll(sql));
      } catch (error) {
        throw new QueryError(oneLine(duckMessage(error)), { cause: error });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail.catch(() => undefined);
    this.connection.closeSync();
    this.instance.closeSync();
  }

  // One statement at a time on the connection, and never during a view refresh.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new QueryError('the query engine is closed'));
    const run = this.tail.catch(() => undefined).then(fn);
    this.tail = run;
    return run;
  }

  private async refresh(): Promise<void> {
    const files = Object.fromEntries(Object.keys(tables).map((t) => [t, [] as string[]])) as TableFiles;
    const window = this.window;
    const partitions = (await this.catalog.snapshot()).filter((p) => p.table in files && (window === undefined || (p.dt >= window.from && p.dt <= window.to)));
    // Listed concurrently: this runs before every query and there is a folder per registered
    // partition, so one after the other it would cost more the more history the lake holds.
    const listed = await Promise.all(partitions.map((p) => partitionDataFiles(this.catalog.lakeDir, p.table, p.location)));
    partitions.forEach((p, i) => {
      files[p.table].push(...listed[i]!);
    });
    const state = JSON.stringify(files);
    if (state === this.state) return;
    const statements = Object.values(tables).map((t) => `CREATE OR REPLACE VIEW ${sqlIdent(t.name)} AS ${tableSelectSql(t, files[t.name])}`);
    for (const [name, select] of Object.entries(derivedViews)) statements.push(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${select}`);
    // The tutorial views, from the same SQL templates as on Athena.
    for (const view of Object.keys(tutorialViews) as TutorialView[]) statements.push(tutorialViewDdl(view, 'duckdb'));
    try {
      await this.connection.run(statements.join(';\n'));
    } catch (error) {
      throw new StorageError(`cannot define the local tables: ${oneLine(duckMessage(error))}`, { cause: error });
    }
    this.state = state;
  }
}
