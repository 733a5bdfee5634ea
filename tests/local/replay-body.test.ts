import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferSource, latestEventTime } from '../../local/replay-body';

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

  it('returns null when the body names no event time', () => {
    expect(latestEventTime({ object: 'whatsapp_business_account', entry: [] }, 'meta')).toBeNull();
    expect(latestEventTime({ wamid: 'x', sent_at: 'yesterday' }, 'registry')).toBeNull();
  });
});
