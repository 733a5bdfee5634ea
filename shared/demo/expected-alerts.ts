import { detectAnomalies } from '../anomaly/detect';
import { detectorConfig, type DetectorConfig } from '../anomaly/config';
import type { DatedAnomalyRow } from '../anomaly/types';
import { addDays } from '../time';
import { truthDailyCtr } from './truth';
import type { Incident, Simulation } from './types';

/**
 * The alerts the daily workflow should raise over the demo, run target by target: each target T
 * sees `daily_ctr` as the workflow had written it when run T finished (cohorts up to T, the last
 * lookback days of them still filling in), exactly as the anomaly step of run T reads it.
 */
export function expectedAlerts(sim: Simulation, lookbackDays: number, config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  return sim.dates.flatMap((target) => {
    const from = addDays(target, -config.windowDays);
    const history = truthDailyCtr(sim, { lookbackDays, asOf: target }).filter((r) => r.dt >= from);
    return detectAnomalies(history, target, config);
  });
}

/** True when an alert reports this incident: same date, series, metric and kind. */
export function alertMatches(alert: Pick<DatedAnomalyRow, 'dt' | 'campaign_id' | 'template_name' | 'button_id' | 'metric' | 'kind'>, incident: Incident): boolean {
  return (
    alert.dt === incident.dt &&
    alert.campaign_id === incident.campaign_id &&
    alert.template_name === incident.template_name &&
    alert.button_id === incident.button_id &&
    alert.metric === incident.metric &&
    alert.kind === incident.kind
  );
}
