import { printToday } from '../../../cli/commands/today/run';
import { dailyCtrColumns } from '../../../shared/schema/columns';
import { renderSql } from '../../../shared/sql/render';
import { todayQueryParams } from '../../../shared/today/read';
import { byCall, describeStacksAnswer, jsonAnswer, useLoopbackAws } from '../../support/loopback-aws';
import { prodOutputs } from './ops-fixtures';

/**
 * `today --stage` with the real SDK clients against a loopback AWS (AWS_ENDPOINT_URL): the
 * stack's outputs name the workgroup, the Glue database and the reporting time zone; Athena runs
 * today/by-button.sql for today in that zone.
 */

const names = dailyCtrColumns.map((c) => c.name);
const bigints = new Set<string>(dailyCtrColumns.filter((c) => c.type === 'bigint').map((c) => c.name));
const row: Record<string, string | undefined> = {
  campaign_id: 'spring_sale', template_name: 'spring_offer_v3', button_id: 'shop_now', button_title: 'Shop now', button_position: '1',
  messages_sent: '1200', messages_delivered: '1100', messages_read: '900', clicks: '160', clicked_messages: '154', unique_users: '150',
  ctr: '0.14', read_ctr: '0.1711', median_seconds_to_click: '95.0', conversions: '12', converted_messages: '11', conversion_rate: '0.0714',
};

const loopback = useLoopbackAws();

function answer(outputs: Record<string, string>) {
  loopback.current.seen.length = 0;
  loopback.current.answer = byCall({
    DescribeStacks: describeStacksAnswer('wa-analytics-prod', outputs),
    StartQueryExecution: jsonAnswer({ QueryExecutionId: 'q-1' }),
    GetQueryExecution: jsonAnswer({ QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' } } }),
    GetQueryResults: jsonAnswer({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: names.map((Name) => ({ Name, Type: bigints.has(Name) ? 'bigint' : Name === 'button_position' ? 'integer' : /ctr|rate|seconds/.test(Name) ? 'double' : 'varchar' })) },
        Rows: [{ Data: names.map((v) => ({ VarCharValue: v })) }, { Data: names.map((n) => (row[n] === undefined ? {} : { VarCharValue: row[n] })) }],
      },
    }),
  });
}

const outputs = { ...Object.fromEntries(prodOutputs.map((o) => [o.OutputKey!, o.OutputValue!])), TimeZone: 'America/Sao_Paulo' };

describe('today --stage against a loopback AWS', () => {
  it("runs today's query for today in the stage's time zone, through its workgroup and database, and prints the rows", async () => {
    answer(outputs);
    let text = '';
    // 02:30 UTC on 05-04 is still 05-03 in São Paulo (UTC−3).
    await printToday({ stage: 'prod', region: 'eu-west-1' }, (t) => (text += t), {}, () => undefined, Date.parse('2024-05-04T02:30:00Z'));
    const starts = loopback.current.seen.filter((r) => r.target === 'AmazonAthena.StartQueryExecution');
    expect(starts).toHaveLength(1);
    const request = JSON.parse(starts[0]!.body) as { QueryString: string; WorkGroup: string; QueryExecutionContext: { Database: string } };
    expect(request.WorkGroup).toBe('wa-analytics-prod');
    expect(request.QueryExecutionContext.Database).toBe('whatsapp_analytics');
    // Exactly the file's Athena rendering for 05-03: raw partitions 04-29 … 05-04.
    expect(request.QueryString).toBe(renderSql('today/by-button', todayQueryParams('2024-05-03', {}, 'whatsapp_analytics'), 'athena'));
    expect(request.QueryString).toContain("WHERE dt BETWEEN '2024-04-29' AND '2024-05-04'");
    expect(text.split('\n')[0]).toBe('Today so far: 2024-05-03 (America/Sao_Paulo), as of 23:30; messages sent today, from the raw rows (each fact once); the daily run makes it final');
    expect(text).toMatch(/\nspring_sale\s+spring_offer_v3\s+shop_now \(Shop now\)\s+1200\s+1100\s+154\s+160\s+14\.0%\s+12\n/);
  });

  it('refuses a stack without the TimeZone output, naming it (a stack deployed before today existed)', async () => {
    const { TimeZone: _tz, ...older } = outputs;
    answer(older);
    await expect(printToday({ stage: 'prod', region: 'eu-west-1' }, () => undefined, {}, () => undefined, Date.parse('2024-05-04T02:30:00Z'))).rejects.toThrow(
      "stack wa-analytics-prod has no output TimeZone (the stage's reporting time zone); redeploy with sls deploy --stage prod",
    );
    expect(loopback.current.seen.filter((r) => r.target === 'AmazonAthena.StartQueryExecution')).toEqual([]);
  });
});
