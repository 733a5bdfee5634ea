import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCatalog } from '../adapters/local/catalog';
import { lakePath, partitionKey } from '../adapters/local/lake';
import { makePrivate, mkdirPrivate } from '../adapters/local/private-fs';
import { errorMessage, StorageError } from '../errors';
import type { QueryEngine } from '../ports/query-engine';
import type { TableName } from '../schema/tables';
import { duckdbCopy } from '../sql/dialect';
import { dailySelect, type DailyTable } from './statements';
import { eventDateWindow } from './window';

/**
 * The daily workflow's rebuild steps on one machine: the same SELECT as on Athena, written by a
 * DuckDB COPY instead of a CTAS. Each step is idempotent: write one Parquet file with sorted rows
 * (the same input gives the same bytes) next to the old one, move it over the old one, remove
 * anything else in the partition folder, register the partition.
 */

/** What the local steps need: the catalog (partitions, lake root) and an engine over it. */
export interface LocalDailyContext {
  readonly catalog: LocalCatalog;
  readonly engine: QueryEngine;
}

/** The one data file of a rebuilt partition. */
export const partitionFileName = 'part-00000.parquet';

/** Outcome of one partition rebuild. */
export interface PartitionBuild {
  readonly table: DailyTable;
  readonly dt: string;
  readonly file: string;
  readonly rows: number;
}

/**
 * Replaces partition `dt` of a table with the rows of a SELECT: one Parquet file, written as a
 * dot file (invisible to the engine), renamed over the partition's file (readers see the old rows
 * or the new ones, never none), then every other entry of the folder removed, then the partition
 * registered. A re-run leaves the partition's file list as it was, so the local engine keeps its
 * table definitions instead of rebuilding them over every file of the lake (which costs more the
 * more history there is). Returns the file and the number of rows written.
 */
export async function writePartitionLocal(ctx: LocalDailyContext, table: TableName, dt: string, select: string): Promise<{ file: string; rows: number }> {
  const dir = lakePath(ctx.catalog.lakeDir, partitionKey(table, dt));
  const file = join(dir, partitionFileName);
  // Dot files are invisible to the engine, so readers never see a half-written file.
  const temp = join(dir, `.${partitionFileName}.tmp`);
  try {
    await mkdirPrivate(dir);
    await rm(temp, { force: true }); // left by a crashed run
  } catch (error) {
    throw new StorageError(`cannot prepare ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  let result;
  try {
    result = await ctx.engine.query(duckdbCopy({ select, file: temp }));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  try {
    // DuckDB's COPY creates the file with the process's default mode.
    await makePrivate(temp);
    await rename(temp, file);
    for (const name of await readdir(dir)) if (name !== partitionFileName) await rm(join(dir, name), { recursive: true, force: true });
  } catch (error) {
    throw new StorageError(`cannot move ${temp} into place: ${errorMessage(error)}`, { cause: error });
  }
  await ctx.catalog.registerPartitions(table, [dt]);
  return { file, rows: copiedRows(result.rows[0]) };
}

/** Rebuilds partition `dt` of `events` or `daily_ctr` from the registered partitions it reads. */
export async function rebuildPartitionLocal(ctx: LocalDailyContext, table: DailyTable, dt: string, lookbackDays: number): Promise<PartitionBuild> {
  const { file, rows } = await writePartitionLocal(ctx, table, dt, dailySelect(table, 'duckdb', dt, lookbackDays));
  return { table, dt, file, rows };
}

// DuckDB answers a COPY with one row holding the number of rows written.
function copiedRows(row: Readonly<Record<string, unknown>> | undefined): number {
  const value = row === undefined ? undefined : Object.values(row)[0];
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/**
 * Steps 2 and 3 of the workflow for a target date: curated events for every event date of the
 * window (oldest first), then daily_ctr for every cohort date of the window. Raw partitions must
 * be registered before (see rawPartitionsToRegister).
 */
export async function runDailyLocal(ctx: LocalDailyContext, target: string, lookbackDays: number): Promise<PartitionBuild[]> {
  const days = eventDateWindow(target, lookbackDays);
  const builds: PartitionBuild[] = [];
  for (const dt of days) builds.push(await rebuildPartitionLocal(ctx, 'events', dt, lookbackDays));
  for (const dt of days) builds.push(await rebuildPartitionLocal(ctx, 'daily_ctr', dt, lookbackDays));
  return builds;
}
