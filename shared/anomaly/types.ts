import type { AnomalyRow, DailyCtrRow } from '../schema/types';

/** Metrics an anomaly can be about. */
export const anomalyMetrics = ['ctr', 'clicks', 'messages_delivered'] as const;
export type AnomalyMetric = (typeof anomalyMetrics)[number];

/** What happened to the metric. */
export const anomalyKinds = ['drop', 'spike', 'zero'] as const;
export type AnomalyKind = (typeof anomalyKinds)[number];

/** A `daily_ctr` row with its partition date. */
export type DatedDailyCtrRow = DailyCtrRow & { dt: string };

/** An `anomalies` row with its partition date (the target date). */
export type DatedAnomalyRow = AnomalyRow & { dt: string };

/** The columns of a `daily_ctr` row the detector reads; any full row fits. */
export type DetectorInputRow = Pick<
  DailyCtrRow,
  'campaign_id' | 'template_name' | 'button_id' | 'messages_delivered' | 'clicked_messages' | 'clicks'
> & { readonly dt: string };
