import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { runDailyLocal } from '../../shared/daily/local-steps';
import type { DailyWindows } from '../../shared/daily/statements';
import { rawPartitionsToRegister } from '../../shared/daily/window';

/** A data dir in the temp folder with its catalog and an engine over it. */
export interface TempLake {
  readonly dataDir: string;
  readonly catalog: LocalCatalog;
  readonly engine: LocalQueryEngine;
}

/**
 * Opens a fresh temp data dir (`prefix` names it), runs `prepare` on its catalog (to write lake
 * files and register partitions before the engine binds its views), then opens the engine.
 */
export async function openTempLake(prefix: string, prepare?: (catalog: LocalCatalog) => Promise<void>): Promise<TempLake> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const catalog = await LocalCatalog.open(dataDir);
  await prepare?.(catalog);
  return { dataDir, catalog, engine: await LocalQueryEngine.open(catalog) };
}

/** Closes the engine (if it opened) and removes the data dir. */
export async function closeTempLake(lake: Partial<TempLake>): Promise<void> {
  await lake.engine?.close();
  if (lake.dataDir !== undefined) await rm(lake.dataDir, { recursive: true, force: true });
}

/**
 * The daily steps for each target in turn, as the schedule would run them: the raw partitions a
 * run reads registered first, then curated events, daily_ctr and daily_conversions.
 */
export async function runDailyTargets(lake: Pick<TempLake, 'catalog' | 'engine'>, targets: readonly string[], windows: DailyWindows): Promise<void> {
  for (const target of targets) {
    await lake.catalog.registerPartitions('raw_events', rawPartitionsToRegister(target, windows.lookbackDays));
    await runDailyLocal(lake, target, windows);
  }
}
