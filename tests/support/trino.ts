import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A Trino grammar for tests of the SQL sent to Athena. dt-sql-parser ships ESM only, so it is
 * bundled once into a CommonJS file in the temp directory (keyed by its version, reused by later
 * runs) and loaded from there.
 */

interface ParseError {
  message: string;
  startLine: number;
  startColumn: number;
}
interface TrinoParser {
  validate(sql: string): ParseError[];
}

function loadTrino(): TrinoParser {
  const version = (JSON.parse(readFileSync(require.resolve('dt-sql-parser/package.json'), 'utf8')) as { version: string }).version;
  const dir = join(tmpdir(), 'wa-analytics-dt-sql-parser');
  const bundle = join(dir, `trino-${version}.cjs`);
  if (!existsSync(bundle)) {
    mkdirSync(dir, { recursive: true });
    const entry = require.resolve('dt-sql-parser/dist/parser/trino/index.js');
    const temp = `${bundle}.${process.pid}.tmp`;
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: temp, logLevel: 'error' });
    renameSync(temp, bundle);
  }
  // The bundle is .cjs, which the Jest transform leaves alone.
  const { TrinoSQL } = require(bundle) as { TrinoSQL: new () => TrinoParser };
  return new TrinoSQL();
}

let parser: TrinoParser | undefined;

/** The Trino grammar's syntax errors in `sql` ("line:column message"); [] when it parses. */
export function trinoSyntaxErrors(sql: string): string[] {
  parser ??= loadTrino();
  return parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}
