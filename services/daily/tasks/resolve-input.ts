import { readDailyConfig } from '../../../shared/config/daily';
import { withMiddleware } from '../../common/middleware';
import { resolveInputHandler } from '../handlers';

/**
 * Step 0 on AWS. Needs no ports, only the reporting time zone, so it builds no AWS context (and
 * loads no SDK client); its configuration is the same validated object as the other tasks'.
 */
export const handler = withMiddleware(resolveInputHandler(readDailyConfig(process.env)));
