import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { readReportLinkConfig } from '../../shared/config/report-link';
import { withMiddleware } from '../common/middleware';
import { logger } from '../common/observability';
import { awsReportLinkDeps } from './aws';
import { createReportLinkHandler } from './link-handler';

/**
 * The deployed `GET /reports/{date}` function: configuration read and validated once per cold
 * start (when this file is loaded), inside the project's one Middy chain.
 */
const handle = createReportLinkHandler({
  ...awsReportLinkDeps(readReportLinkConfig(process.env), new S3Client({})),
  onRefused: (reason, date) => logger.info('report link refused', { reason, date }),
  onNotPublished: (date) => logger.info('report not published', { date }),
});

export const handler = withMiddleware((event: APIGatewayProxyEvent, _context: Context) => handle(event));
