import { postDigestHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 5 on AWS: post the Slack digest of the target date once. */
export const handler = awsTaskHandler(postDigestHandler);
