import { printExperimentTable } from '../../../cli/commands/experiments/table';
import { experimentColumns } from '../../../shared/schema/columns';
import { byCall, describeStacksAnswer, jsonAnswer, useLoopbackAws } from '../../support/loopback-aws';
import { prodOutputs } from './ops-fixtures';

/**
 * `experiments --stage` with the real SDK clients against a loopback AWS (AWS_ENDPOINT_URL): the
 * stage's outputs name the workgroup and database, Athena runs experiments/of-date.sql there.
 */

const outputs = Object.fromEntries(prodOutputs.map((o) => [o.OutputKey!, o.OutputValue!]));
const row: Record<string, string> = {
  experiment_id: 'cta_copy', variant: 'urgent', metric: 'ctr', exposures: '6000', successes: '840', rate: '0.14', control_variant: 'control',
  control_rate: '0.1', lift: '0.4', lift_lower: '0.25', lift_upper: '0.56', p_value: '1.5E-9', decision: 'winner', srm_p_value: '1.0', days_running: '3',
};
const names = experimentColumns.map((c) => c.name);

const loopback = useLoopbackAws();

describe('experiments --stage against a loopback AWS', () => {
  it("reads the date's rows through the stage's Athena workgroup and database and prints them", async () => {
    loopback.current.answer = byCall({
      DescribeStacks: describeStacksAnswer('wa-analytics-prod', outputs),
      StartQueryExecution: jsonAnswer({ QueryExecutionId: 'q-1' }),
      GetQueryExecution: jsonAnswer({ QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' } } }),
      GetQueryResults: jsonAnswer({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: names.map((Name) => ({ Name, Type: Name === 'exposures' || Name === 'successes' ? 'bigint' : Name === 'days_running' ? 'integer' : 'varchar' })) },
          Rows: [{ Data: names.map((v) => ({ VarCharValue: v })) }, { Data: names.map((n) => ({ VarCharValue: row[n] })) }],
        },
      }),
    });
    let text = '';
    await printExperimentTable({ stage: 'prod', region: 'eu-west-1', date: '2024-05-03' }, (t) => (text += t), {}, () => undefined);
    const start = loopback.current.seen.find((r) => r.target === 'AmazonAthena.StartQueryExecution')!;
    const request = JSON.parse(start.body) as { QueryString: string; WorkGroup: string; QueryExecutionContext: { Database: string } };
    expect(request.WorkGroup).toBe('wa-analytics-prod');
    expect(request.QueryExecutionContext.Database).toBe('whatsapp_analytics');
    expect(request.QueryString).toMatch(/FROM experiments\s+WHERE dt = '2024-05-03'/);
    expect(text.split('\n')[0]).toBe('Experiments evaluated 2024-05-03 (always-valid intervals and p-values, α = 0.05, corrected across variants)');
    expect(text).toMatch(/cta_copy\s+ctr\s+urgent\s+6000\s+840\s+14\.00%\s+\+40\.0%\s+\[\+25\.0%, \+56\.0%\]\s+1\.5e-9\s+winner\s+1\.0000\s+3/);
  });
});
