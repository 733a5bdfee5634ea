import { TemplateError } from '../errors';

/**
 * The ONE place where Athena (Trino) and DuckDB differ. The queries in `queries/*.sql` are the
 * same text on both engines; where no common spelling exists they call a dialect function as
 * `{{fn:name(arg, …)}}`, expanded here. The statements that write results (Athena CTAS, DuckDB
 * COPY) and the view DDL are built here too.
 */

export const dialectNames = ['athena', 'duckdb'] as const;
export type DialectName = (typeof dialectNames)[number];

export const sqlFunctionNames = ['median', 'iso_utc_seconds', 'json_buttons', 'int_range'] as const;
export type SqlFunctionName = (typeof sqlFunctionNames)[number];

/** One engine-specific function: how many arguments it takes and its spelling on the engine. */
export interface SqlFunction {
  readonly arity: number;
  readonly render: (args: readonly string[]) => string;
}

export interface Dialect {
  readonly name: DialectName;
  readonly functions: Readonly<Record<SqlFunctionName, SqlFunction>>;
}

/** JSON `[{"id","title"}]` as an array of (id, title) rows; fields are matched by name on both engines. */
const buttonRow = 'id VARCHAR, title VARCHAR';

export const athena: Dialect = {
  name: 'athena',
  functions: {
    // Trino has no exact median; approx_percentile is a t-digest estimate (the contract allows it).
    median: { arity: 1, render: ([x]) => `approx_percentile(${x}, 0.5)` },
    // Trino's date_format uses MySQL specifiers; `/` on bigint is integer division here.
    iso_utc_seconds: { arity: 1, render: ([ms]) => `date_format(from_unixtime(${ms} / 1000, 'UTC'), '%Y-%m-%dT%H:%i:%sZ')` },
    json_buttons: { arity: 1, render: ([json]) => `CAST(json_parse(${json}) AS ARRAY(ROW(${buttonRow})))` },
    // sequence() fails when stop < start, so callers only pass n >= 1.
    int_range: { arity: 2, render: ([from, to]) => `sequence(${from}, ${to})` },
  },
};

export const duckdb: Dialect = {
  name: 'duckdb',
  functions: {
    // Exact and deterministic, so re-runs write identical files.
    median: { arity: 1, render: ([x]) => `median(${x})` },
    // DuckDB's `/` is float division; make_timestamp takes microseconds and is zone-free (UTC).
    iso_utc_seconds: { arity: 1, render: ([ms]) => `strftime(make_timestamp(CAST(${ms} AS BIGINT) * 1000), '%Y-%m-%dT%H:%M:%SZ')` },
    json_buttons: { arity: 1, render: ([json]) => `CAST(CAST(${json} AS JSON) AS STRUCT(${buttonRow})[])` },
    int_range: { arity: 2, render: ([from, to]) => `generate_series(${from}, ${to})` },
  },
};

export const dialects: Readonly<Record<DialectName, Dialect>> = { athena, duckdb };

/** The dialect of a name; TemplateError for an unknown one. */
export function dialectOf(name: DialectName | Dialect): Dialect {
  if (typeof name !== 'string') return name;
  if (!Object.hasOwn(dialects, name)) throw new TemplateError(`unknown SQL dialect "${String(name)}" (known: ${dialectNames.join(', ')})`);
  return dialects[name];
}

const IDENT_RE = /^[a-z_][a-z0-9_]*$/;
const S3_BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX_RE = /^[A-Za-z0-9_=./-]+\/$/;

function assertIdent(what: string, value: string): string {
  if (!IDENT_RE.test(value)) throw new TemplateError(`${what} must be a lower-case SQL identifier (got "${value}")`);
  return value;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The two statements of Athena's idempotent CTAS step (the caller clears the prefix before and registers the partition after). */
export interface AthenaCtas {
  readonly create: string;
  readonly drop: string;
}

/**
 * Athena CTAS writing `select` as Parquet to `s3://<bucket>/<keyPrefix>` through a temporary
 * table, and the DROP that removes the table again (DROP of an external table keeps the files).
 */
export function athenaCtas(opts: { database: string; tempTable: string; bucket: string; keyPrefix: string; select: string }): AthenaCtas {
  const table = `${assertIdent('database', opts.database)}.${assertIdent('temporary table', opts.tempTable)}`;
  if (!S3_BUCKET_RE.test(opts.bucket)) throw new TemplateError(`not an S3 bucket name: "${opts.bucket}"`);
  if (!KEY_PREFIX_RE.test(opts.keyPrefix)) throw new TemplateError(`not a key prefix ending with "/": "${opts.keyPrefix}"`);
  const location = sqlString(`s3://${opts.bucket}/${opts.keyPrefix}`);
  return {
    create: `CREATE TABLE ${table} WITH (format = 'PARQUET', write_compression = 'SNAPPY', external_location = ${location}) AS\n${opts.select}`,
    drop: `DROP TABLE IF EXISTS ${table}`,
  };
}

/**
 * DuckDB COPY of `select` to one Parquet file, rows sorted by every column so that the same rows
 * always give the same bytes.
 */
export function duckdbCopy(opts: { select: string; file: string }): string {
  return `COPY (SELECT * FROM (\n${opts.select}\n) AS result ORDER BY ALL NULLS LAST) TO ${sqlString(opts.file)} (FORMAT PARQUET, COMPRESSION SNAPPY)`;
}

/** `CREATE OR REPLACE VIEW <database>.<view> AS <select>`: the same on both engines, kept here with the other DDL. */
export function createViewDdl(dialect: DialectName | Dialect, opts: { database: string; view: string; select: string }): string {
  dialectOf(dialect);
  return `CREATE OR REPLACE VIEW ${assertIdent('database', opts.database)}.${assertIdent('view', opts.view)} AS\n${opts.select}`;
}
