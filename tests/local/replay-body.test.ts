import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferSource, latestEventTime, readRecordedBody, sourceOfBody, type RecordedBody } from '../../local/replay-body';
import { InputError } from '../../shared/errors';

const fixture = (path: string): unknown => JSON.parse(readFileSync(join(__dirname, '../fixtures', path), 'utf8'));

describe('inferSource', () => {
  it('recognises a Meta webhook by its object field', () => {
    expect(inferSource(fixture('meta/button-reply.json'))).toBe('meta');
  });

  it('recognises a WASenderApi event by its string event field', () => {
    expect(inferSource(fixture('wasender/messages-upsert-button-reply.json'))).toBe('wasender');
  });

  it('recognises a registry send and an array of sends', () => {
    expect(inferSource({ wamid: 'wamid.A', sent_at: '2025-05-20T21:00:00Z' })).toBe('registry');
    expect(inferSource(fixture('registry/send-batch.json'))).toBe('registry');
  });

  it('recognises a posted conversion and an array of them, also one with an item missing its conversion_id', () => {
    expect(inferSource(fixture('conversions/single.json'))).toBe('conversions');
    expect(inferSource(fixture('conversions/batch.json'))).toBe('conversions');
    expect(inferSource([{ conversion_id: 'c-1' }, { wa_id: '1', name: 'purchase' }])).toBe('conversions');
  });

  it('does not take an array as conversions when an item is a send or not an object', () => {
    expect(inferSource([{ conversion_id: 'c-1' }, { wamid: 'w', sent_at: '2025-05-20T21:00:00Z' }])).toBeNull();
    expect(inferSource([{ conversion_id: 'c-1' }, 'c-2'])).toBeNull();
    expect(inferSource([{ wa_id: '1', name: 'purchase' }])).toBeNull();
  });

  it('returns null for anything else', () => {
    expect(inferSource({ hello: 'world' })).toBeNull();
    expect(inferSource([])).toBeNull();
    expect(inferSource([{ wamid: 'x' }])).toBeNull();
    expect(inferSource('text')).toBeNull();
  });
});

describe('latestEventTime', () => {
  it('takes the latest Meta message or status timestamp in seconds', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        { changes: [{ value: { statuses: [{ timestamp: '1750000000' }, { timestamp: '1750000300' }] } }] },
        { changes: [{ value: { messages: [{ timestamp: '1750000100' }] } }] },
      ],
    };
    expect(latestEventTime(body, 'meta')).toBe(1_750_000_300_000);
  });

  it('takes the latest WASenderApi event or message timestamp', () => {
    expect(latestEventTime(fixture('wasender/messages-upsert-button-reply.json'), 'wasender')).toBe(1_747_775_432_000);
  });

  it('takes the latest registry sent_at, honouring its zone', () => {
    expect(latestEventTime(fixture('registry/send-batch.json'), 'registry')).toBe(Date.parse('2025-05-20T21:05:12.345Z'));
  });

  it('takes the latest occurred_at of posted conversions, honouring its zone and skipping items without one', () => {
    expect(latestEventTime(fixture('conversions/single.json'), 'conversions')).toBe(Date.parse('2025-06-25T05:41:17Z'));
    // 2025-07-03T14:05:00.250Z (19:35:00.250+05:30) is the latest of the batch.
    expect(latestEventTime(fixture('conversions/batch.json'), 'conversions')).toBe(1751551500250);
    expect(latestEventTime([{ occurred_at: 'soon' }, { occurred_at: '2025-07-03T11:13:00-03:00' }, 'x'], 'conversions')).toBe(Date.parse('2025-07-03T14:13:00Z'));
    expect(latestEventTime({ conversion_id: 'c', occurred_at: '2025-07-03' }, 'conversions')).toBeNull();
  });

  it('returns null when the body names no event time', () => {
    expect(latestEventTime({ object: 'whatsapp_business_account', entry: [] }, 'meta')).toBeNull();
    expect(latestEventTime({ wamid: 'x', sent_at: 'yesterday' }, 'registry')).toBeNull();
  });
});

const twilioFixture = (name: string): Buffer => readFileSync(join(__dirname, '../fixtures/twilio', name));

describe('sourceOfBody', () => {
  const json = (value: unknown, where = 'a.json'): RecordedBody => ({ json: value, form: false, where });

  it('takes the given source over the body, infers one otherwise, and names the body it cannot place', () => {
    expect(sourceOfBody(json({ hello: 'world' }), 'conversions')).toBe('conversions');
    expect(sourceOfBody(json(fixture('conversions/single.json')), undefined)).toBe('conversions');
    expect(() => sourceOfBody(json({ hello: 'world' }, 'line 3 of b.jsonl'), undefined)).toThrow(
      new InputError('cannot tell the source of line 3 of b.jsonl (not Meta, WASenderApi, a registry send, a conversion or a Twilio form); pass --source'),
    );
  });

  it('places a form body with Twilio, unless --source says otherwise', () => {
    const form: RecordedBody = { json: undefined, form: true, where: 'tap.form' };
    expect(sourceOfBody(form, undefined)).toBe('twilio');
    expect(sourceOfBody(form, 'meta')).toBe('meta');
  });
});

describe('readRecordedBody', () => {
  it('reads JSON as JSON, and a line that is a Twilio form (it has a MessageSid) as a form', () => {
    expect(readRecordedBody(Buffer.from('{"a":1}'), 'line 1 of c.jsonl')).toEqual({ json: { a: 1 }, form: false, where: 'line 1 of c.jsonl' });
    for (const name of ['inbound-quick-reply.form', 'status-read.form', 'status-undelivered.form']) {
      expect(readRecordedBody(twilioFixture(name), 'line 2 of c.jsonl')).toEqual({ json: undefined, form: true, where: 'line 2 of c.jsonl' });
    }
  });

  it('refuses a line that is neither JSON nor a form with a MessageSid, naming it', () => {
    expect(() => readRecordedBody(Buffer.from('{"object": "whatsapp_business_account", '), 'line 3 of c.jsonl')).toThrow(
      /^line 3 of c\.jsonl is not JSON \(.+\) nor a Twilio form \(a form body with a MessageSid\)$/,
    );
    // A well-formed form, but no Twilio message webhook: nothing tells its source.
    expect(() => readRecordedBody(Buffer.from('a=1&b=2'), 'line 4 of c.jsonl')).toThrow(/^line 4 of c\.jsonl is not JSON/);
  });

  it('takes any well-formed form from a .form file and only JSON from a .json file', () => {
    expect(readRecordedBody(Buffer.from('a=1&b=2'), 'x.form', 'only')).toEqual({ json: undefined, form: true, where: 'x.form' });
    expect(() => readRecordedBody(Buffer.from('a=%zz'), 'y.form', 'only')).toThrow(new InputError('y.form is not a form body (application/x-www-form-urlencoded)'));
    expect(() => readRecordedBody(twilioFixture('status-read.form'), 'z.json', 'never')).toThrow(/^z\.json is not JSON \([^)]+\)$/);
  });
});
