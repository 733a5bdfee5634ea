import { decodeRecordData, parseEnvelope } from '../../shared/envelope';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('parseEnvelope', () => {
  it('reads a version-2 record: the header, then the body bytes after its closing brace', () => {
    const body = Buffer.from([0x7b, 0x7d, 0xff, 0x00, 0x0a, 0x7d]);
    const header = `{"v":2,"source":"wasender","request_id":"r-1","received_ts":1700000000000,"signature":"${b64('s3cr}t')}"  }`;
    const envelope = parseEnvelope(Buffer.concat([Buffer.from(header, 'latin1'), body]));
    expect(envelope).toEqual({ source: 'wasender', body, signature: 's3cr}t', requestId: 'r-1', receivedTs: 1_700_000_000_000 });
  });

  it('reads the URL a Twilio record carries (base64, query string and quotes intact), and refuses one that is not base64', () => {
    const url = "https://h.example.com/prod/webhooks/twilio?a=1&b=It's+%22x%22";
    const body = Buffer.from('MessageSid=SM1&MessageStatus=read');
    const header = `{"v":2,"source":"twilio","request_id":"r-2","received_ts":1700000000000,"signature":"${b64('sig=')}","url":"${b64(url)}"}`;
    const envelope = parseEnvelope(Buffer.concat([Buffer.from(header, 'latin1'), body]));
    expect(envelope).toEqual({ source: 'twilio', body, signature: 'sig=', requestId: 'r-2', receivedTs: 1_700_000_000_000, url });
    const bad = `{"v":2,"source":"twilio","request_id":"r-2","received_ts":1700000000000,"signature":"","url":"not base64!"}`;
    expect(() => parseEnvelope(Buffer.from(bad, 'latin1'))).toThrow('url is not base64');
    const none = parseEnvelope(Buffer.from('{"v":2,"source":"twilio","request_id":"r","received_ts":5,"signature":"","url":""}', 'latin1'));
    expect('url' in none).toBe(false);
  });

  it('is not fooled by a closing brace inside a header string', () => {
    const header = '{"v":2,"source":"meta","request_id":"a}b\\"}","received_ts":5,"signature":""}';
    const envelope = parseEnvelope(Buffer.from(`${header}{"x":1}`, 'latin1'));
    expect(envelope.requestId).toBe('a}b"}');
    expect(envelope.body.toString()).toBe('{"x":1}');
    expect(envelope.signature).toBeNull();
  });

  it('still reads a version-1 record (the body as base64 inside one JSON object)', () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const record = JSON.stringify({ v: 1, source: 'meta', request_id: 'old', received_ts: 1_600_000_000_000, signature: b64('sha256=ab'), body: body.toString('base64') });
    const envelope = decodeRecordData(b64(record));
    expect(envelope).toEqual({ source: 'meta', body, signature: 'sha256=ab', requestId: 'old', receivedTs: 1_600_000_000_000 });
  });

  it('reads a version-1 record whose body is longer than any header', () => {
    const body = Buffer.alloc(50_000, 0x61);
    const record = JSON.stringify({ v: 1, source: 'registry', request_id: '', received_ts: 1, signature: '', body: body.toString('base64') });
    expect(parseEnvelope(Buffer.from(record)).body.equals(body)).toBe(true);
  });

  it.each([
    ['not JSON at all', 'hello'],
    ['an unclosed header', '{"v":2,"source":"meta"'],
    ['an unknown version', '{"v":3,"source":"meta","received_ts":1}{}'],
    ['an unknown source', '{"v":2,"source":"sms","received_ts":1}{}'],
    ['a bad receive time', '{"v":2,"source":"meta","received_ts":-4}{}'],
    ['a signature that is not base64', '{"v":2,"source":"meta","received_ts":1,"signature":"??"}{}'],
    ['a version-1 body that is not base64', '{"v":1,"source":"meta","received_ts":1,"body":"***"}'],
    ['bytes after a version-1 object', '{"v":1,"source":"meta","received_ts":1,"body":""}{"more":1}'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseEnvelope(Buffer.from(text, 'latin1'))).toThrow();
  });
});
