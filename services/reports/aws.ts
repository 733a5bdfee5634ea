import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { ReportLinkConfig } from '../../shared/config/report-link';
import { ConfigError } from '../../shared/errors';
import type { ReportLinkDeps } from './link-handler';

/**
 * The route's dependencies on AWS: the secret from SSM (SecureString, decrypted, cached 5 minutes
 * by Powertools, so a rotation takes effect within that), and presigned GETs signed with the
 * function's own credentials (its role may read `reports/*` and decrypt with the stage key).
 */
export function awsReportLinkDeps(config: ReportLinkConfig, s3: S3Client): ReportLinkDeps {
  return {
    secret: async () => {
      const value = await getParameter(config.secretParam, { decrypt: true, maxAge: 300 });
      if (!value) throw new ConfigError(`parameter ${config.secretParam} is empty or missing`);
      return value;
    },
    presign: (key, seconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: config.bucket, Key: key }), { expiresIn: seconds }),
    urlSeconds: config.urlSeconds,
  };
}
