import { TemplateError } from '../../../shared/errors';
import { renderTemplate } from '../../../shared/apigw/render';
import { base64Decode, base64Encode, escapeJavaScript, parseJson, urlDecode, urlEncode } from '../../../shared/apigw/util';
import { apiRequest } from './request';

describe('$util.base64Encode / base64Decode', () => {
  it('encodes the UTF-8 bytes of accented text and emoji', () => {
    expect(base64Encode('é🙂')).toBe('w6nwn5mC');
    expect(base64Decode('w6nwn5mC')).toBe('é🙂');
  });

  it('matches Node Buffer base64 of the UTF-8 bytes and round-trips byte for byte', () => {
    const text = 'Olá, ação ✅ हाँ, बुक करें 🧀 Pão de queijo 🇧🇷 "quoted" \\ back';
    const expected = Buffer.from(text, 'utf8').toString('base64');
    expect(base64Encode(text)).toBe(expected);
    expect(Buffer.from(base64Decode(expected), 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('rejects text that is not base64 instead of skipping characters', () => {
    expect(() => base64Decode('w6nw n5mC')).toThrow(TemplateError);
    expect(() => base64Decode('abcde')).toThrow(TemplateError);
  });

  it('treats a null argument as the error Java would raise', () => {
    expect(() => base64Encode(null)).toThrow(TemplateError);
  });
});

describe('$util.escapeJavaScript', () => {
  it('escapes like Commons Lang: quotes, slash, backslash, controls, non-ASCII as upper-case \\u', () => {
    expect(escapeJavaScript('It\'s "quoted" / back\\slash\n\té🙂\u0001\u007f')).toBe(
      'It\\\'s \\"quoted\\" \\/ back\\\\slash\\n\\t\\u00E9\\uD83D\\uDE42\\u0001\u007f',
    );
  });

  it('returns plain ASCII unchanged and null as nothing', () => {
    expect(escapeJavaScript('plain text 123')).toBe('plain text 123');
    expect(escapeJavaScript(null)).toBeUndefined();
  });
});

describe('$util.urlEncode / urlDecode', () => {
  it('encodes like java.net.URLEncoder with UTF-8', () => {
    expect(urlEncode('a b&c=é~*._-')).toBe('a+b%26c%3D%C3%A9%7E*._-');
    expect(urlEncode('🙂')).toBe('%F0%9F%99%82');
  });

  it('decodes + as space and %XX runs as UTF-8', () => {
    expect(urlDecode('a+b%26c%3D%C3%A9%7E')).toBe('a b&c=é~');
    expect(urlDecode('%F0%9F%99%82!')).toBe('🙂!');
  });

  it('rejects a broken escape as URLDecoder does', () => {
    expect(() => urlDecode('100%')).toThrow(TemplateError);
    expect(() => urlDecode('%zz')).toThrow(TemplateError);
  });
});

describe('$util.parseJson', () => {
  it('returns maps and lists', () => {
    expect(parseJson('{"a":[1,"é"],"b":null}')).toEqual({ a: [1, 'é'], b: null });
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseJson('{"a":')).toThrow(TemplateError);
  });
});

describe('$util inside a template', () => {
  it('is reachable as $util and works on template values', () => {
    const text = "$util.base64Encode('é🙂')|$util.base64Decode('w6nwn5mC')|$util.urlEncode('a b')|$util.parseJson('{\"k\":[7]}').k[0]";
    expect(renderTemplate(text, apiRequest())).toBe('w6nwn5mC|é🙂|a+b|7');
  });
});
