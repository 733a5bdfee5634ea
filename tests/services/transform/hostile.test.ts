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

interface Case {
  name: string;
  source: Source;
  body: Buffer;
  /** What must come out: a quarantine row with one of these reasons, or rows (maybe none). */
  expect: 'malformed_json' | 'quarantined' | 'any';
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
  );
  return cases;
}

function eventOf(bodies: { source: Source; body: Buffer; signature?: string | null }[]): FirehoseTransformationEvent {
  return {
    invocationId: 'hostile',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: bodies.map((b, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T, data: envelopeRecordBytes({ source: b.source, body: b.body, signature: b.signature ?? null, receivedTs: T }).toString('base64') })),
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
  );
  const envelopeRecord = fc.record({ source: sources, body, signature: fc.option(fc.string(), { nil: null }) });

  it('never throws and answers every record exactly once, in order, with schema-valid rows', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(envelopeRecord.map((e) => ({ kind: 'envelope' as const, e })), fc.base64String().map((d) => ({ kind: 'raw' as const, d }))), { maxLength: 20 }), (items) => {
        const ev = eventOf(items.filter((i) => i.kind === 'envelope').map((i) => (i as { e: { source: Source; body: Buffer; signature: string | null } }).e));
        items.forEach((item, i) => {
          if (item.kind === 'raw') ev.records.push({ recordId: `raw${i}`, approximateArrivalTimestamp: T, data: item.d });
        });
        const { result } = transformBatch(ev, { ...settings, metaAppSecret: 's', wasenderSecret: 'w' });
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
