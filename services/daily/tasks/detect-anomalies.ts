import type { Context } from 'aws-lambda';
import { withMiddleware } from '../../common/middleware';
import { dailyContext } from '../context';
import { detect, type ResolvedRun } from '../steps';

/** Step 4: detect and write the target date's anomalies. */
export async function rawHandler(event: ResolvedRun, _context?: Context) {
  return detect(await dailyContext(), event);
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
