import { anomalyColumns, dailyConversionColumns, dailyCtrColumns, dailyExperimentColumns, experimentColumns, flatRowColumns, partitionColumn, type ColumnDef } from './columns';

/** Catalog database name, the same on Glue and in the local catalog. */
export const databaseName = 'whatsapp_analytics';

export const storageFormats = ['json', 'parquet'] as const;
export type StorageFormat = (typeof storageFormats)[number];

export interface TableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  readonly partition: ColumnDef;
  readonly format: StorageFormat;
  /** Key prefix in the bucket (or the local lake), ending with a slash; partitions live under `dt=…/`. */
  readonly prefix: string;
}

/** Every table of the lake, keyed by name. */
export const tables = {
  raw_events: {
    name: 'raw_events',
    description: 'Flattened webhook rows as the transform wrote them, partitioned by arrival date',
    columns: flatRowColumns,
    partition: partitionColumn,
    format: 'json',
    prefix: 'raw/events/',
  },
  events: {
    name: 'events',
    description: 'Curated rows, one per event_id, partitioned by event date, no quarantine rows',
    columns: flatRowColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/events/',
  },
  daily_ctr: {
    name: 'daily_ctr',
    description: 'Click-through per cohort date, campaign, template and button',
    columns: dailyCtrColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/daily_ctr/',
  },
  daily_conversions: {
    name: 'daily_conversions',
    description: 'Conversions, users, value and time to convert per cohort date, campaign, template, button, conversion name and currency',
    columns: dailyConversionColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/daily_conversions/',
  },
  daily_experiments: {
    name: 'daily_experiments',
    description: 'Exposures and successes per cohort date, experiment, variant and metric (daily counts)',
    columns: dailyExperimentColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/daily_experiments/',
  },
  experiments: {
    name: 'experiments',
    description: 'Each experiment, variant and metric on the evaluation date: lift, always-valid interval and p-value, decision',
    columns: experimentColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/experiments/',
  },
  anomalies: {
    name: 'anomalies',
    description: 'Series that broke from their own history on the target date',
    columns: anomalyColumns,
    partition: partitionColumn,
    format: 'parquet',
    prefix: 'curated/anomalies/',
  },
} as const satisfies Record<string, TableDef>;

export type TableName = keyof typeof tables;

/** Prefix where Firehose writes records the transform could not process at all. */
export const errorPrefix = 'raw/errors/';
