import type { Context } from 'aws-lambda';
import { withMiddleware } from '../../common/middleware';
import { dailyContext } from '../context';
import { digest, type ResolvedRun } from '../steps';

/** Step 5: post the Slack digest of the target date once. */
export async function rawHandler(event: ResolvedRun, _context?: Context) {
  return digest(await dailyContext(), event);
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
