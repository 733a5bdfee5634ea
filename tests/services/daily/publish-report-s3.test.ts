import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { S3ObjectStore } from '../../../shared/adapters/aws/s3-object-store';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { buildReport } from '../../../shared/report/build';
import { spanEnding } from '../../../shared/report/span';
import { localDailyContext } from '../../../local/daily-context';
import { publishReport } from '../../../services/daily/steps';
import { buildReportLake } from '../../report/lake';
import { loopbackClientConfig } from '../../support/loopback-aws';
import { motoMissing, startMoto, type MotoServer } from '../../support/moto';

/*
 * The PublishReport step writing into S3: moto_server on 127.0.0.1 plays the data bucket (default
 * encryption SSE-KMS with a stage key, as resources/storage.yml declares it), the report lake
 * plays the tables. The object must be the page, served as HTML, encrypted with the bucket's key.
 */

const missing = motoMissing();
if (missing !== null) process.stderr.write(`publish-report-s3.test.ts: skipped, ${missing}\n`);
const withMoto = missing === null ? describe : describe.skip;

const bucket = 'wa-analytics-dev-data-123456789012-eu-west-1';
const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const now = () => new Date('2024-05-04T02:30:00.000Z');

let moto: MotoServer;
let s3: S3Client;
let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

withMoto('PublishReport into an S3 bucket (moto_server on 127.0.0.1)', () => {
  beforeAll(async () => {
    [moto, dataDir] = await Promise.all([startMoto(), buildReportLake()]);
    s3 = new S3Client(loopbackClientConfig(moto.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ BucketKeyEnabled: true, ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
    }));
    catalog = await LocalCatalog.open(dataDir);
    engine = await LocalQueryEngine.open(catalog);
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
    s3?.destroy();
    await moto?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('writes reports/dt=D/index.html: the page of the 28 days ending D, as text/html, SSE-KMS with the bucket key', async () => {
    const ctx = { ...localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: 7, notifier: { post: async () => undefined } }), store: new S3ObjectStore(s3, bucket) };
    const published = await publishReport(ctx, { date: '2024-05-03' }, now);
    const expected = await buildReport(engine, { dialect: 'duckdb', span: spanEnding('2024-05-03'), generatedAt: now().toISOString() });
    expect(published).toEqual({ key: 'reports/dt=2024-05-03/index.html', from: '2024-04-06', to: '2024-05-03', bytes: Buffer.byteLength(expected.html), scannedBytes: null });

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['reports/dt=2024-05-03/index.html']);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: published.key }));
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    expect(object.ServerSideEncryption).toBe('aws:kms');
    expect(object.SSEKMSKeyId).toBe(keyArn);
    const page = await object.Body!.transformToString('utf-8');
    expect(page).toBe(expected.html);
    expect(page).toContain('Covers 2024-04-06 to 2024-05-03.');
    // A campaign of the lake reached the page (the data, not an empty shell).
    expect(page).toContain('spring');
  }, 60_000);

  it('rewrites the same key when the date runs again (one object per date)', async () => {
    const ctx = { ...localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: 7, notifier: { post: async () => undefined } }), store: new S3ObjectStore(s3, bucket) };
    const later = () => new Date('2024-05-05T02:30:00.000Z');
    await publishReport(ctx, { date: '2024-05-03' }, later);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['reports/dt=2024-05-03/index.html']);
    const page = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/dt=2024-05-03/index.html' }))).Body!.transformToString('utf-8');
    expect(page).toContain('Generated 2024-05-05T02:30:00.000Z.');
  }, 60_000);
});
