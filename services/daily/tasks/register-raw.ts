import { registerRawHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 1 on AWS: register the raw arrival partitions the window reads in Glue. */
export const handler = awsTaskHandler(registerRawHandler);
