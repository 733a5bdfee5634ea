import { join } from 'node:path';
import { InputError } from '../../errors';
import { errorPrefix, tables, type TableName } from '../../schema/tables';
import { isIsoDate } from '../../time';

/**
 * Layout of the local lake: the same keys as the S3 bucket, under `<dataDir>/lake/`. Keys use
 * `/` whatever the platform; `lakePath` turns one into a file path.
 */
export const lakeDirName = 'lake';

/** The lake root inside a data directory. */
export function lakeDir(dataDir: string): string {
  return join(dataDir, lakeDirName);
}

/** File path of a lake key (or key prefix). */
export function lakePath(lakeRoot: string, key: string): string {
  return join(lakeRoot, ...key.split('/').filter((part) => part !== ''));
}

/** Throws InputError unless `dt` is a real `YYYY-MM-DD` date (it becomes part of a path). */
export function assertPartitionDate(dt: string): string {
  if (!isIsoDate(dt)) throw new InputError(`partition date must be YYYY-MM-DD (got "${dt}")`);
  return dt;
}

/** Key prefix of one partition of a table, e.g. `raw/events/dt=2024-05-01/`. */
export function partitionKey(table: TableName, dt: string): string {
  return `${tables[table].prefix}dt=${assertPartitionDate(dt)}/`;
}

/** Firehose's error output types; the transform's failures land under `processing-failed`. */
export const errorOutputTypes = ['processing-failed'] as const;
export type ErrorOutputType = (typeof errorOutputTypes)[number];

/** Key prefix of one day of Firehose error output, e.g. `raw/errors/processing-failed/dt=2024-05-01/`. */
export function errorPartitionKey(outputType: ErrorOutputType, dt: string): string {
  return `${errorPrefix}${outputType}/dt=${assertPartitionDate(dt)}/`;
}
