import { postDigestHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 6 on AWS: post the Slack digest of the target date once, linking the dashboard just published. */
export const handler = awsTaskHandler(postDigestHandler);
