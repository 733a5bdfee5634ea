import type { QueryEngine } from '../ports/query-engine';
import { renderReportHtml } from './html';
import { buildReportModel } from './model';
import { loadReportData, type ReportSource } from './queries';
import type { ReportSpan } from './span';
import { withToday } from './today-data';
import type { TodayClock } from '../today/read';

/**
 * The dashboard page from any QueryEngine: the report's queries (one `.sql` file each) over one
 * span of dates, the model, the HTML. The one path every dashboard takes: `report` on the local
 * lake or a stage's Athena, and the workflow's PublishReport step.
 */

export interface ReportBuild {
  readonly html: string;
  /** The span the queries read; absent when they read the whole local lake. */
  readonly span?: ReportSpan;
  /** Bytes the engine scanned over all the queries, when it reports them (Athena); else null. */
  readonly scannedBytes: number | null;
}

export interface BuildOptions extends ReportSource {
  /** ISO-8601 time printed on the page. */
  readonly generatedAt: string;
  readonly title?: string;
  /** What "today" is (reporting time zone and instant): the "today so far" panel when the page is built during that day; absent: none. */
  readonly today?: TodayClock;
}

/** Runs the report's queries on `engine` and renders the page; the engine stays open (the caller owns it). */
export async function buildReport(engine: QueryEngine, options: BuildOptions): Promise<ReportBuild> {
  let scannedBytes: number | null = null;
  // Counts what each statement scanned without widening the port: the engine's own answers, summed.
  const metered: QueryEngine = {
    query: async (sql) => {
      const result = await engine.query(sql);
      if (result.scannedBytes !== undefined) scannedBytes = (scannedBytes ?? 0) + result.scannedBytes;
      return result;
    },
    close: () => engine.close(),
  };
  const loaded = await loadReportData(metered, options);
  const data = options.today === undefined ? loaded : await withToday(loaded, metered, options.dialect ?? 'duckdb', options.today, {}, options.database);
  const model = buildReportModel(data, { generatedAt: options.generatedAt, ...(options.title === undefined ? {} : { title: options.title }), ...(options.span === undefined ? {} : { span: options.span }) });
  return { html: renderReportHtml(model), ...(options.span === undefined ? {} : { span: options.span }), scannedBytes };
}
