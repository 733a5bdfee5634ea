/**
 * A value of a query result, engine-neutral and JSON-safe: integers are numbers when they fit
 * exactly in a double and decimal strings otherwise; dates and times are the engine's text.
 */
export type QueryValue = string | number | boolean | null | QueryValue[] | { [key: string]: QueryValue };

/** One result row keyed by column name. */
export type QueryRow = Record<string, QueryValue>;

export interface QueryResult {
  /** Column names in select order (present even when there are no rows). */
  readonly columns: readonly string[];
  readonly rows: readonly QueryRow[];
  /** Bytes the engine scanned for the statement, when it says (Athena bills by them). */
  readonly scannedBytes?: number;
}

/**
 * Runs SQL over the catalog's tables: Athena on AWS, DuckDB on one machine. Tables are reachable
 * unqualified and qualified by the database name. Failures are QueryError with the engine's message.
 */
export interface QueryEngine {
  query(sql: string): Promise<QueryResult>;
  /** Releases the engine's resources; the engine is unusable afterwards. */
  close(): Promise<void>;
}
