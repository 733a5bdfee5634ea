import type { NormalizeContext, NormalizeOutcome } from './context';

/** Rows from one Meta Cloud API webhook payload (parsed JSON). */
export function normalizeMeta(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  void payload;
  void ctx;
  return { rows: [], problems: [{ reason: 'not_whatsapp', message: 'not implemented yet' }] };
}
