/**
 * What one chart or table of the dashboard is, as plain data: built by charts.ts and ctr-chart.ts,
 * gathered by model.ts, drawn by html.ts and the page's script. Types only, so the builders and
 * the model depend on this file, not on each other.
 */

export interface TableColumn {
  readonly label: string;
  /** Right-aligned. */
  readonly numeric: boolean;
}

export interface TableSpec {
  readonly columns: readonly TableColumn[];
  /** Formatted cells, one array per row, in column order. */
  readonly rows: readonly (readonly string[])[];
}

/** A point placed by its category label rather than by index (anomaly markers). */
export interface ChartPoint {
  readonly x: string;
  readonly y: number;
}

export interface DatasetSpec {
  readonly label: string;
  /** One value per chart label (series), or free points (markers). */
  readonly data: readonly (number | null)[] | readonly ChartPoint[];
  readonly color: string;
  /** Line dash pattern; empty for a solid line. */
  readonly dash: readonly number[];
  /**
   * `marker`: points only, drawn above the series (anomaly days). `interval`: one end of an
   * interval, a thin line without points. `reference`: a fixed line to read the others against
   * (no difference).
   */
  readonly role: 'series' | 'marker' | 'interval' | 'reference';
  /** Shade the area between this line and the dataset just before it (an interval's band). */
  readonly fillToPrevious?: boolean;
  /** Left out of the legend (the second end of a band the first end already names). */
  readonly hideInLegend?: boolean;
  /** An extra tooltip line per data entry, null where there is nothing to add. */
  readonly notes?: readonly (string | null)[];
}

export interface ChartSpec {
  /** DOM id stem; also how tests find the chart. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what is counted and how. */
  readonly description: string;
  readonly type: 'line' | 'bar';
  readonly stacked: boolean;
  readonly xTitle: string;
  readonly yTitle: string;
  /** How y values are printed on ticks and tooltips. */
  readonly yUnit: 'percent' | 'count';
  /** Fixed y axis bounds, values beyond them clipped; absent: the axis fits every value. */
  readonly yRange?: { readonly min: number; readonly max: number };
  readonly labels: readonly string[];
  readonly datasets: readonly DatasetSpec[];
  readonly table: TableSpec;
  /** Shown over the empty axes when there is nothing to draw; null when there is data. */
  readonly emptyMessage: string | null;
  /** Spans the page's whole width (a chart of many bars); default: one grid column. */
  readonly wide?: boolean;
}

/** A table with no chart (revenue in the currencies beyond the charted ones, experiments beyond the charted ones). */
export interface TableSection {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly table: TableSpec;
}
