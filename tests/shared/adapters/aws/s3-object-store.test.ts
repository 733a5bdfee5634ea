import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectStore } from '../../../../shared/adapters/aws/s3-object-store';
import { AwsError } from '../../../../shared/errors';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());
const store = () => new S3ObjectStore(new S3Client({}), 'lake-bucket');

describe('S3 object store adapter', () => {
  it('lists a prefix page by page and deletes each page with DeleteObjects', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'curated/events/dt=2024-05-01/a.parquet' }, { Key: 'curated/events/dt=2024-05-01/b.parquet' }], IsTruncated: true, NextContinuationToken: 'n' })
      .resolvesOnce({ Contents: [{ Key: 'curated/events/dt=2024-05-01/c.parquet' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({});
    expect(await store().deletePrefix('curated/events/dt=2024-05-01/')).toBe(3);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake-bucket', Prefix: 'curated/events/dt=2024-05-01/', ContinuationToken: undefined },
      { Bucket: 'lake-bucket', Prefix: 'curated/events/dt=2024-05-01/', ContinuationToken: 'n' },
    ]);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake-bucket', Delete: { Objects: [{ Key: 'curated/events/dt=2024-05-01/a.parquet' }, { Key: 'curated/events/dt=2024-05-01/b.parquet' }], Quiet: true } },
      { Bucket: 'lake-bucket', Delete: { Objects: [{ Key: 'curated/events/dt=2024-05-01/c.parquet' }], Quiet: true } },
    ]);
  });

  it('fails when a key was not deleted, and refuses a prefix that is not a folder', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'p/a' }] });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'p/a', Code: 'AccessDenied', Message: 'denied' }] });
    await expect(store().deletePrefix('p/')).rejects.toBeInstanceOf(AwsError);
    await expect(store().deletePrefix('')).rejects.toThrow(/refusing/);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1);
  });

  it('reads a missing marker as undefined and writes markers as JSON', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    expect(await store().getText('workflow/digests/dt=2024-05-01/posted.json')).toBeUndefined();
    s3.on(PutObjectCommand).resolves({});
    await store().putText('k.json', '{}');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'lake-bucket', Key: 'k.json', Body: '{}', ContentType: 'application/json' });
  });
});
