import type { NormalizeContext, NormalizeOutcome } from './context';

/** Rows from one WASenderApi webhook payload (parsed JSON). */
export function normalizeWasender(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  void payload;
  void ctx;
  return { rows: [], problems: [{ reason: 'not_whatsapp', message: 'not implemented yet' }] };
}
