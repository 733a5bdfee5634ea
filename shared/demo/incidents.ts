import type { Incident, IncidentName } from './types';

/**
 * Where the demo injects its incidents. Placed by rule, not by chance, so every seed and every
 * `--days` from `minDemoDays` on has all three, each with enough history before it for the
 * detector to have a baseline (it needs 7 days; the first incident comes after 8).
 */

/** Days of normal history before the first incident can be placed. */
export const incidentWarmupDays = 10;
/** The shortest demo that still has every incident after its warm-up. */
export const minDemoDays = incidentWarmupDays + 1;

/** What each incident breaks. */
export const incidentTargets = {
  /** A deploy breaks the first button: taps on it never reach the business. */
  broken_button: { campaign_id: 'spring_sale', template_name: 'spring_offer_v3', button_id: 'shop_now', metric: 'clicks', kind: 'zero' },
  /** The link behind a quick reply breaks: people stop tapping it. */
  ctr_collapse: { campaign_id: 'order_updates', template_name: 'delivery_reminder', button_id: 'track_order', metric: 'ctr', kind: 'drop' },
  /** A template is paused by quality rating: most sends fail. */
  delivery_outage: { campaign_id: 'loyalty_club', template_name: 'loyalty_menu', button_id: null, metric: 'messages_delivered', kind: 'drop' },
} as const satisfies Record<IncidentName, Omit<Incident, 'name' | 'dt'>>;

/** Days before the last simulated day on which each incident happens (clamped to the warm-up). */
const daysBeforeEnd: Readonly<Record<IncidentName, number>> = { broken_button: 6, ctr_collapse: 4, delivery_outage: 2 };

/** The incidents of a history of `dates` (ascending); none when it is shorter than minDemoDays. */
export function planIncidents(dates: readonly string[]): Incident[] {
  if (dates.length < minDemoDays) return [];
  return (Object.keys(incidentTargets) as IncidentName[]).map((name) => {
    const index = Math.max(incidentWarmupDays, dates.length - 1 - daysBeforeEnd[name]);
    return { name, dt: dates[index]!, ...incidentTargets[name] };
  });
}

/** Effects of the day's incidents on one campaign, for the simulation. */
export interface IncidentEffects {
  /** Taps on this button are lost. */
  readonly brokenButton: string | null;
  /** Taps on this button happen with this factor of the usual probability. */
  readonly collapsedButton: { readonly id: string; readonly factor: number } | null;
  /** Failure probability of a send that day (null: the usual). */
  readonly outageFailure: number | null;
}

/** CTR factor of a collapsed button, and the share of sends failing in an outage. */
export const incidentSeverity = { ctrFactor: 0.1, outageFailure: 0.95 } as const;

export function effectsOn(incidents: readonly Incident[], dt: string, campaignId: string): IncidentEffects {
  const today = incidents.filter((i) => i.dt === dt && i.campaign_id === campaignId);
  const of = (name: IncidentName) => today.find((i) => i.name === name);
  const collapse = of('ctr_collapse');
  return {
    brokenButton: of('broken_button')?.button_id ?? null,
    collapsedButton: collapse?.button_id ? { id: collapse.button_id, factor: incidentSeverity.ctrFactor } : null,
    outageFailure: of('delivery_outage') ? incidentSeverity.outageFailure : null,
  };
}
