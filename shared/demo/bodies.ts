import type { ConversionFact, MessageFact, StatusFact, TapFact } from './types';

/**
 * The exact webhook bodies the demo posts, in the shapes Meta, WASenderApi, Twilio and the send
 * registry use (the same shapes as tests/fixtures). Built from facts only, so what the pipeline reads is
 * what the ground truth says happened.
 */

/** The demo business's WhatsApp Business Account and phone number. */
export const demoBusiness = { businessId: '102290129340398', phoneNumberId: '106540352242922', displayPhone: '15550783881' } as const;

/** Meta's text for the error codes the demo uses. */
const errorTitles: Readonly<Record<number, string>> = {
  131026: 'Message undeliverable',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131000: 'Something went wrong',
};

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

/** One status in a Meta webhook, with pricing or errors as Meta sends them. */
function metaStatus(m: MessageFact, s: StatusFact): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.wamid, status: s.status, timestamp: seconds(s.ts), recipient_id: m.user };
  if (s.status === 'failed') {
    const title = errorTitles[s.errorCode ?? 131000] ?? 'Something went wrong';
    out.errors = [{ code: s.errorCode ?? 131000, title, message: title, error_data: { details: title } }];
  } else {
    out.conversation = { id: `c${m.wamid.slice(-24)}`, origin: { type: 'marketing' } };
    out.pricing = { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' };
  }
  if (m.callback !== null) out.biz_opaque_callback_data = m.callback;
  return out;
}

/** The body WhatsApp puts on a completed Flow's reply: what the transform reads as its button title. */
const flowReplyBody = 'Sent';

/** The button title a tap's webhook carries: its title, or for a Flow reply the reply's body. */
export function deliveredTapTitle(t: Pick<TapFact, 'interaction' | 'title'>): string | null {
  return t.interaction === 'nfm_reply' ? flowReplyBody : t.title;
}

/** A Meta tap or text reply, in the message shape of its interaction. */
function metaMessage(t: TapFact): Record<string, unknown> {
  const base = { context: { from: demoBusiness.displayPhone, id: t.context }, from: t.user, id: t.id, timestamp: seconds(t.ts) };
  switch (t.interaction) {
    case null:
      return { ...base, type: 'text', text: { body: t.title ?? 'Thanks!' } };
    case 'quick_reply':
      return { ...base, type: 'button', button: { payload: t.buttonId, text: t.title } };
    case 'button_reply':
      return { ...base, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: t.buttonId, title: t.title } } };
    case 'list_reply':
      return { ...base, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: t.buttonId, title: t.title, description: 'Tap to open' } } };
    case 'nfm_reply':
      return {
        ...base,
        type: 'interactive',
        interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: flowReplyBody, response_json: JSON.stringify({ flow_token: t.buttonId, score: '9', comment: 'Quick delivery' }) } },
      };
  }
}

function metaEnvelope(value: Record<string, unknown>): string {
  const v = { messaging_product: 'whatsapp', metadata: { display_phone_number: demoBusiness.displayPhone, phone_number_id: demoBusiness.phoneNumberId }, ...value };
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: demoBusiness.businessId, changes: [{ value: v, field: 'messages' }] }] });
}

/** A Meta webhook carrying several statuses (Meta batches them under load). */
export function metaStatusBody(items: readonly { message: MessageFact; status: StatusFact }[]): string {
  return metaEnvelope({ statuses: items.map((i) => metaStatus(i.message, i.status)) });
}

/** A Meta webhook carrying one inbound message. */
export function metaTapBody(t: TapFact, profileName: string): string {
  return metaEnvelope({ contacts: [{ profile: { name: profileName }, wa_id: t.user }], messages: [metaMessage(t)] });
}

/** Baileys' numeric WAMessageStatus. */
const baileysStatus = { failed: 0, sent: 2, delivered: 3, read: 4 } as const;

/** A WASenderApi `messages.update` of statuses that share one event time (its top-level timestamp). */
export function wasenderStatusBody(ts: number, items: readonly { message: Pick<MessageFact, 'user' | 'wamid'>; status: Pick<StatusFact, 'status'> }[]): string {
  return JSON.stringify({
    event: 'messages.update',
    sessionId: 'demo-session',
    timestamp: ts,
    data: items.map((i) => ({ key: { remoteJid: `${i.message.user}@s.whatsapp.net`, id: i.message.wamid, fromMe: true }, update: { status: baileysStatus[i.status.status] } })),
  });
}

/** A WASenderApi `messages.upsert` with one button tap quoting the outbound message. */
export function wasenderTapBody(t: TapFact, pushName: string): string {
  const jid = `${t.user}@s.whatsapp.net`;
  return JSON.stringify({
    event: 'messages.upsert',
    timestamp: Math.floor(t.ts / 1000),
    sessionId: 'demo-session',
    data: {
      messages: [
        {
          key: { id: t.id, fromMe: false, remoteJid: jid, addressingMode: 'pn', senderPn: jid, cleanedSenderPn: t.user },
          messageTimestamp: Math.floor(t.ts / 1000),
          pushName,
          broadcast: false,
          messageBody: t.title,
          message: { buttonsResponseMessage: { selectedButtonId: t.buttonId, selectedDisplayText: t.title, type: 'DISPLAY_TEXT', contextInfo: { stanzaId: t.context } } },
        },
      ],
    },
  });
}

/** The demo business's Twilio account and WhatsApp sender (its number, as Twilio writes addresses). */
export const demoTwilio = {
  accountSid: 'AC6d1b0e7f3a2c45988a1e0c7b9d4f2e31',
  channelInstallSid: 'XE2b7c9d0e1f3a4b5c6d7e8f9a0b1c2d3e',
  sender: `whatsapp:+${demoBusiness.displayPhone}`,
} as const;

/** Twilio's `MessageStatus` for each status; a message Twilio could not send is `failed`. */
const twilioStatusName = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' } as const;

/** A form body with its parameters in Twilio's order, encoded as Twilio encodes them (`+` for a space). */
const form = (params: readonly (readonly [string, string])[]): string => new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString();

/** A Twilio status callback (one status per request, as Twilio posts them) for a message sent through Twilio. */
export function twilioStatusBody(m: Pick<MessageFact, 'user' | 'wamid'>, s: Pick<StatusFact, 'status' | 'errorCode'>): string {
  const status = twilioStatusName[s.status];
  return form([
    ['ChannelPrefix', 'whatsapp'],
    ['ApiVersion', '2010-04-01'],
    ['MessageStatus', status],
    ['SmsSid', m.wamid],
    ['SmsStatus', status],
    ['ChannelInstallSid', demoTwilio.channelInstallSid],
    ['To', `whatsapp:+${m.user}`],
    ['From', demoTwilio.sender],
    ['MessageSid', m.wamid],
    ['StructuredMessage', 'false'],
    ['AccountSid', demoTwilio.accountSid],
    ['ChannelToAddress', `+${m.user}`],
    ...(s.status === 'failed' ? ([['ErrorCode', String(s.errorCode ?? 63016)]] as const) : []),
  ]);
}

/** Twilio's incoming-message webhook for a template quick-reply tap (MessageType button) or a text reply. */
export function twilioTapBody(t: TapFact, profileName: string): string {
  const tap = t.interaction === null ? [] : ([['ButtonText', t.title ?? ''], ['ButtonPayload', t.buttonId ?? '']] as const);
  return form([
    ['SmsMessageSid', t.id],
    ['NumMedia', '0'],
    ['ProfileName', profileName],
    ['MessageType', t.interaction === null ? 'text' : 'button'],
    ['SmsSid', t.id],
    ['WaId', t.user],
    ['SmsStatus', 'received'],
    ['Body', t.title ?? ''],
    ...tap,
    ['OriginalRepliedMessageSid', t.context],
    ['To', demoTwilio.sender],
    ['NumSegments', '1'],
    ['ReferralNumMedia', '0'],
    ['MessageSid', t.id],
    ['AccountSid', demoTwilio.accountSid],
    ['From', `whatsapp:+${t.user}`],
    ['ApiVersion', '2010-04-01'],
  ]);
}

/** A `POST /sends` body: one registry entry per send. */
export function registryBody(messages: readonly MessageFact[]): string {
  return JSON.stringify(
    messages.map((m) => ({
      wamid: m.wamid,
      campaign_id: m.campaignId,
      template_name: m.templateName,
      wa_id: `+${m.user}`,
      sent_at: new Date(m.sendTs).toISOString(),
      buttons: m.buttons,
      ...(m.arm === null ? {} : { experiment_id: m.arm.experimentId, variant: m.arm.variant, ...(m.arm.declared === null ? {} : { split: m.arm.declared }) }),
    })),
  );
}

/** Mexico City's offset: the shop's Mexican checkout writes local times with it. */
const MEXICO_OFFSET_MS = -6 * 3600 * 1000;

/** `occurred_at` as the checkout writes it: UTC for Brazil, local time with its offset for Mexico. */
function occurredAt(c: ConversionFact): string {
  if (c.currency !== 'MXN') return new Date(c.ts).toISOString().replace('.000Z', 'Z');
  return `${new Date(c.ts + MEXICO_OFFSET_MS).toISOString().slice(0, 19)}-06:00`;
}

/** One conversion object of a `POST /conversions` body; optional fields left out when unknown. */
function postedConversion(c: ConversionFact): Record<string, unknown> {
  const out: Record<string, unknown> = { conversion_id: c.id, wa_id: `+${c.user}`, name: c.name, occurred_at: occurredAt(c) };
  if (c.value !== null) out.value = c.value;
  if (c.currency !== null) out.currency = c.currency;
  if (c.campaignId !== null) out.campaign_id = c.campaignId;
  return out;
}

/** A `POST /conversions` body: one object for a single conversion, else an array of them. */
export function conversionsBody(conversions: readonly ConversionFact[]): string {
  const items = conversions.map(postedConversion);
  return JSON.stringify(items.length === 1 ? items[0] : items);
}

/** A Meta webhook carrying a WhatsApp cart (`order` message) sent from the catalog. */
export function metaOrderBody(c: ConversionFact, profileName: string): string {
  const order = {
    catalog_id: '1293867519305781',
    text: 'Order from the catalog',
    product_items: c.items.map((i) => ({ product_retailer_id: i.sku, quantity: i.quantity, item_price: i.price, currency: c.currency })),
  };
  return metaEnvelope({ contacts: [{ profile: { name: profileName }, wa_id: c.user }], messages: [{ from: c.user, id: c.id, timestamp: seconds(c.ts), type: 'order', order }] });
}
