import { integrationRequestPayload, isBinaryMediaType } from '../../../shared/apigw/payload';

const bytes = Buffer.from([0x7b, 0xff, 0x7d]);

describe('isBinaryMediaType', () => {
  it('matches type and subtype with parameters ignored, case-insensitively', () => {
    expect(isBinaryMediaType('application/json; charset=utf-8', ['application/json'])).toBe(true);
    expect(isBinaryMediaType('Application/JSON', ['application/json'])).toBe(true);
    expect(isBinaryMediaType('application/x-amz-json-1.1', ['application/json'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['application/json'])).toBe(false);
    expect(isBinaryMediaType('text/plain', ['application/json'])).toBe(false);
  });

  it('takes type/* and */* wildcards', () => {
    expect(isBinaryMediaType('image/png', ['image/*'])).toBe(true);
    expect(isBinaryMediaType('text/csv', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('garbage', ['*/*'])).toBe(false);
  });
});

describe('integrationRequestPayload (AWS content type conversion table)', () => {
  it('hands a binary body to the template as base64 with CONVERT_TO_TEXT', () => {
    expect(integrationRequestPayload(bytes, 'application/json', ['application/json'], 'CONVERT_TO_TEXT')).toBe('e/99');
  });

  it('passes a binary body through untouched without contentHandling or with CONVERT_TO_BINARY', () => {
    expect(integrationRequestPayload(bytes, 'application/json', ['application/json'], undefined)).toBe(bytes);
    expect(integrationRequestPayload(bytes, 'application/json', ['application/json'], 'CONVERT_TO_BINARY')).toBe(bytes);
  });

  it('reads a text body as UTF-8, replacing invalid bytes, unless asked to base64-decode it', () => {
    expect(integrationRequestPayload(bytes, 'text/plain', ['application/json'], 'CONVERT_TO_TEXT')).toBe('{\uFFFD}');
    expect(integrationRequestPayload(Buffer.from('aGk='), 'text/plain', [], 'CONVERT_TO_BINARY')).toEqual(Buffer.from('hi'));
  });
});
