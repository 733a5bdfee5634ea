import type { DetectorConfig } from './config';
import type { AnomalyKind, DatedAnomalyRow } from './types';

/**
 * What the detector remembers of earlier dates: the anomalies it reported. A reported day is left
 * out of its series' later baselines, so an incident that lasts several days is not absorbed by
 * the baseline after its first day, and the days of one run carry the date the run began.
 */

/** An anomaly reported on an earlier date, as the detector reads it back (`incident_start` may be missing on rows written before it existed). */
export type PriorAnomaly = Pick<DatedAnomalyRow, 'dt' | 'campaign_id' | 'template_name' | 'button_id' | 'metric' | 'kind'> & {
  readonly incident_start?: string | null;
};

/** Which way a series moved: drops and zero-tap days go down, spikes up. */
export type Direction = 'down' | 'up';

/** The direction of an anomaly kind (a kind read back from a table is a plain string). */
export function directionOf(kind: AnomalyKind | string): Direction {
  return kind === 'spike' ? 'up' : 'down';
}

/** One reported day of one series. */
export interface ReportedDay {
  /** `both` when the series was reported moving both ways that day (it then continues no run). */
  readonly direction: Direction | 'both';
  /** First day of the incident the day belongs to, when the row said so. */
  readonly incidentStart: string | null;
}

/** Reported days by date, of one series. */
export type ReportedDays = ReadonlyMap<string, ReportedDay>;

/**
 * Earlier anomalies by series, grown date by date as the detector runs. Button series (CTR,
 * clicks, zero rows) and delivery groups (`messages_delivered` rows, button null) are kept apart:
 * a collapse says nothing about a button's CTR.
 */
export class IncidentMemory {
  private readonly buttons = new Map<string, Map<string, ReportedDay>>();
  private readonly groups = new Map<string, Map<string, ReportedDay>>();

  constructor(rows: readonly PriorAnomaly[] = []) {
    this.add(rows);
  }

  /** Records reported rows; several rows of one series and date merge into one day. */
  add(rows: readonly PriorAnomaly[]): void {
    for (const row of rows) {
      const group = row.metric === 'messages_delivered';
      const map = group ? this.groups : this.buttons;
      const key = group ? seriesKey(row.campaign_id, row.template_name) : seriesKey(row.campaign_id, row.template_name, row.button_id);
      let days = map.get(key);
      if (!days) {
        days = new Map();
        map.set(key, days);
      }
      const direction = directionOf(row.kind);
      const before = days.get(row.dt);
      days.set(row.dt, {
        direction: before === undefined || before.direction === direction ? direction : 'both',
        incidentStart: before?.incidentStart ?? row.incident_start ?? null,
      });
    }
  }

  /** Reported days of a button series (none: undefined). */
  buttonDays(campaignId: string, templateName: string | null, buttonId: string | null): ReportedDays | undefined {
    return this.buttons.get(seriesKey(campaignId, templateName, buttonId));
  }

  /** Reported days of a delivery group (none: undefined). */
  groupDays(campaignId: string, templateName: string | null): ReportedDays | undefined {
    return this.groups.get(seriesKey(campaignId, templateName));
  }
}

const seriesKey = (...parts: (string | null)[]): string => JSON.stringify(parts);

/** The history days a series' baselines may use (see baselineHistory). */
export interface BaselineHistory<T> {
  /** Days the baseline is estimated from. */
  readonly days: T[];
  /** After a change became the new normal: the unreported days before it, in the window (else empty). */
  readonly before: T[];
}

/**
 * The history days a baseline may use, from a series' days in the window (date order) and its
 * reported days. Reported days are left out, so an ongoing incident never becomes its own
 * baseline. A change that lasts is accepted instead: once `newNormalDays` consecutive days of the
 * series were reported moving the same way, that run is the new normal, and the baseline starts
 * at its first day and keeps it (the days before describe a level the series has left; they are
 * returned apart, so that going back to that level can be recognised as a return, not a change).
 */
export function baselineHistory<T extends { readonly dt: string }>(days: readonly T[], reported: ReportedDays | undefined, config: DetectorConfig): BaselineHistory<T> {
  if (reported === undefined || reported.size === 0) return { days: [...days], before: [] };
  // The latest run of at least newNormalDays same-way reported days, as [first, last] indices.
  let from = 0;
  let to = -1;
  let runStart = 0;
  let runDirection: Direction | null = null;
  for (let i = 0; i < days.length; i++) {
    const day = reported.get(days[i]!.dt);
    const direction = day === undefined || day.direction === 'both' ? null : day.direction;
    if (direction === null || direction !== runDirection) runStart = i;
    runDirection = direction;
    if (direction !== null && i - runStart + 1 >= config.newNormalDays) [from, to] = [runStart, i];
  }
  const unreported = (d: T): boolean => !reported.has(d.dt);
  return {
    days: days.filter((d, i) => i >= from && (i <= to || unreported(d))),
    before: days.slice(0, from).filter(unreported),
  };
}

/**
 * First day of the incident a reported day belongs to: walking back over the series' history
 * days (date order, before the target) while each was reported moving the same way. The target
 * itself when the day before was not; a row that recorded its incident's start ends the walk.
 */
export function incidentStart(days: readonly { readonly dt: string }[], reported: ReportedDays | undefined, direction: Direction, targetDt: string): string {
  let start = targetDt;
  for (let i = days.length - 1; i >= 0 && reported !== undefined; i--) {
    const day = reported.get(days[i]!.dt);
    if (day === undefined || (day.direction !== direction && day.direction !== 'both')) break;
    if (day.incidentStart !== null) return day.incidentStart;
    start = days[i]!.dt;
  }
  return start;
}
