import { evaluateExperimentsHandler } from '../handlers';
import { awsTaskHandler } from '../lambda-task';

/** Step 3b on AWS: evaluate the experiments on the target date and write their partition. */
export const handler = awsTaskHandler(evaluateExperimentsHandler);
