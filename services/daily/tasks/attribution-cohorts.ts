import { attributionCohortsHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 2b on AWS: which cohorts the daily_ctr and daily_conversions Map states rebuild (one Athena query). */
export const handler = awsTaskHandler(attributionCohortsHandler);
