import { detectAnomaliesHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 4 on AWS: detect and write the target date's anomalies. */
export const handler = awsTaskHandler(detectAnomaliesHandler);
