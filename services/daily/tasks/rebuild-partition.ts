import { rebuildPartitionHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Steps 2 and 3 on AWS: rebuild one curated or daily_ctr partition with an Athena CTAS. */
export const handler = awsTaskHandler(rebuildPartitionHandler);
