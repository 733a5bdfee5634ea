import type { NormalizeContext, NormalizeOutcome } from './context';

/** Rows from one send-registry body (parsed JSON): one send object or an array of them. */
export function normalizeRegistry(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  void payload;
  void ctx;
  return { rows: [], problems: [{ reason: 'not_whatsapp', message: 'not implemented yet' }] };
}
