import { dateInZone } from '../time';
import type { Simulation } from './types';

/**
 * The quarantine the simulation implies: one row per bad body (shared/demo/bad-traffic.ts), on
 * its arrival date in the reporting time zone, with the reason it was made to get; honest traffic
 * quarantines nothing. Counted per arrival date and reason, as the dashboard's quarantine panel
 * (shared/sql/queries/report/quarantine.sql) counts raw quarantine rows.
 */
export interface QuarantineTruthRow {
  readonly arrival_date: string;
  readonly reason: string;
  readonly quarantined_rows: number;
}

/** Rows ordered by arrival date, then reason. */
export function truthQuarantine(sim: Simulation, timeZone = 'UTC'): QuarantineTruthRow[] {
  const counts = new Map<string, QuarantineTruthRow>();
  for (const b of sim.bad) {
    const arrival_date = dateInZone(b.arrivalTs, timeZone);
    const key = `${arrival_date}|${b.reason}`;
    counts.set(key, { arrival_date, reason: b.reason, quarantined_rows: (counts.get(key)?.quarantined_rows ?? 0) + 1 });
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
}
