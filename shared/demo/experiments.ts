import type { Random } from '../random';

/**
 * The demo's experiments, one of each kind a reader must be able to tell apart: a variant that is
 * truly better, an A/A (two names, one behaviour: nothing may be called), and a broken split
 * (the sender assigns 62/38 while the experiment is meant to be even: a sample-ratio mismatch).
 * They ride on three campaigns' sends; the registry carries the arm (and the declared split) for
 * registry campaigns, the callback data for the callback-only one.
 */

export interface DemoArm {
  readonly variant: string;
  /** Share of the campaign's sends the sender really assigns to it. */
  readonly share: number;
  /** Tap propensity relative to the campaign's (1: no effect). */
  readonly tapFactor: number;
}

export interface DemoExperiment {
  readonly experimentId: string;
  readonly campaignId: string;
  readonly kind: 'true_winner' | 'a_a' | 'broken_split';
  readonly arms: readonly DemoArm[];
  /** What the sends declare (registry only); null: none, the method assumes an equal split. */
  readonly declared: Readonly<Record<string, number>> | null;
}

export const demoExperiments: readonly DemoExperiment[] = [
  {
    experimentId: 'spring_cta_copy',
    campaignId: 'spring_sale',
    kind: 'true_winner',
    arms: [
      { variant: 'control', share: 0.5, tapFactor: 1 },
      { variant: 'urgent', share: 0.5, tapFactor: 1.4 },
    ],
    declared: { control: 0.5, urgent: 0.5 },
  },
  {
    experimentId: 'loyalty_menu_aa',
    campaignId: 'loyalty_club',
    kind: 'a_a',
    arms: [
      { variant: 'control', share: 0.5, tapFactor: 1 },
      { variant: 'copy', share: 0.5, tapFactor: 1 },
    ],
    declared: { control: 0.5, copy: 0.5 },
  },
  {
    experimentId: 'reminder_timing',
    campaignId: 'order_updates',
    kind: 'broken_split',
    arms: [
      { variant: 'control', share: 0.62, tapFactor: 1 },
      { variant: 'early', share: 0.38, tapFactor: 1 },
    ],
    declared: null,
  },
] as const;

/** How the demo's output names each kind of experiment. */
export const experimentKindText: Readonly<Record<DemoExperiment['kind'], string>> = {
  true_winner: 'one variant truly better',
  a_a: 'A/A, no difference',
  broken_split: 'broken split, 62/38 for an even one',
};

/** The arm a message carries: its experiment, variant and the split its send declares. */
export interface MessageArm {
  readonly experimentId: string;
  readonly variant: string;
  readonly declared: Readonly<Record<string, number>> | null;
  readonly tapFactor: number;
}

/** Draws the arm of one send of `campaignId` (null when the campaign runs no experiment). */
export function assignArm(r: Random, campaignId: string): MessageArm | null {
  const experiment = demoExperiments.find((e) => e.campaignId === campaignId);
  if (experiment === undefined) return null;
  let u = r.next();
  let arm = experiment.arms[experiment.arms.length - 1]!;
  for (const a of experiment.arms) {
    u -= a.share;
    if (u < 0) {
      arm = a;
      break;
    }
  }
  return { experimentId: experiment.experimentId, variant: arm.variant, declared: experiment.declared, tapFactor: arm.tapFactor };
}
