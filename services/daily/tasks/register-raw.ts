import type { Context } from 'aws-lambda';
import { withMiddleware } from '../../common/middleware';
import { dailyContext } from '../context';
import { registerRaw, type ResolvedRun } from '../steps';

/** Step 1: register the raw arrival partitions the window reads (Glue on AWS). */
export async function rawHandler(event: ResolvedRun, _context?: Context) {
  return registerRaw(await dailyContext(), event);
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
