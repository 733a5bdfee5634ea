import { createHash, createHmac } from 'node:crypto';
import type { FormParam } from '../../shared/form';
import { signTwilioRequest, twilioUrlVariants, verifyTwilioSignature } from '../../shared/twilio-signature';

/*
 * Twilio's published vectors: token `12345` and the request of its api-snippets
 * `security/signature_validation` and of twilio-node's `spec/validation.spec.js`. Each expected
 * signature is also recomputed here with node:crypto over the signed text written out by hand
 * (URL, then names and values in sorted order), not through the code under test.
 */

const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: FormParam[] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];
const SIGNED_PARAMS = 'CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212';
const JSON_BODY = '{"property": "value", "boolean": true}';
const JSON_BODY_SHA = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const none = Buffer.alloc(0);

/** The oracle: base64 HMAC-SHA1 of the text, by node:crypto directly. */
const hmac = (text: string): string => createHmac('sha1', TOKEN).update(text, 'utf8').digest('base64');

const verify = (sig: string | null, url: string, params: readonly FormParam[] | null, body: Buffer = none) => verifyTwilioSignature(sig, url, body, params, TOKEN);

describe('Twilio published test vectors', () => {
  it.each([
    ['the api-snippets request', `${URL}${SIGNED_PARAMS}`, 'RSOYDt4T1cUTdK1PDd93/VVr8B8='],
    ['the api-snippets request from +14158675310', `${URL}${SIGNED_PARAMS.replaceAll('+14158675309', '+14158675310')}`, 'GvWf1cFY/Q7PnoempGyD5oXAezc='],
    ['https with the default port 443', `https://mycompany.com:443/myapp.php?foo=1&bar=2${SIGNED_PARAMS}`, 'kvajT1Ptam85bY51eRf/AJRuM3w='],
    ['http with the default port 80', `http://mycompany.com:80/myapp.php?foo=1&bar=2${SIGNED_PARAMS}`, '0ZXoZLH/DfblKGATFgpif+LLRf4='],
    ['http on port 1234', `http://mycompany.com:1234/myapp.php?foo=1&bar=2${SIGNED_PARAMS}`, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU='],
    ['a quote and a plus in the query', `${URL}&Body=It's+amazing${SIGNED_PARAMS}`, 'dsq4Ehbj6cs+KdTkpF5sSSplOWw='],
    ['credentials in the URL', `https://user:pass@mycompany.com/myapp.php?foo=1&bar=2${SIGNED_PARAMS}`, 'CukzLTc1tT5dXEDIHm/tKBanW10='],
    ['credentials and port 443', `https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2${SIGNED_PARAMS}`, 'ZQFR1PTIZXF2MXB8ZnKCvnnA+rI='],
    ['a multi-valued parameter', `${URL}MessagingBinding.Address+1325xxxxxxxMessagingBinding.Address+1415xxxxxxx`, '83O6e2vORAoJHUNzJjDWN1jz+BA='],
    ['repeated values (signed once each)', `${URL}Digits1234Digits5678SidCA123SidAccountAC123`, 'IK+Dwps556ElfBT0I3Rgjkr1wJU='],
    ['a bodySHA256 URL', `${URL}&bodySHA256=${JSON_BODY_SHA}`, 'a9nBmqA0ju/hNViExpshrM61xv4='],
  ])('the oracle reproduces the published signature of %s', (_name, text, published) => {
    expect(hmac(text)).toBe(published);
  });

  it('signs the api-snippets request as Twilio does', () => {
    expect(signTwilioRequest(TOKEN, URL, PARAMS)).toBe(hmac(`${URL}${SIGNED_PARAMS}`));
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, PARAMS)).toBe('ok');
  });

  it('sorts parameters by name whatever order they arrive in', () => {
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, [...PARAMS].reverse())).toBe('ok');
  });

  it('refuses the signature of another parameter value', () => {
    // The api-snippets variant: the call from +14158675310 (Caller and From).
    const changed = PARAMS.map(([n, v]): FormParam => [n, v === '+14158675309' ? '+14158675310' : v]);
    expect(verify('GvWf1cFY/Q7PnoempGyD5oXAezc=', URL, changed)).toBe('ok');
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, changed)).toBe('bad');
  });

  it('accepts the URL with or without the default port, either way round', () => {
    expect(verify('kvajT1Ptam85bY51eRf/AJRuM3w=', URL, PARAMS)).toBe('ok');
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS)).toBe('ok');
    expect(verify('0ZXoZLH/DfblKGATFgpif+LLRf4=', 'http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS)).toBe('ok');
    expect(verify('ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=', 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2', PARAMS)).toBe('ok');
  });

  it('keeps a non-default port as it is', () => {
    expect(verify('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', 'http://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS)).toBe('ok');
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS)).toBe('bad');
    expect(twilioUrlVariants('http://mycompany.com:1234/x')).toEqual(['http://mycompany.com:1234/x']);
  });

  it('signs the query string byte for byte (no re-encoding of the quote)', () => {
    expect(verify('dsq4Ehbj6cs+KdTkpF5sSSplOWw=', `${URL}&Body=It's+amazing`, PARAMS)).toBe('ok');
  });

  it('sorts multi-valued parameters and signs a repeated value once', () => {
    expect(verify('83O6e2vORAoJHUNzJjDWN1jz+BA=', URL, [['MessagingBinding.Address', '+1415xxxxxxx'], ['MessagingBinding.Address', '+1325xxxxxxx']])).toBe('ok');
    const repeated: FormParam[] = [['Sid', 'CA123'], ['SidAccount', 'AC123'], ['Digits', '5678'], ['Digits', '1234'], ['Digits', '1234']];
    expect(verify('IK+Dwps556ElfBT0I3Rgjkr1wJU=', URL, repeated)).toBe('ok');
  });
});

describe('bodySHA256 (JSON bodies)', () => {
  const withHash = `${URL}&bodySHA256=${JSON_BODY_SHA}`;

  it('the published body hash is the SHA-256 of the body', () => {
    expect(createHash('sha256').update(JSON_BODY).digest('hex')).toBe(JSON_BODY_SHA);
    expect(createHash('sha256').update('{}').digest('hex')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('verifies the body against the hash and the signature over the URL alone', () => {
    expect(verify('a9nBmqA0ju/hNViExpshrM61xv4=', withHash, null, Buffer.from(JSON_BODY))).toBe('ok');
    expect(verify('Ldidvp12m26NI7eqEvxnEpkd9Hc=', `${URL}&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`, null, Buffer.from('{}'))).toBe('ok');
    expect(verify('y77kIzt2vzLz71DgmJGsen2scGs=', `https://mycompany.com/myapp.php?bodySHA256=${JSON_BODY_SHA}`, null, Buffer.from(JSON_BODY))).toBe('ok');
  });

  it('refuses a body that does not match the hash, even with the right signature', () => {
    expect(verify('a9nBmqA0ju/hNViExpshrM61xv4=', withHash, null, Buffer.from(`${JSON_BODY} `))).toBe('bad');
    expect(verify('a9nBmqA0ju/hNViExpshrM61xv4=', `${URL}&bodySHA256=${JSON_BODY_SHA.slice(0, -1)}`, null, Buffer.from(JSON_BODY))).toBe('bad');
  });

  it('refuses a JSON body without a bodySHA256 in the URL', () => {
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, null, Buffer.from(JSON_BODY))).toBe('bad');
  });
});

describe('signature header', () => {
  it('is missing when absent or blank, bad when not a base64 SHA-1 or of another token', () => {
    expect(verify(null, URL, PARAMS)).toBe('missing');
    expect(verify('  ', URL, PARAMS)).toBe('missing');
    expect(verify('WRONG_SIGNATURE', URL, PARAMS)).toBe('bad');
    expect(verify('RSOYDt4T1cUTdK1PDd93/VVr8B8', URL, PARAMS)).toBe('bad');
    expect(verifyTwilioSignature('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, none, PARAMS, '54321')).toBe('bad');
  });

  it('accepts surrounding whitespace, as a header value may carry it', () => {
    expect(verify(' RSOYDt4T1cUTdK1PDd93/VVr8B8= ', URL, PARAMS)).toBe('ok');
  });
});
