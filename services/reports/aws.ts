import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { ReportLinkConfig } from '../../shared/config/report-link';
import { classifyAwsError } from '../../shared/adapters/aws/errors';
import { ConfigError } from '../../shared/errors';
import type { ReportLinkDeps } from './link-handler';

/**
 * The route's dependencies on AWS: the secret from SSM (SecureString, decrypted, cached 5 minutes
 * by Powertools, so a rotation takes effect within that), whether a report is in the bucket, and
 * presigned GETs signed with the function's own credentials (its role may read `reports/*` and
 * decrypt with the stage key).
 *
 * The existence check lists the one key rather than HEADing it: with `s3:GetObject` alone S3
 * answers a HEAD of a missing key 403, like a refusal, and only a bucket-wide `s3:ListBucket` makes
 * it 404 (a prefix condition does not apply to HEAD). Listing under the key's own name needs
 * `s3:ListBucket` only for prefixes under `reports/`, which the role is limited to.
 */
export function awsReportLinkDeps(config: ReportLinkConfig, s3: S3Client): ReportLinkDeps {
  return {
    secret: async () => {
      const value = await getParameter(config.secretParam, { decrypt: true, maxAge: 300 });
      if (!value) throw new ConfigError(`parameter ${config.secretParam} is empty or missing`);
      return value;
    },
    published: async (key) => {
      try {
        // The key itself sorts first among the keys it prefixes: one is enough.
        const answer = await s3.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: key, MaxKeys: 1 }));
        return (answer.Contents ?? []).some((object) => object.Key === key);
      } catch (error) {
        throw classifyAwsError(`S3 ListObjectsV2 ${key}`, error);
      }
    },
    presign: (key, seconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: config.bucket, Key: key }), { expiresIn: seconds }),
    urlSeconds: config.urlSeconds,
  };
}
