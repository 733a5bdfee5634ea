import { BatchCreatePartitionCommand, GetPartitionsCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { GlueCatalog } from '../../../../shared/adapters/aws/glue-catalog';
import { AwsError } from '../../../../shared/errors';
import { ThrottlingError } from '../../../../shared/ports/retryable';
import { dateRange } from '../../../../shared/time';

const glue = mockClient(GlueClient);
beforeEach(() => glue.reset());

describe('Glue catalog adapter', () => {
  it('registers 250 partitions in calls of 100, 100 and 50 with the table location and JSON SerDe', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    const dts = dateRange('2024-01-01', '2024-09-06');
    expect(dts).toHaveLength(250);
    await new GlueCatalog(new GlueClient({}), 'my-bucket').registerPartitions('raw_events', dts);
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PartitionInputList!.length)).toEqual([100, 100, 50]);
    expect(calls[0]!.DatabaseName).toBe('whatsapp_analytics');
    expect(calls[0]!.TableName).toBe('raw_events');
    expect(calls[0]!.PartitionInputList![0]).toEqual({
      Values: ['2024-01-01'],
      StorageDescriptor: {
        Location: 's3://my-bucket/raw/events/dt=2024-01-01/',
        InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: {} },
      },
    });
    expect(calls[2]!.PartitionInputList!.at(-1)!.Values).toEqual(['2024-09-06']);
  });

  it('accepts partitions that already exist (a re-run)', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [{ PartitionValues: ['2024-05-01'], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' } }] });
    await expect(new GlueCatalog(new GlueClient({}), 'b').registerPartitions('events', ['2024-05-01'])).resolves.toBeUndefined();
  });

  it('fails on any other per-partition error, and makes throttling retryable', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [{ PartitionValues: ['2024-05-02'], ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'no table' } }] });
    const error = await new GlueCatalog(new GlueClient({}), 'b').registerPartitions('events', ['2024-05-02']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toContain('dt=2024-05-02');
    glue.reset();
    glue.on(BatchCreatePartitionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(new GlueCatalog(new GlueClient({}), 'b').registerPartitions('events', ['2024-05-02'])).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('lists partitions over every page, sorted', async () => {
    glue.on(GetPartitionsCommand).resolvesOnce({ Partitions: [{ Values: ['2024-05-03'] }], NextToken: 't' }).resolvesOnce({ Partitions: [{ Values: ['2024-05-01'] }] });
    expect(await new GlueCatalog(new GlueClient({}), 'b').listPartitions('events')).toEqual(['2024-05-01', '2024-05-03']);
  });
});
