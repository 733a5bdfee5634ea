export * from './columns';
export * from './tables';
export * from './types';
export * from './glue';
export * from './duckdb';
