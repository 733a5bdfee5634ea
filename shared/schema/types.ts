import type { anomalyColumns, ColumnDef, ColumnType, dailyConversionColumns, dailyCtrColumns, experimentColumns, flatRowColumns } from './columns';

/** TypeScript value type of a column type; bigints are epoch milliseconds and counts, safe as numbers. */
export interface ColumnTsType {
  string: string;
  int: number;
  bigint: number;
  double: number;
}

type ValueOf<C extends ColumnDef> = C['nullable'] extends false ? ColumnTsType[C['type'] & ColumnType] : ColumnTsType[C['type'] & ColumnType] | null;

/** A row type derived from a column list. */
export type RowOf<Cols extends readonly ColumnDef[]> = { [C in Cols[number] as C['name']]: ValueOf<C> };

export type FlatRow = RowOf<typeof flatRowColumns>;
export type DailyCtrRow = RowOf<typeof dailyCtrColumns>;
export type DailyConversionRow = RowOf<typeof dailyConversionColumns>;
export type AnomalyRow = RowOf<typeof anomalyColumns>;
export type ExperimentRow = RowOf<typeof experimentColumns>;

export type RowKind = 'click' | 'status' | 'send' | 'message' | 'conversion' | 'quarantine';
/** Every source of rows, the one list (envelopes, CLI choices and requeue check against it). */
export const sources = ['meta', 'wasender', 'registry', 'conversions', 'twilio'] as const;
export type Source = (typeof sources)[number];
export type Interaction = 'button_reply' | 'list_reply' | 'nfm_reply' | 'quick_reply';
export type StatusName = 'sent' | 'delivered' | 'read' | 'failed' | 'played';
