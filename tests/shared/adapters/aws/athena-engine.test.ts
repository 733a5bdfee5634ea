import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaQueryEngine } from '../../../../shared/adapters/aws/athena-engine';
import { QueryError } from '../../../../shared/errors';
import { TransientError } from '../../../../shared/ports/retryable';

const athena = mockClient(AthenaClient);
beforeEach(() => athena.reset());
const engine = () => new AthenaQueryEngine(new AthenaClient({}), { workGroup: 'wa-dev', pollMs: 0 });

describe('Athena query engine adapter', () => {
  it('starts in the workgroup and database, polls until SUCCEEDED and reads typed rows', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'campaign_id', Type: 'varchar' }, { Name: 'clicks', Type: 'bigint' }, { Name: 'ctr', Type: 'double' }] },
        Rows: [{ Data: [{ VarCharValue: 'campaign_id' }, { VarCharValue: 'clicks' }, { VarCharValue: 'ctr' }] }, { Data: [{ VarCharValue: 'spring' }, { VarCharValue: '3' }, {}] }],
      },
    });
    const result = await engine().query('SELECT 1');
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryString: 'SELECT 1', WorkGroup: 'wa-dev', QueryExecutionContext: { Database: 'whatsapp_analytics' } });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(result).toEqual({ columns: ['campaign_id', 'clicks', 'ctr'], rows: [{ campaign_id: 'spring', clicks: 3, ctr: null }] });
  });

  it('turns a FAILED query Athena marks retryable into a TransientError and any other into a QueryError', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'S3 slow down', AthenaError: { ErrorCategory: 1, Retryable: true } } } });
    await expect(engine().query('CREATE TABLE x AS SELECT 1')).rejects.toBeInstanceOf(TransientError);
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'SYNTAX_ERROR: line 1', AthenaError: { ErrorCategory: 2, Retryable: false } } } });
    const error = await engine().query('SELEC 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toBe('Athena query q2 FAILED: SYNTAX_ERROR: line 1');
  });

  it('polls every pollMs and gives up with a QueryError when the query is still running at timeoutMs', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q4' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    // A virtual clock that the polling sleep advances: no real waiting.
    let clock = 1_000_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      const waits: number[] = [];
      const sleep = async (ms: number) => {
        waits.push(ms);
        clock += ms;
      };
      const error = await new AthenaQueryEngine(new AthenaClient({}), { workGroup: 'wa-dev', pollMs: 500, timeoutMs: 1_200, sleep }).query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryError);
      expect((error as Error).message).toBe('Athena query q4 still RUNNING after 1 s');
      // Polls at 0, 500, 1000 and, the last wait cut short, at the timeout itself.
      expect(waits).toEqual([500, 500, 200]);
      expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
    } finally {
      now.mockRestore();
    }
  });

  it('does not fetch results of DDL', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DDL', Status: { State: 'SUCCEEDED' } } });
    expect(await engine().query('DROP TABLE IF EXISTS t')).toEqual({ columns: [], rows: [] });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});
