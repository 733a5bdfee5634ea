import type { Context } from 'aws-lambda';
import { readDailyConfig } from '../../shared/config/daily';
import { withMiddleware } from '../common/middleware';
import { awsDailyContext } from './aws-context';
import type { DailyContext } from './context';

/**
 * A deployed task handler: the configuration read and validated, and the AWS context built, once
 * per cold start (when the entry file is loaded), the handler built over it and wrapped in the
 * project's one Middy chain.
 */
export function awsTaskHandler<E, R>(make: (ctx: DailyContext) => (event: E) => Promise<R>) {
  const handle = make(awsDailyContext(readDailyConfig(process.env)));
  return withMiddleware((event: E, _context: Context) => handle(event));
}
