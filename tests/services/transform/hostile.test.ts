import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import fc from 'fast-check';
import { transformBatch } from '../../../services/transform/batch';
import { createPseudonymizer } from '../../../shared/pii';
import { sources as allSources, type FlatRow, type Source } from '../../../shared/schema/types';
import { rowsOfData, schemaProblems } from '../../support/rows';
import { envelopeRecordBytes } from '../../support/webhooks';

const settings = { metaAppSecret: null, wasenderSecret: null, timeZone: 'Europe/Paris', pseudonymize: createPseudonymizer('hash', 'k') };
const T = 1_763_000_000_000;
const fixtureDir = join(__dirname, '../../fixtures');
const sourceOfDir: Record<string, Source> = { meta: 'meta', wasender: 'wasender', registry: 'registry', conversions: 'conversions' };
const TWILIO_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/webhooks/twilio';

interface Case {
  name: string;
  source: Source;
  body: Buffer;
  /** What must come out: a quarantine row with one of these reasons, or rows (maybe none). */
  expect: 'malformed_json' | 'malformed_form' | 'quarantined' | 'any';
}

function fixtures(): { name: string; source: Source; text: string }[] {
  return Object.keys(sourceOfDir).flatMap((dir) =>
    readdirSync(join(fixtureDir, dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ name: `${dir}/${f}`, source: sourceOfDir[dir]!, text: readFileSync(join(fixtureDir, dir, f), 'utf8') })),
  );
}

/** Every path to a value in a JSON document, for type-swapping mutations. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function setAt(doc: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = replacement;
  return copy;
}

/** Twilio's fixtures: form bodies (`.form`), exactly as Twilio sends them. */
function formFixtures(): { name: string; text: string }[] {
  const dir = join(fixtureDir, 'twilio');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.form'))
    .map((f) => ({ name: `twilio/${f}`, text: readFileSync(join(dir, f), 'latin1') }));
}

/**
 * A Twilio form broken the ways a sender, proxy or attacker could: cut anywhere, a parameter
 * dropped, doubled or given a hostile value, bytes a form never holds.
 */
function hostileForms(): Case[] {
  const cases: Case[] = [];
  const form = (name: string, text: string, expect: Case['expect']): Case => ({ name, source: 'twilio', body: Buffer.from(text, 'latin1'), expect });
  const values = ['', '%00', 'whatsapp%3A', 'whatsapp%3A%2B', '%F0%9F%92%A5', 'x'.repeat(5000), '%7B%22flow_token%22%3A%5B%5D%7D', '-1', '99999999999999999999', 'null'];
  for (const fx of formFixtures()) {
    for (const cut of [0.25, 0.5, 0.9]) {
      const at = Math.floor(fx.text.length * cut);
      cases.push(form(`${fx.name} truncated at ${at}`, fx.text.slice(0, at), 'any'));
    }
    const pairs = fx.text.split('&');
    pairs.forEach((pair, i) => {
      const name = pair.split('=')[0]!;
      cases.push(form(`${fx.name} without ${name}`, pairs.filter((_, j) => j !== i).join('&'), 'any'));
      cases.push(form(`${fx.name} ${name} := ${values[i % values.length]!.slice(0, 20)}`, pairs.map((p, j) => (j === i ? `${name}=${values[i % values.length]}` : p)).join('&'), 'any'));
    });
    cases.push(form(`${fx.name} with every parameter twice`, `${fx.text}&${fx.text}`, 'any'));
    cases.push(form(`${fx.name} with a raw space`, fx.text.replace('=', '= '), 'malformed_form'));
    cases.push(form(`${fx.name} with a broken escape`, `${fx.text}&Body=%E2%82`, 'malformed_form'));
  }
  cases.push(
    form('empty form', '', 'quarantined'),
    form('a Meta JSON body posted to Twilio', '{"object":"whatsapp_business_account","entry":[]}', 'malformed_form'),
    form('a lone percent', 'MessageSid=SM1%', 'malformed_form'),
    form('an SMS, not WhatsApp', 'MessageSid=SM1&From=%2B15551234567&To=%2B14155238886&Body=hi', 'quarantined'),
    form('a voice webhook', 'CallSid=CA1&From=%2B15551234567&CallStatus=ringing', 'quarantined'),
    form('10000 parameters', Array.from({ length: 10_000 }, (_, i) => `P${i}=${i}`).join('&'), 'quarantined'),
    form('prototype keys', 'MessageSid=SM1&From=whatsapp%3A%2B1&__proto__=x&constructor=y&toString=z', 'any'),
    { name: 'binary garbage as a form', source: 'twilio', body: Buffer.from([0, 1, 2, 3, 250, 251, 252]), expect: 'malformed_form' },
    { name: 'invalid UTF-8 as a form', source: 'twilio', body: Buffer.from([0x4d, 0x3d, 0xc3, 0x28]), expect: 'malformed_form' },
  );
  return cases;
}

function nested(depth: number): string {
  return `{"object":"whatsapp_business_account","entry":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** The hostile corpus: real fixtures broken in every way a sender, proxy or attacker could. */
function hostileCorpus(): Case[] {
  const cases: Case[] = [];
  for (const fx of fixtures()) {
    for (const cut of [1, 0.5, 0.9]) {
      const at = cut === 1 ? 1 : Math.floor(fx.text.length * cut);
      cases.push({ name: `${fx.name} truncated at ${at}`, source: fx.source, body: Buffer.from(fx.text.slice(0, at)), expect: 'malformed_json' });
    }
    const doc = JSON.parse(fx.text) as unknown;
    const all = paths(doc).filter((p) => p.length > 0 && p.length <= 6);
    // Swap values at a spread of paths for wrong types: numbers, strings, nulls, arrays, objects.
    const replacements: unknown[] = [42, 'text', null, [], {}, [1, 2, 3], { __proto__: { polluted: true } }, -1e308, true];
    all.forEach((path, i) => {
      if (i % 3 !== 0) return;
      const replacement = replacements[i % replacements.length];
      cases.push({ name: `${fx.name} ${path.join('.')} := ${JSON.stringify(replacement)}`, source: fx.source, body: Buffer.from(JSON.stringify(setAt(doc, path, replacement))), expect: 'any' });
    });
  }
  const meta = (text: string, name: string, expect: Case['expect']): Case => ({ name, source: 'meta', body: Buffer.from(text), expect });
  cases.push(
    meta('', 'empty body', 'malformed_json'),
    meta('\uFEFF{}', 'byte order mark before an empty object', 'quarantined'),
    meta('null', 'null', 'quarantined'),
    meta('[]', 'array', 'quarantined'),
    meta('42', 'number', 'quarantined'),
    meta('"whatsapp_business_account"', 'string', 'quarantined'),
    meta('{"object":"page","entry":[]}', 'wrong object (page)', 'quarantined'),
    meta('{"object":"instagram","entry":[{"id":"1","changes":[]}]}', 'wrong object (instagram)', 'quarantined'),
    meta('{"entry":[]}', 'missing object', 'quarantined'),
    meta('{"object":"whatsapp_business_account","entry":"nope"}', 'entry is a string', 'quarantined'),
    meta('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":{"0":1}}]}', 'changes is an object', 'quarantined'),
    meta(nested(50), 'nested 50 deep', 'any'),
    meta(nested(100_000), 'nested 100000 deep', 'any'),
    meta(JSON.stringify({ object: 'whatsapp_business_account', entry: Array.from({ length: 50_000 }, () => 7) }), 'huge array of numbers', 'quarantined'),
    meta(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: Array.from({ length: 5000 }, (_, i) => ({ id: i })) } }] }] }), 'huge array of broken statuses', 'quarantined'),
    meta('{"object":"whatsapp_business_account","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"entry":[]}', 'prototype pollution keys', 'any'),
    { name: 'invalid UTF-8', source: 'meta', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), expect: 'malformed_json' },
    { name: 'binary garbage', source: 'wasender', body: Buffer.from([0, 1, 2, 3, 250, 251, 252]), expect: 'malformed_json' },
    { name: 'wasender without event', source: 'wasender', body: Buffer.from('{"data":{"messages":[]}}'), expect: 'quarantined' },
    { name: 'registry string', source: 'registry', body: Buffer.from('"wamid.X"'), expect: 'quarantined' },
    { name: 'conversions string', source: 'conversions', body: Buffer.from('"ord-1"'), expect: 'quarantined' },
    { name: 'conversions: 501 in one body', source: 'conversions', body: Buffer.from(JSON.stringify(Array.from({ length: 501 }, (_, i) => ({ conversion_id: i })))), expect: 'quarantined' },
    ...hostileForms(),
  );
  return cases;
}

function eventOf(bodies: { source: Source; body: Buffer; signature?: string | null; url?: string | null }[]): FirehoseTransformationEvent {
  return {
    invocationId: 'hostile',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: bodies.map((b, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T, data: envelopeRecordBytes({ source: b.source, body: b.body, signature: b.signature ?? null, receivedTs: T, ...(b.url === null || b.url === undefined ? {} : { url: b.url }) }).toString('base64') })),
  };
}

describe('transform on hostile input', () => {
  const corpus = hostileCorpus();

  it('has a corpus of at least 100 malformed or hostile bodies', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('answers %s with valid rows and never loses it', (_name, c) => {
    const { result } = transformBatch(eventOf([c]), settings);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]!.result).toBe('Ok');
    const rows = rowsOfData(result.records[0]!.data!);
    for (const row of rows) expect(schemaProblems(row as unknown as Record<string, unknown>)).toEqual([]);
    const quarantine = rows.filter((r) => r.kind === 'quarantine');
    if (c.expect === 'malformed_json') expect(quarantine.map((r) => r.reason)).toEqual(['malformed_json']);
    if (c.expect === 'malformed_form') expect(quarantine.map((r) => r.reason)).toEqual(['malformed_form']);
    if (c.expect === 'quarantined') expect(quarantine).toHaveLength(1);
    for (const q of quarantine) {
      const kept = Buffer.from(q.raw_body!, 'base64');
      if (kept.equals(c.body)) continue;
      // Posted conversions are kept item by item: the row holds one element of the posted array.
      expect(c.source).toBe('conversions');
      expect(JSON.parse(c.body.toString('utf8'))).toContainEqual(JSON.parse(kept.toString('utf8')));
    }
  });
});

describe('transform properties', () => {
  const sources = fc.constantFrom<Source>(...allSources);
  const body = fc.oneof(
    fc.json().map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.constantFrom(...fixtures().map((f) => Buffer.from(f.text))),
    // Form bodies: Twilio's fixtures, and forms of arbitrary names and values.
    fc.constantFrom(...formFixtures().map((f) => Buffer.from(f.text, 'latin1'))),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom('MessageSid', 'From', 'To', 'WaId', 'MessageStatus', 'MessageType', 'ButtonPayload', 'ListId', 'InteractiveData'), fc.string()), fc.string()), { maxLength: 10 }).map((pairs) => Buffer.from(new URLSearchParams(pairs).toString())),
  );
  const envelopeRecord = fc.record({ source: sources, body, signature: fc.option(fc.string(), { nil: null }), url: fc.option(fc.constantFrom(TWILIO_URL, `${TWILIO_URL}?bodySHA256=00`, 'not a url'), { nil: null }) });

  it('never throws and answers every record exactly once, in order, with schema-valid rows', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(envelopeRecord.map((e) => ({ kind: 'envelope' as const, e })), fc.base64String().map((d) => ({ kind: 'raw' as const, d }))), { maxLength: 20 }), (items) => {
        const ev = eventOf(items.filter((i) => i.kind === 'envelope').map((i) => (i as { e: { source: Source; body: Buffer; signature: string | null; url: string | null } }).e));
        items.forEach((item, i) => {
          if (item.kind === 'raw') ev.records.push({ recordId: `raw${i}`, approximateArrivalTimestamp: T, data: item.d });
        });
        const { result } = transformBatch(ev, { ...settings, metaAppSecret: 's', wasenderSecret: 'w', twilioAuthToken: 't' });
        expect(result.records.map((r) => r.recordId)).toEqual(ev.records.map((r) => r.recordId));
        for (const r of result.records) {
          expect(['Ok', 'ProcessingFailed']).toContain(r.result);
          if (r.result !== 'Ok') continue;
          const rows: FlatRow[] = rowsOfData(r.data!);
          for (const row of rows) expect(schemaProblems(row as unknown as Record<string, unknown>)).toEqual([]);
        }
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
