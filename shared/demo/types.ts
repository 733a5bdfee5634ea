import type { AnomalyKind, AnomalyMetric } from '../anomaly/types';
import type { QuarantineReason } from '../normalize/reasons';
import type { Interaction } from '../schema/types';

/**
 * What the demo simulation produces: the webhook traffic (exact bodies with simulated arrival
 * times) and the ground truth behind it (every fact, with when each of its copies arrived).
 */

/** One POST the demo makes: which route, the exact body text, and when it reaches the API. */
export interface Delivery {
  readonly source: 'meta' | 'wasender' | 'registry' | 'conversions' | 'twilio';
  readonly body: string;
  /** Simulated receive time, epoch ms: decides the raw arrival partition. */
  readonly arrivalTs: number;
  /** Signed with the wrong secret (a forgery the transform must quarantine); absent for honest posts. */
  readonly forged?: true;
}

/**
 * Who sends a campaign's messages and posts their webhooks. Twilio's forms carry no event time,
 * so a Twilio fact's `ts` is the instant its webhook reaches the API (the pipeline's event time).
 */
export type DemoProvider = 'meta' | 'wasender' | 'twilio';

/** A button as the registry lists it, in display order. */
export interface DemoButton {
  readonly id: string;
  readonly title: string;
}

export type DemoStatusName = 'sent' | 'delivered' | 'read' | 'failed';

/** One status of an outbound message. */
export interface StatusFact {
  readonly status: DemoStatusName;
  /** Event time, epoch ms (whole seconds: the payloads carry seconds). */
  readonly ts: number;
  readonly errorCode: number | null;
  /** Receive times of every copy, ascending (filled when the traffic is built). */
  arrivals: number[];
}

/** One outbound message and everything that happened to it. */
export interface MessageFact {
  readonly wamid: string;
  /** Provider that sent it and reports its statuses. */
  readonly provider: DemoProvider;
  /** The user's number, digits only. */
  readonly user: string;
  readonly sendTs: number;
  /** Date of the send in UTC (the simulation's days). */
  readonly sendDate: string;
  readonly campaignId: string;
  readonly templateName: string;
  /** True when the send was posted to the registry; false when only callback data names the campaign. */
  readonly viaRegistry: boolean;
  /** `biz_opaque_callback_data` attached to its statuses (Meta), or null. */
  readonly callback: string | null;
  /** The experiment arm the send belongs to (registry fields, or callback data keys), or null. */
  readonly arm: { readonly experimentId: string; readonly variant: string; readonly declared: Readonly<Record<string, number>> | null } | null;
  /** The buttons in display order (what the registry was told; also what the user saw). */
  readonly buttons: readonly DemoButton[];
  /** Arrival times of the registry post(s) (empty without the registry). */
  registryArrivals: number[];
  readonly statuses: StatusFact[];
}

/** One inbound message: a tap (click) or, for `interaction` null, a free-text reply. */
export interface TapFact {
  /** The inbound message id. */
  readonly id: string;
  readonly provider: DemoProvider;
  /** The outbound message tapped (may be unknown to the pipeline: a stray tap). */
  readonly context: string;
  readonly user: string;
  readonly ts: number;
  readonly interaction: Interaction | null;
  readonly buttonId: string | null;
  readonly title: string | null;
  arrivals: number[];
}

/** A product line of a WhatsApp cart (Meta `order.product_items[]`). */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  /** Unit price in the order's currency. */
  readonly price: number;
}

/**
 * One conversion: a purchase or sign-up the business posts to `POST /conversions`, or a cart the
 * user sends in WhatsApp (a Meta `order` message).
 */
export interface ConversionFact {
  /** `conversion_id` of a posted conversion; the inbound wamid of an order. */
  readonly id: string;
  readonly via: 'posted' | 'order';
  readonly user: string;
  /** `purchase`, `signup`, … (`order` for a cart). */
  readonly name: string;
  /** Event time, epoch ms (whole seconds). */
  readonly ts: number;
  readonly value: number | null;
  readonly currency: string | null;
  /** The campaign the business names when posting (a coupon code, a tracked link), or null. */
  readonly campaignId: string | null;
  /** The cart's lines (orders only, else empty). */
  readonly items: readonly OrderItem[];
  /** Receive times of every copy, ascending (filled when the traffic is built). */
  arrivals: number[];
}

export type IncidentName = 'broken_button' | 'ctr_collapse' | 'delivery_outage';

/** An injected incident: what the anomaly step should report for that date. */
export interface Incident {
  readonly name: IncidentName;
  readonly dt: string;
  readonly campaign_id: string;
  readonly template_name: string;
  /** null for a delivery outage, which concerns the whole (campaign, template). */
  readonly button_id: string | null;
  readonly metric: AnomalyMetric;
  readonly kind: AnomalyKind;
}

/** The whole simulated history. */
export interface Simulation {
  readonly startDate: string;
  readonly days: number;
  /** Every simulated date, ascending. */
  readonly dates: readonly string[];
  readonly messages: readonly MessageFact[];
  /** Taps and text replies, in event-time order. */
  readonly taps: readonly TapFact[];
  /** Conversions, in event-time order. */
  readonly conversions: readonly ConversionFact[];
  readonly incidents: readonly Incident[];
  /** The traffic, in arrival order (the bad bodies below included). */
  readonly deliveries: readonly Delivery[];
  /** Forged and malformed bodies among the deliveries, with the quarantine reason each must get. */
  readonly bad: readonly (Delivery & { readonly reason: QuarantineReason })[];
}
