import type { Interaction } from '../schema/types';
import type { DemoButton, DemoProvider } from './types';

/**
 * The demo business: six campaigns, each with one template, covering every way a tap reaches
 * the pipeline (reply buttons, list rows, a Flow, template quick replies; Meta, WASenderApi and
 * Twilio) and both ways of attribution (registry sends, callback data only). Volumes are chosen so every
 * (campaign, template) delivers well over the detector's 100-a-day guard on weekends too, while
 * the whole 28-day history stays around a thousand messages a day.
 */
export interface DemoCampaign {
  readonly campaignId: string;
  readonly templateName: string;
  readonly provider: DemoProvider;
  /** registry: sends posted to POST /sends; callback: only `biz_opaque_callback_data` names it. */
  readonly attribution: 'registry' | 'callback';
  /**
   * What the sender attaches as `biz_opaque_callback_data` (Meta only): nothing, the bare campaign
   * id, or a JSON object naming campaign and template.
   */
  readonly callback: 'none' | 'campaign' | 'json';
  readonly interaction: Interaction;
  readonly buttons: readonly DemoButton[];
  /** How appealing each button is before its position is taken into account. */
  readonly appeal: readonly number[];
  /** Sends on a weekday (Monday–Friday). */
  readonly weekdaySends: number;
  /** Hour (UTC) the daily blast starts. */
  readonly sendHour: number;
  /** Share of delivered messages tapped at least once, on a weekday. */
  readonly engagement: number;
}

export const demoCampaigns: readonly DemoCampaign[] = [
  {
    campaignId: 'spring_sale',
    callback: 'campaign',
    templateName: 'spring_offer_v3',
    provider: 'meta',
    attribution: 'registry',
    interaction: 'button_reply',
    buttons: [
      { id: 'shop_now', title: 'Shop now' },
      { id: 'remind_me', title: 'Remind me later' },
      { id: 'not_interested', title: 'Not interested' },
    ],
    appeal: [1, 1, 1],
    weekdaySends: 420,
    sendHour: 9,
    engagement: 0.24,
  },
  {
    campaignId: 'loyalty_club',
    callback: 'none',
    templateName: 'loyalty_menu',
    provider: 'meta',
    attribution: 'registry',
    interaction: 'list_reply',
    buttons: [
      { id: 'points_balance', title: 'My points' },
      { id: 'rewards_catalog', title: 'Rewards catalog' },
      { id: 'birthday_bonus', title: 'Birthday bonus' },
      { id: 'refer_friend', title: 'Refer a friend' },
      { id: 'leave_club', title: 'Leave the club' },
    ],
    appeal: [1.2, 1, 0.9, 1, 0.6],
    weekdaySends: 300,
    sendHour: 11,
    engagement: 0.3,
  },
  {
    campaignId: 'feedback_q2',
    callback: 'none',
    templateName: 'nps_survey_flow',
    provider: 'meta',
    attribution: 'registry',
    interaction: 'nfm_reply',
    // A Flow's button id is its flow_token.
    buttons: [{ id: 'nps_flow_v2', title: 'Rate your order' }],
    appeal: [1],
    weekdaySends: 220,
    sendHour: 14,
    engagement: 0.16,
  },
  {
    campaignId: 'order_updates',
    callback: 'json',
    templateName: 'delivery_reminder',
    provider: 'meta',
    attribution: 'callback',
    interaction: 'quick_reply',
    buttons: [
      { id: 'track_order', title: 'Track my order' },
      { id: 'change_slot', title: 'Change delivery slot' },
    ],
    appeal: [1, 0.8],
    weekdaySends: 260,
    sendHour: 8,
    engagement: 0.35,
  },
  {
    campaignId: 'winback',
    callback: 'none',
    templateName: 'winback_offer',
    provider: 'wasender',
    attribution: 'registry',
    interaction: 'button_reply',
    buttons: [
      { id: 'claim_discount', title: 'Claim 20% off' },
      { id: 'unsubscribe', title: 'Stop messages' },
    ],
    appeal: [1, 0.7],
    weekdaySends: 180,
    sendHour: 16,
    engagement: 0.2,
  },
  {
    // Sent through Twilio: registered with Twilio's MessageSid as the wamid, tapped as template
    // quick replies (MessageType button), statuses from Twilio's status callbacks.
    campaignId: 'appointments',
    callback: 'none',
    templateName: 'visit_reminder',
    provider: 'twilio',
    attribution: 'registry',
    interaction: 'quick_reply',
    buttons: [
      { id: 'confirm_visit', title: 'Confirm' },
      { id: 'reschedule', title: 'Reschedule' },
    ],
    appeal: [1, 0.6],
    weekdaySends: 200,
    sendHour: 10,
    engagement: 0.3,
  },
] as const;

/** Relative tap appeal of display positions 1, 2, 3, …: the first button is seen and tapped most. */
export const positionEffect = [1, 0.6, 0.4, 0.3, 0.24] as const;

/** Weekend volume and engagement relative to a weekday. */
export const weekend = { volume: 0.6, engagement: 1.15 } as const;

/** A user who taps a reply button usually taps only one: the chosen button's weights. */
export function buttonWeights(c: DemoCampaign): number[] {
  return c.appeal.map((a, i) => a * positionEffect[Math.min(i, positionEffect.length - 1)]!);
}
