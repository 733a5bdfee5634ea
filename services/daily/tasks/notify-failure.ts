import type { Context } from 'aws-lambda';
import { withMiddleware } from '../../common/middleware';
import { dailyContext } from '../context';
import { notifyFailure, type FailureInput } from '../steps';

/** Catch target: post the failure alert (the state machine then fails). */
export async function rawHandler(event: FailureInput, _context?: Context) {
  return notifyFailure(await dailyContext(), event);
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
