import type { Context } from 'aws-lambda';
import { assertTimeZone } from '../../../shared/time';
import { withMiddleware } from '../../common/middleware';
import { resolveRun, type ResolvedRun, type WorkflowInput } from '../steps';

/**
 * Step 0: fill in the defaults (yesterday in the stage's time zone, lookback 3) and list the
 * window's dates for the Map states. Needs no ports, only the reporting time zone.
 */
export async function rawHandler(event: WorkflowInput, _context?: Context): Promise<ResolvedRun> {
  return resolveRun(event ?? {}, assertTimeZone(process.env.WA_TIMEZONE || 'UTC'));
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
