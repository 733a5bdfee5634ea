import type { Pseudonymizer } from '../pii';
import { flatRowColumns } from '../schema/columns';
import type { FlatRow, RowKind, Source } from '../schema/types';
import { dateInZone } from '../time';
import type { QuarantineReason } from './reasons';

/** What every normalizer needs to know besides the payload. */
export interface NormalizeContext {
  readonly source: Source;
  /** When the API received the request, epoch ms UTC. */
  readonly receivedTs: number;
  readonly requestId: string | null;
  /** Reporting time zone (IANA). */
  readonly timeZone: string;
  readonly pseudonymize: Pseudonymizer;
}

/** A part of a payload that could not be turned into a row. */
export interface Problem {
  readonly reason: QuarantineReason;
  readonly message: string;
  /**
   * The bad item itself, when the source quarantines items one by one (posted conversions: our
   * own unsigned API, so an item can be kept and replayed alone). Absent: the body is quarantined.
   */
  readonly item?: unknown;
}

/** Rows made from one payload, plus what broke the shape (one problem quarantines the body). */
export interface NormalizeOutcome {
  readonly rows: FlatRow[];
  readonly problems: Problem[];
}

const nullRow = Object.fromEntries(flatRowColumns.map((c) => [c.name, null])) as unknown as FlatRow;

/**
 * A row of `kind` with every column present (null unless set), in schema order, stamped with the
 * context's source, receive time and request id.
 */
export function baseRow(ctx: NormalizeContext, kind: RowKind, eventId: string): FlatRow {
  return { ...nullRow, event_id: eventId, kind, source: ctx.source, received_ts: ctx.receivedTs, request_id: ctx.requestId };
}

/** Sets `event_ts` and `event_date` from epoch ms (null when unknown). */
export function stampEventTime(row: FlatRow, eventTs: number | null, ctx: NormalizeContext): FlatRow {
  row.event_ts = eventTs;
  row.event_date = eventTs === null ? null : dateInZone(eventTs, ctx.timeZone);
  return row;
}

/** Dedupe keys (SPEC section 3): the same fact delivered twice gets the same id. */
export const eventIds = {
  /** Tap or other inbound message: source + inbound wamid. */
  inbound: (source: Source, wamid: string) => `${source}:${wamid}`,
  /**
   * Status: source + outbound wamid + status; a group message's status is one fact per
   * participant, so the (pseudonymized) participant is part of its id.
   */
  status: (source: Source, wamid: string, status: string, participant: string | null = null) =>
    participant === null ? `${source}:${wamid}:${status}` : `${source}:${wamid}:${status}:${participant}`,
  /** Registry send: source + outbound wamid. */
  send: (source: Source, wamid: string) => `${source}:${wamid}`,
  /** Posted conversion: source + the business's conversion id (a WhatsApp order is an inbound message). */
  conversion: (source: Source, conversionId: string) => `${source}:${conversionId}`,
} as const;

/**
 * Epoch ms from a payload timestamp: Meta sends epoch seconds as a string; WASenderApi sends
 * seconds or milliseconds as numbers or strings. Returns null for anything that is not one.
 */
export function epochMsFrom(value: unknown, unit: 's' | 'ms' | 'auto' = 'auto'): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d{1,16}$/.test(value)) n = Number(value);
  else if (value !== null && typeof value === 'object' && 'low' in value && typeof (value as { low: unknown }).low === 'number') {
    // Baileys serialises protobuf Long timestamps as {low, high, unsigned}.
    const v = value as { low: number; high?: number };
    n = (v.high ?? 0) * 2 ** 32 + (v.low >>> 0);
  } else return null;
  if (!Number.isFinite(n) || n < 0) return null;
  const ms = unit === 's' ? n * 1000 : unit === 'ms' ? n : n < 1e11 ? n * 1000 : n;
  return Number.isSafeInteger(ms) && ms < 8.64e15 ? Math.trunc(ms) : null;
}
