import { publishReportHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 5 on AWS: the target date's dashboard from Athena, written to reports/dt=<date>/index.html in the bucket. */
export const handler = awsTaskHandler(publishReportHandler);
