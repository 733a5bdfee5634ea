import { notifyFailureHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Catch target on AWS: post the failure alert (the state machine then fails). */
export const handler = awsTaskHandler(notifyFailureHandler);
