import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { awsReportLinkDeps } from '../../../services/reports/aws';
import { AwsError } from '../../../shared/errors';
import { TransientError } from '../../../shared/ports/retryable';

/*
 * The link Lambda's AWS adapter against exact S3 requests (aws-sdk-client-mock): whether a date's
 * report is in the bucket is one ListObjectsV2 under the key's own name, which the role may make
 * for prefixes under reports/ only; S3 errors come back classified.
 */

const s3 = mockClient(S3Client);
const config = { bucket: 'wa-analytics-prod-data-123456789012-us-east-1', secretParam: '/wa-analytics/prod/report-link-secret', urlSeconds: 300 };
const key = 'reports/dt=2024-05-01/index.html';
const deps = () => awsReportLinkDeps(config, new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }));

beforeEach(() => s3.reset());

describe('awsReportLinkDeps.published', () => {
  it('lists the one key under its own name in the lake bucket and finds it', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: key, Size: 301_234 }] });
    expect(await deps().published(key)).toBe(true);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([{ Bucket: config.bucket, Prefix: key, MaxKeys: 1 }]);
  });

  it('says no for a date never published (nothing under that name) and for a longer key that merely starts with it', async () => {
    s3.on(ListObjectsV2Command).resolvesOnce({ KeyCount: 0 }).resolvesOnce({ KeyCount: 1, Contents: [{ Key: `${key}.tmp` }] });
    expect(await deps().published(key)).toBe(false);
    expect(await deps().published(key)).toBe(false);
  });

  it('throws a classified error when S3 fails: a 500 is transient, AccessDenied is not', async () => {
    const failure = (name: string, status: number) => new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
    s3.on(ListObjectsV2Command).rejectsOnce(failure('InternalError', 500)).rejectsOnce(failure('AccessDenied', 403));
    await expect(deps().published(key)).rejects.toBeInstanceOf(TransientError);
    const denied = await deps().published(key).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsError);
    expect((denied as Error).message).toBe(`S3 ListObjectsV2 ${key}: AccessDenied: AccessDenied`);
  });
});
