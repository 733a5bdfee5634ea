import { anomaliesSelect } from '../../../shared/daily/rows-select';
import { athenaPartitionStatements, athenaWriteStatements, curatedEventsSelect, dailyConversionsSelect, dailyCtrSelect, dailyTables } from '../../../shared/daily/statements';
import { renderSql } from '../../../shared/sql/render';
import { tutorialViewDdl } from '../../../shared/sql/views';
import { todayQueryParams } from '../../../shared/today/read';
import { trinoSyntaxErrors as syntaxErrors } from '../../support/trino';

// Every statement the workflow sends to Athena must parse with a Trino grammar.

function anomaly(campaign: string, observed: number | null) {
  return { campaign_id: campaign, template_name: null, button_id: 'yes', metric: 'ctr', kind: 'drop', observed, expected: 0.3, lower: 0.2, upper: 0.4, score: 7, baseline_days: 28, incident_start: '2024-04-30' };
}

const statements: [string, string][] = [
  ['curated-events SELECT', curatedEventsSelect('athena', '2024-05-01', 3)],
  ['daily-ctr SELECT', dailyCtrSelect('athena', '2024-05-01', { lookbackDays: 3, attributionDays: 7 })],
  ['daily-conversions SELECT', dailyConversionsSelect('athena', '2024-05-01', { lookbackDays: 3, attributionDays: 7 })],
  ['button-clicks-view SELECT', renderSql('button-clicks-view', { database: 'whatsapp_analytics' }, 'athena')],
  ['button_clicks view DDL', tutorialViewDdl('button_clicks', 'athena')],
  ['conversions view DDL', tutorialViewDdl('conversions', 'athena')],
  ['conversions view DDL on the dev database', tutorialViewDdl('conversions', 'athena', 'whatsapp_analytics_dev')],
  ...dailyTables.flatMap((table): [string, string][] => {
    const s = athenaPartitionStatements(table, { bucket: 'wa-analytics-prod-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 } });
    return [
      [`${table} CTAS`, s.create],
      [`${table} DROP`, s.drop],
    ];
  }),
  // The dev stage's Glue database (serverless.yml glueDatabase) in every statement of a rebuild.
  ...dailyTables.map((table): [string, string] => [`${table} CTAS on the dev database`, athenaPartitionStatements(table, { bucket: 'wa-analytics-dev-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 }, database: 'whatsapp_analytics_dev' }).create]),
  ['button_clicks view DDL on the dev database', tutorialViewDdl('button_clicks', 'athena', 'whatsapp_analytics_dev')],
  // What the anomaly and digest steps read back, and what they write.
  ['daily/ctr-history SELECT', renderSql('daily/ctr-history', { from_dt: '2024-04-03', to_dt: '2024-05-01' }, 'athena')],
  ['daily/prior-anomalies SELECT', renderSql('daily/prior-anomalies', { from_dt: '2024-04-03', before_dt: '2024-05-01' }, 'athena')],
  ['daily/digest-anomalies SELECT', renderSql('daily/digest-anomalies', { dt: '2024-05-01' }, 'athena')],
  ['daily/digest-headlines SELECT', renderSql('daily/digest-headlines', { dt: '2024-05-01' }, 'athena')],
  ['daily/digest-conversions SELECT', renderSql('daily/digest-conversions', { dt: '2024-05-01', from_dt: '2024-04-21', conv_from_dt: '2024-05-01', lookback_days: 3, window_ms: 604_800_000 }, 'athena')],
  ['daily/digest-quarantined SELECT', renderSql('daily/digest-quarantined', { dt: '2024-05-01' }, 'athena')],
  ...[
    ['no rows', anomaliesSelect([])],
    ['two rows', anomaliesSelect([anomaly("o'brien", 0.1), anomaly('spring', null)])],
  ].map(([rows, select]): [string, string] => [`anomalies CTAS of ${rows}`, athenaWriteStatements('anomalies', { bucket: 'wa-analytics-prod-lake', dt: '2024-05-01', select: select!, database: 'whatsapp_analytics_dev' }).create]),
  // The operator's `status --stage` counts.
  ['ops/raw-counts SELECT', renderSql('ops/raw-counts', { database: 'whatsapp_analytics_dev', from_dt: '2024-04-29', to_dt: '2024-05-01' }, 'athena')],
  // `today --stage` and the dashboard's "today so far" on Athena.
  ['today/by-button SELECT', renderSql('today/by-button', todayQueryParams('2024-05-01', {}, 'whatsapp_analytics_dev'), 'athena')],
  ['tutorial query on the conversions view', `SELECT conversion_name, currency, COUNT(*), SUM(value) FROM whatsapp_analytics.conversions WHERE timestamp > '2024-05-01T00:00:00Z' GROUP BY conversion_name, currency`],
  ['tutorial query on the view', `SELECT button_id, button_text, COUNT(*), COUNT(DISTINCT wa_id) FROM whatsapp_analytics.button_clicks WHERE timestamp > '2024-05-01T00:00:00Z' GROUP BY button_id, button_text`],
];

describe('Athena statements against the Trino grammar', () => {
  it('rejects a broken statement (the check is live)', () => {
    expect(syntaxErrors('SELECT a FROM WHERE b = 1')).not.toEqual([]);
    expect(syntaxErrors(curatedEventsSelect('athena', '2024-05-01', 3).replace('PARTITION BY', 'PARTITION'))).not.toEqual([]);
  });

  it.each(statements)('%s parses with no syntax error', (_name, sql) => {
    expect(syntaxErrors(sql)).toEqual([]);
  });

  it('CTAS writes Parquet to the partition prefix through a temporary table', () => {
    const s = athenaPartitionStatements('events', { bucket: 'wa-analytics-prod-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 } });
    expect(s.keyPrefix).toBe('curated/events/dt=2024-05-01/');
    expect(s.create).toContain("external_location = 's3://wa-analytics-prod-lake/curated/events/dt=2024-05-01/'");
    expect(s.create.startsWith('CREATE TABLE whatsapp_analytics.tmp_events_20240501 WITH (')).toBe(true);
    expect(s.drop).toBe('DROP TABLE IF EXISTS whatsapp_analytics.tmp_events_20240501');
  });

  it('names the stage database given, in the temporary table and in what the SELECT reads', () => {
    const events = athenaPartitionStatements('events', { bucket: 'wa-analytics-dev-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 }, database: 'whatsapp_analytics_dev' });
    expect(events.create.startsWith('CREATE TABLE whatsapp_analytics_dev.tmp_events_20240501 WITH (')).toBe(true);
    expect(events.create).toContain('FROM whatsapp_analytics_dev.raw_events AS r');
    expect(events.drop).toBe('DROP TABLE IF EXISTS whatsapp_analytics_dev.tmp_events_20240501');
    const ctr = athenaPartitionStatements('daily_ctr', { bucket: 'wa-analytics-dev-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 }, database: 'whatsapp_analytics_dev' });
    expect(ctr.create).toContain('FROM whatsapp_analytics_dev.events');
    for (const sql of [events.create, ctr.create, tutorialViewDdl('button_clicks', 'athena', 'whatsapp_analytics_dev')]) expect(sql).not.toMatch(/whatsapp_analytics\./);
  });
});
