import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, PutTextOptions } from '../../ports/object-store';
import { classifyAwsError } from './errors';

/** The object store on AWS: one S3 bucket. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw classifyAwsError(`S3 GetObject ${key}`, error);
    }
  }

  /** Encrypted by the bucket's default (SSE-KMS with the stage key): no header here could pick a weaker key. */
  async putText(key: string, body: string, options: PutTextOptions = {}): Promise<void> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType ?? 'application/json' }));
    } catch (error) {
      throw classifyAwsError(`S3 PutObject ${key}`, error);
    }
  }

  /**
   * Lists the prefix page by page (1000 keys, the DeleteObjects limit) and deletes each page;
   * a per-key error in the answer fails the call, since a leftover file would join the CTAS output.
   */
  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === '' || !prefix.endsWith('/')) throw classifyAwsError('S3 delete', new Error(`refusing to delete a prefix not ending with "/": "${prefix}"`));
    let deleted = 0;
    let ContinuationToken: string | undefined;
    try {
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }));
        const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => typeof k === 'string');
        if (keys.length > 0) {
          const out = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
          const first = out.Errors?.[0];
          if (first) throw Object.assign(new Error(`${out.Errors!.length} keys not deleted, first ${first.Key}: ${first.Message}`), { name: first.Code ?? 'DeleteError' });
          deleted += keys.length;
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (error) {
      throw classifyAwsError(`S3 delete s3://${this.bucket}/${prefix}`, error);
    }
    return deleted;
  }
}
