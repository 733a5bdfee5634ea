import { QueryError } from '../../../shared/errors';
import type { QueryEngine, QueryRow } from '../../../shared/ports/query-engine';
import { num, str } from '../../../shared/sql/decode';
import { renderSql } from '../../../shared/sql/render';
import { runQuery } from '../../../shared/sql/run-query';

/** An engine that records the SQL it gets and answers fixed rows. */
function engineAnswering(rows: QueryRow[]): QueryEngine & { seen: string[] } {
  const seen: string[] = [];
  return { seen, query: async (sql) => (seen.push(sql), { columns: Object.keys(rows[0] ?? {}), rows }), close: async () => undefined };
}

const call = { name: 'daily/digest-headlines', params: { dt: '2024-05-03' }, dialect: 'athena' } as const;
const headline = (r: QueryRow) => ({ campaign_id: str(r, 'campaign_id'), clicks: num(r, 'clicks') });

describe('runQuery', () => {
  it('sends the rendered file and decodes every row', async () => {
    const engine = engineAnswering([{ campaign_id: 'spring', clicks: 3 }, { campaign_id: 'promo', clicks: '4' }]);
    expect(await runQuery(engine, call, headline)).toEqual([{ campaign_id: 'spring', clicks: 3 }, { campaign_id: 'promo', clicks: 4 }]);
    expect(engine.seen).toEqual([renderSql(call.name, call.params, 'athena')]);
    expect(engine.seen[0]).toContain("WHERE dt = '2024-05-03'");
  });

  it('names the query, the row and the column of a value of the wrong type', async () => {
    const engine = engineAnswering([{ campaign_id: 'spring', clicks: 3 }, { campaign_id: 5, clicks: 1 }]);
    const failing = runQuery(engine, call, headline);
    await expect(failing).rejects.toThrow(QueryError);
    await expect(failing).rejects.toThrow('daily/digest-headlines.sql, row 2: column "campaign_id": expected text, got 5 (number)');
  });

  it('refuses a date parameter that is not a calendar day before anything is sent', async () => {
    const engine = engineAnswering([]);
    await expect(runQuery(engine, { ...call, params: { dt: "2024-05-03' OR '1'='1" } }, headline)).rejects.toThrow(/"dt" must be a date/);
    expect(engine.seen).toEqual([]);
  });
});
