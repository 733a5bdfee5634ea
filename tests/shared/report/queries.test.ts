import { renderReportSql, reportQueryNames } from '../../../shared/report/queries';
import { trinoSyntaxErrors } from '../../support/trino';

const dev = { dialect: 'athena', database: 'whatsapp_analytics_dev', span: { from: '2024-04-04', to: '2024-05-01' } } as const;

describe('report queries on Athena', () => {
  // The dashboard reads through the QueryEngine port; on a stage that is Athena, so every report
  // query must be Trino as well as DuckDB (the lake tests run them on DuckDB).
  it.each(reportQueryNames.map((name) => [name]))('%s parses with the Trino grammar', (name) => {
    const sql = renderReportSql(name, dev);
    expect(sql).toContain('whatsapp_analytics_dev.');
    expect(trinoSyntaxErrors(sql)).toEqual([]);
  });

  it.each(reportQueryNames.map((name) => [name]))('%s reads only the partitions of the span (what bounds the bytes Athena scans)', (name) => {
    const sql = renderReportSql(name, dev);
    // Every table the query names is read under the span's filter on the partition column.
    const tables = sql.match(/whatsapp_analytics_dev\.[a-z_]+/g) ?? [];
    const filters = sql.match(/dt BETWEEN '2024-04-04' AND '2024-05-01'/g) ?? [];
    expect(tables.length).toBeGreaterThan(0);
    expect(filters).toHaveLength(tables.length);
  });

  it('the check is live: a broken report query does not parse', () => {
    const sql = renderReportSql('experiments', { dialect: 'athena' });
    expect(trinoSyntaxErrors(sql.replace('ORDER BY', 'ORDER'))).not.toEqual([]);
  });
});
