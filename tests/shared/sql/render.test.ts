import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { TemplateError } from '../../../shared/errors';
import { flatRowColumns } from '../../../shared/schema/columns';
import { athena, duckdb } from '../../../shared/sql/dialect';
import { includeNames, queryNames } from '../../../shared/sql/query-files';
import { declaredParams, loadQuery, queriesDir, renderSql, renderTemplate, splitArgs } from '../../../shared/sql/render';

const template = ['-- a comment with {{no_placeholder}} in it', '-- params: db:ident, day:date, n:int', 'SELECT {{n}} AS n, {{fn:median(x)}} AS m FROM {{db}}.events WHERE dt = {{day}}'].join('\n');
const params = { db: 'whatsapp_analytics', day: '2024-02-29', n: 3 };

describe('renderTemplate', () => {
  it('substitutes validated literals and the dialect functions, and drops whole-line comments', () => {
    expect(renderTemplate(template, params, 'athena')).toBe("SELECT 3 AS n, approx_percentile(x, 0.5) AS m FROM whatsapp_analytics.events WHERE dt = '2024-02-29'");
    expect(renderTemplate(template, params, duckdb)).toBe("SELECT 3 AS n, median(x) AS m FROM whatsapp_analytics.events WHERE dt = '2024-02-29'");
  });

  it.each([
    ['a missing parameter', { db: 'whatsapp_analytics', day: '2024-02-29' }, /missing parameter "n"/],
    ['an extra parameter', { ...params, extra: 1 }, /unexpected parameter "extra"/],
    ['a date that is not a calendar day', { ...params, day: '2023-02-29' }, /"day" must be a date/],
    ['a date with SQL in it', { ...params, day: "2024-01-01' OR '1'='1" }, /"day" must be a date/],
    ['a negative integer', { ...params, n: -1 }, /non-negative integer/],
    ['a fractional integer', { ...params, n: 1.5 }, /non-negative integer/],
    ['a number given for a date', { ...params, day: 20240101 }, /"day" must be a date/],
    ['an identifier outside the allowlist', { ...params, db: 'information_schema' }, /"db" must be one of/],
  ])('throws TemplateError for %s', (_what, p, message) => {
    expect(() => renderTemplate(template, p, 'athena')).toThrow(TemplateError);
    expect(() => renderTemplate(template, p, 'athena')).toThrow(message);
  });

  it.each([
    ['an undeclared placeholder', '-- params: a:int\nSELECT {{a}}, {{b}}', { a: 1 }, /unknown placeholder \{\{b\}\}/],
    ['an unknown function', 'SELECT {{fn:percentile(x)}}', {}, /unknown function/],
    ['a wrong number of function arguments', 'SELECT {{fn:median(x, 0.5)}}', {}, /takes 1 argument/],
    ['a malformed placeholder', 'SELECT {{ not a name }}', {}, /malformed placeholder/],
    ['a declared parameter that is never used', '-- params: a:int, b:int\nSELECT {{a}}', { a: 1, b: 2 }, /"b" is declared but never used/],
    ['a bad declaration', '-- params: a:text\nSELECT {{a}}', { a: 'x' }, /bad parameter declaration/],
  ])('throws TemplateError for %s in the file', (_what, text, p, message) => {
    expect(() => renderTemplate(text, p, 'duckdb')).toThrow(TemplateError);
    expect(() => renderTemplate(text, p, 'duckdb')).toThrow(message);
  });

  it('rejects an unknown dialect', () => {
    expect(() => renderTemplate('SELECT 1', {}, 'postgres' as 'athena')).toThrow(/unknown SQL dialect/);
  });

  it('splits function arguments only at top-level commas', () => {
    expect(splitArgs("1, f(a, b), 'x,y'")).toEqual(['1', 'f(a, b)', "'x,y'"]);
    expect(splitArgs('')).toEqual([]);
    expect(() => splitArgs('f(a, b')).toThrow(TemplateError);
    expect(() => splitArgs('a,,b')).toThrow(TemplateError);
  });

  it('expands every dialect function on both engines', () => {
    expect(athena.functions.int_range.render(['1', 'n'])).toBe('sequence(1, n)');
    expect(duckdb.functions.int_range.render(['1', 'n'])).toBe('generate_series(1, n)');
  });
});

describe('renderSql', () => {
  it('renders the query files with the parameters they declare', () => {
    const sql = renderSql('curated-events', { database: 'whatsapp_analytics', event_date: '2024-05-01', from_dt: '2024-04-30', to_dt: '2024-05-05' }, 'duckdb');
    expect(sql).toContain("r.dt BETWEEN '2024-04-30' AND '2024-05-05'");
    expect(sql).toContain("r.event_date = '2024-05-01'");
    expect(sql).not.toContain('{{');
    expect(sql).not.toMatch(/^\s*--/m);
  });

  it('lists every flat-row column in schema order in the curated-events SELECT', () => {
    const sql = renderSql('curated-events', { database: 'whatsapp_analytics', event_date: '2024-05-01', from_dt: '2024-04-30', to_dt: '2024-05-05' }, 'athena');
    const selectList = /^SELECT\s+([\s\S]*?)\s+FROM \(/.exec(sql)![1]!;
    expect(selectList.split(',').map((s) => s.trim())).toEqual(flatRowColumns.map((c) => c.name));
  });

  it('renders the same text on both engines apart from the dialect functions', () => {
    for (const [name, p] of [
      ['curated-events', { database: 'whatsapp_analytics', event_date: '2024-05-01', from_dt: '2024-04-30', to_dt: '2024-05-05' }],
      ['daily-ctr', { database: 'whatsapp_analytics', cohort_date: '2024-05-01', from_dt: '2024-04-15', to_dt: '2024-05-12', count_from_dt: '2024-04-27', count_to_dt: '2024-05-04', conv_from_dt: '2024-04-27', lookback_days: 3, window_ms: 604800000 }],
      ['daily-conversions', { database: 'whatsapp_analytics', cohort_date: '2024-05-01', from_dt: '2024-04-15', to_dt: '2024-05-12', count_from_dt: '2024-04-27', count_to_dt: '2024-05-04', conv_from_dt: '2024-04-27', lookback_days: 3, window_ms: 604800000 }],
      ['button-clicks-view', { database: 'whatsapp_analytics' }],
    ] as const) {
      const a = renderSql(name, p, 'athena').split('\n');
      const d = renderSql(name, p, 'duckdb').split('\n');
      expect(a.length).toBe(d.length);
      const differing = a.filter((line, i) => line !== d[i]);
      for (const line of differing) expect(line).toMatch(/approx_percentile|date_format|json_parse|sequence\(/);
    }
  });

  it('takes the catalog database as a parameter checked by form (it differs per stage)', () => {
    for (const name of ['curated-events', 'daily-ctr', 'button-clicks-view'] as const) expect(declaredParams(loadQuery(name)).get('database')).toBe('database');
    const dev = renderSql('curated-events', { database: 'whatsapp_analytics_dev', event_date: '2024-05-01', from_dt: '2024-04-30', to_dt: '2024-05-05' }, 'athena');
    expect(dev).toContain('FROM whatsapp_analytics_dev.raw_events AS r');
    for (const bad of ['whatsapp-analytics', 'Whatsapp_analytics', '1db', 'db.events', "x; DROP TABLE y", '', 'a'.repeat(256)]) {
      expect(() => renderSql('button-clicks-view', { database: bad }, 'athena')).toThrow(/"database" must be a database name/);
    }
  });

  it('declares the parameters of each query file', () => {
    expect([...declaredParams('-- params: database:ident, cohort_date:date\nSELECT 1').entries()]).toEqual([
      ['database', 'ident'],
      ['cohort_date', 'date'],
    ]);
    expect(() => renderSql('daily-ctr', { database: 'whatsapp_analytics', cohort_date: '2024-05-01', from_dt: '2024-04-27' }, 'athena')).toThrow(/daily-ctr\.sql: missing parameter "to_dt"/);
    expect(() => renderSql('nope' as 'daily-ctr', {}, 'athena')).toThrow(/unknown query/);
  });
});

describe('the query files', () => {
  const onDisk = readdirSync(queriesDir, { recursive: true })
    .map((f) => String(f).split(sep).join('/'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();

  it('are all listed, as queries or as fragments, and every listed one exists', () => {
    expect(onDisk).toEqual([...queryNames, ...includeNames.map((n) => `include/${n}`)].sort());
  });

  it('each declare their parameters in a well-formed params line', () => {
    for (const name of queryNames) expect(() => declaredParams(loadQuery(name))).not.toThrow();
  });
});

describe('includes', () => {
  const fragment = readFileSync(join(queriesDir, 'include', 'messages.sql'), 'utf8');

  it('paste the fragment without its comments, where the query names it', () => {
    const sql = renderTemplate('-- see {{include:messages}} below\nWITH ev AS (SELECT * FROM events),\n{{include:messages}}\nSELECT COUNT(*) FROM messages', {}, 'duckdb');
    const body = fragment.split('\n').filter((l) => !l.trimStart().startsWith('--')).join('\n').trim();
    expect(sql).toBe(`WITH ev AS (SELECT * FROM events),\n${body}\nSELECT COUNT(*) FROM messages`);
    expect(sql).not.toMatch(/^\s*--/m);
    expect(sql).not.toContain('{{');
  });

  it('throw TemplateError for a fragment that does not exist', () => {
    expect(() => renderTemplate('WITH {{include:nope}} SELECT 1', {}, 'duckdb')).toThrow(/unknown include \{\{include:nope\}\}/);
  });

  it('give the workflow, the funnel and the time-to-tap report one definition of a message', () => {
    for (const name of ['daily-ctr', 'daily-conversions', 'report/funnel', 'report/time-to-tap'] as const) {
      expect(loadQuery(name)).toContain('{{include:messages}}');
      // The rules themselves are not written again in the query.
      expect(loadQuery(name)).not.toMatch(/status_flags AS|'unattributed'\) AS campaign_id/);
    }
  });

  it('give daily_ctr and daily_conversions one definition of attribution', () => {
    for (const name of ['daily-ctr', 'daily-conversions'] as const) {
      expect(loadQuery(name)).toContain('{{include:attribution}}');
      expect(loadQuery(name)).not.toMatch(/conv_candidates AS|ROW_NUMBER\(\) OVER \(PARTITION BY c\.conv_id/);
    }
  });
});
