import type { Context } from 'aws-lambda';
import type { DailyTable } from '../../../shared/daily/statements';
import { withMiddleware } from '../../common/middleware';
import { dailyContext } from '../context';
import { rebuild } from '../steps';

/** One Map item: a partition of `events` or `daily_ctr` to rebuild. */
export interface RebuildItem {
  readonly table: DailyTable;
  readonly dt: string;
  readonly lookbackDays: number;
}

/** Steps 2 and 3: rebuild one curated or daily_ctr partition (CTAS on Athena, COPY on DuckDB). */
export async function rawHandler(event: RebuildItem, _context?: Context) {
  return rebuild(await dailyContext(), event);
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
