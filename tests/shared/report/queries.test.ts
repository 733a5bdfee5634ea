import { reportQueryNames } from '../../../shared/report/queries';
import { renderSql } from '../../../shared/sql/render';
import { trinoSyntaxErrors } from '../../support/trino';

describe('report queries on Athena', () => {
  // The dashboard reads through the QueryEngine port; on a stage that is Athena, so every report
  // query must be Trino as well as DuckDB (the lake tests run them on DuckDB).
  it.each(reportQueryNames.map((name) => [name]))('%s parses with the Trino grammar', (name) => {
    const sql = renderSql(`report/${name}`, { database: 'whatsapp_analytics_dev' }, 'athena');
    expect(sql).toContain('whatsapp_analytics_dev.');
    expect(trinoSyntaxErrors(sql)).toEqual([]);
  });

  it('the check is live: a broken report query does not parse', () => {
    const sql = renderSql('report/experiments', { database: 'whatsapp_analytics' }, 'athena');
    expect(trinoSyntaxErrors(sql.replace('ORDER BY', 'ORDER'))).not.toEqual([]);
  });
});
