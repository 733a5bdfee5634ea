import type { Random } from '../random';

/**
 * The demo's audience and message ids. Ids are drawn from the seeded stream so that two runs
 * with one seed post byte-identical bodies, and look like the real thing (Meta wamids, Baileys
 * message ids) so the demo data reads like production data.
 */

export interface DemoUser {
  /** Digits only, as WhatsApp writes wa_id. */
  readonly phone: string;
  readonly name: string;
  /** Often offline for days (travelling, old phone, data plan): late deliveries and late receipts. */
  readonly intermittent: boolean;
}

/** Users the campaigns draw their recipients from. */
export const audienceSize = 6000;
/** Share of the audience that is often offline. */
export const intermittentShare = 0.08;

const firstNames = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Julia', 'Kwame', 'Lucía', 'Mateo', 'Nadia', 'Omar', 'Priya'] as const;
const lastInitials = 'ABCDEFGHJKLMNPRSTV';

export function makeAudience(r: Random): DemoUser[] {
  const seen = new Set<string>();
  const users: DemoUser[] = [];
  while (users.length < audienceSize) {
    // Brazilian and Mexican mobile numbers: country code, area code, subscriber number.
    const phone = r.chance(0.6) ? `55${r.pick(['11', '21', '31', '41'])}9${r.int(10_000_000, 99_999_999)}` : `521${r.pick(['55', '33', '81'])}${r.int(10_000_000, 99_999_999)}`;
    if (seen.has(phone)) continue;
    seen.add(phone);
    users.push({ phone, name: `${r.pick(firstNames)} ${lastInitials[r.int(0, lastInitials.length - 1)]}.`, intermittent: r.chance(intermittentShare) });
  }
  return users;
}

function hex(r: Random, chars: number): string {
  let out = '';
  while (out.length < chars) out += Math.floor(r.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return out.slice(0, chars).toUpperCase();
}

/**
 * A Meta message id: `wamid.` and base64 of a small protobuf naming the user and a random id,
 * the layout Meta's ids have. `inbound` ids use a different tag, as Meta's do.
 */
export function metaWamid(r: Random, phone: string, inbound: boolean): string {
  const inner = Buffer.concat([
    Buffer.from([0x18, phone.length]),
    Buffer.from(phone),
    Buffer.from([0x15, 0x02, 0x00, inbound ? 0x12 : 0x11, 0x18, 0x14]),
    Buffer.from(hex(r, 20)),
    Buffer.from([0x00]),
  ]);
  return `wamid.${inner.toString('base64')}`;
}

/** A Twilio message SID: `SM` and 32 lowercase hex digits (outbound and inbound messages alike). */
export function twilioSid(r: Random): string {
  return `SM${hex(r, 32).toLowerCase()}`;
}

/** A Baileys message id: `BAE5…` for what the business sends, `3EB0…` for what a user sends. */
export function baileysId(r: Random, inbound: boolean): string {
  return inbound ? `3EB0${hex(r, 16)}` : `BAE5${hex(r, 12)}`;
}
