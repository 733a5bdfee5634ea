import { resolveDataDir, type Env } from '../../shared/config/local';
import { InputError } from '../../shared/errors';
import type { QueryEngine } from '../../shared/ports/query-engine';
import { databaseName } from '../../shared/schema/tables';
import type { DialectName } from '../../shared/sql/dialect';
import { openLocalLake } from '../../local/open-lake';
import type { Stage } from './stage';
import { openStageEngine } from './stage-engine';

/**
 * Where a reading command (`experiments`, `today`) runs its queries: the local lake of a data
 * directory, or a deployed stage's Athena (its workgroup and Glue database from the stack's
 * outputs). The same query files run on either; only the engine and its dialect differ.
 */

/** `--data-dir D | --stage S [--region R]`. */
export interface ReadTargetFlags {
  readonly dataDir?: string;
  readonly stage?: string;
  readonly region?: string;
}

/** An open engine and what its queries need to know about where they run. */
export interface ReadTarget {
  readonly engine: QueryEngine;
  readonly dialect: DialectName;
  /** The catalog database the query files name (`{{database}}`). */
  readonly database: string;
  /** The resolved stage, for a stage read (null for the local lake). */
  readonly stage: Stage | null;
}

/** Opens the engine the flags name, runs `use` on it and closes it, whatever `use` does. */
export async function withReadTarget<T>(flags: ReadTargetFlags, env: Env, note: (line: string) => void, use: (target: ReadTarget) => Promise<T>): Promise<T> {
  if (flags.stage !== undefined) {
    if (flags.dataDir !== undefined) throw new InputError('give --data-dir or --stage, not both');
    const opened = await openStageEngine({ stage: flags.stage, region: flags.region }, {}, 120_000);
    try {
      return await use({ engine: opened.engine, dialect: 'athena', database: opened.database, stage: opened.stage });
    } finally {
      opened.close();
    }
  }
  const { engine } = await openLocalLake(resolveDataDir(env, { dataDir: flags.dataDir }), note);
  try {
    return await use({ engine, dialect: 'duckdb', database: databaseName, stage: null });
  } finally {
    await engine.close();
  }
}
