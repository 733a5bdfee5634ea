import { detectAnomalies } from '../anomaly/detect';
import { detectorConfig, type DetectorConfig } from '../anomaly/config';
import type { DatedAnomalyRow } from '../anomaly/types';
import { addDays } from '../time';
import { truthDailyCtr } from './truth';
import type { Incident, Simulation } from './types';

/**
 * The alerts the daily workflow should raise over the demo, run target by target: each target T
 * sees `daily_ctr` as the workflow had written it when run T finished (cohorts up to T, the last
 * lookback days of them still filling in), and the alerts of the earlier runs in its window,
 * exactly as the anomaly step of run T reads them.
 */
export function expectedAlerts(sim: Simulation, lookbackDays: number, config: DetectorConfig = detectorConfig): DatedAnomalyRow[] {
  const alerts: DatedAnomalyRow[] = [];
  for (const target of [...sim.dates].sort()) {
    const from = addDays(target, -config.windowDays);
    const history = truthDailyCtr(sim, { lookbackDays, asOf: target }).filter((r) => r.dt >= from);
    alerts.push(...detectAnomalies(history, target, config, alerts.filter((a) => a.dt >= from)));
  }
  return alerts;
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
