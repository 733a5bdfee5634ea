import { TemplateError } from '../../../shared/errors';
import { placeholderNames, renderResponseTemplate, renderTemplate, substitute } from '../../../shared/apigw/render';
import { apiRequest } from './request';

describe('${Name} substitution (Fn::Sub semantics)', () => {
  it('fills known placeholders before VTL runs', () => {
    expect(renderTemplate('{"s":"${Stream}","m":"$context.httpMethod"}', apiRequest(), { Stream: 'wa-prod-ingest' })).toBe(
      '{"s":"wa-prod-ingest","m":"POST"}',
    );
  });

  it('throws a TemplateError for an unknown placeholder', () => {
    expect(() => renderTemplate('{"s":"${Stream}","x":"${Other}"}', apiRequest(), { Stream: 'a' })).toThrow(TemplateError);
    expect(() => renderTemplate('${Stream}', apiRequest())).toThrow('unknown placeholder ${Stream}');
  });

  it('keeps ${!Literal} as the literal ${Literal}, as Fn::Sub does', () => {
    expect(substitute('a ${!Keep} b ${X}', { X: 'x' })).toBe('a ${Keep} b x');
    expect(placeholderNames('${A} ${!B} ${A} ${C}')).toEqual(['A', 'C']);
  });

  it('refuses a value that would break out of its string literal or start VTL', () => {
    for (const value of ["it's", 'a"b', 'a\\b', 'a\nb', '$x', '#set']) {
      expect(() => substitute("'${T}'", { T: value })).toThrow(TemplateError);
    }
  });

  it('renders the same text with different values correctly (parse cache keyed by values)', () => {
    const text = "#if($input.body == '${T}')yes#{else}no#end";
    expect(renderTemplate(text, apiRequest({ body: 'one' }), { T: 'one' })).toBe('yes');
    expect(renderTemplate(text, apiRequest({ body: 'one' }), { T: 'two' })).toBe('no');
    expect(renderTemplate(text, apiRequest({ body: 'two' }), { T: 'two' })).toBe('yes');
  });
});

describe('parse cache', () => {
  it('parses a template, and each interpolated string in it, once however often it renders', () => {
    jest.isolateModules(() => {
      // The fresh render module gets this fresh velocityjs instance, so the spy sees its calls.
      const velocity = require('velocityjs') as typeof import('velocityjs');
      const parse = jest.spyOn(velocity, 'parse');
      const fresh = require('../../../shared/apigw/render') as typeof import('../../../shared/apigw/render');
      const text = '#set($s = "$context.requestId/$context.stage")$s ${Stream}';
      for (let i = 0; i < 3; i++) expect(fresh.renderTemplate(text, apiRequest({ requestId: `r${i}` }), { Stream: 'x' })).toBe(`r${i}/local x`);
      expect(parse.mock.calls.map(([source]) => source)).toEqual(['#set($s = "$context.requestId/$context.stage")$s x', '$context.requestId/$context.stage']);
    });
  });
});

describe('$input', () => {
  const body = Buffer.from(JSON.stringify({ a: { b: 'é🙂', list: [{ id: 'x1' }, { id: 'x2' }] }, 'odd key': 5 }), 'utf8');

  it('gives the raw body as a UTF-8 string', () => {
    expect(renderTemplate('$input.body', apiRequest({ body }))).toBe(body.toString('utf8'));
  });

  it('evaluates the JSONPath subset with $input.json and $input.path', () => {
    const text = "$input.json('$.a.list[1]')|$input.path('$.a.b')|$input.path('$.a.list').size()|$input.json(\"$['odd key']\")|$input.json('$.a.list[0].id')";
    expect(renderTemplate(text, apiRequest({ body }))).toBe('{"id":"x2"}|é🙂|2|5|"x1"');
  });

  it('renders a path that matches nothing as nothing', () => {
    expect(renderTemplate("[$input.json('$.nope')][$input.path('$.a.nope')]", apiRequest({ body }))).toBe('[][]');
  });

  it('refuses JSONPath it does not support and a body that is not JSON', () => {
    expect(() => renderTemplate("$input.json('$..id')", apiRequest({ body }))).toThrow(TemplateError);
    expect(() => renderTemplate("$input.json('$.a')", apiRequest({ body: '{not json' }))).toThrow(TemplateError);
  });

  it('searches path, then query string, then headers for $input.params(name)', () => {
    const request = apiRequest({
      pathParams: { id: 'from-path' },
      query: { id: 'from-query', q: 'only-query' },
      headers: { id: 'from-header', 'X-Only-Header': 'h' },
    });
    expect(renderTemplate("$input.params('id')|$input.params('q')|$input.params('X-Only-Header')|[$input.params('missing')]", request)).toBe(
      'from-path|only-query|h|[]',
    );
  });

  it('matches header names case-insensitively but query-string names exactly', () => {
    const request = apiRequest({ headers: { 'x-hub-signature-256': 'sha256=ab' }, query: { Mode: 'm' } });
    expect(renderTemplate("$input.params('X-Hub-Signature-256')|[$input.params('mode')]", request)).toBe('sha256=ab|[]');
  });

  it('exposes all parameters by location with $input.params()', () => {
    const request = apiRequest({ pathParams: { p: '1' }, query: { q: '2' }, headers: { H: '3' } });
    const text = "#set($all = $input.params())#foreach($type in $all.keySet())$type=#foreach($k in $all.get($type).keySet())$k:$all.get($type).get($k)#end;#end";
    expect(renderTemplate(text, request)).toBe('path=p:1;querystring=q:2;header=H:3;');
  });

  it('does not let a template change the request through $input.params()', () => {
    const query = { q: 'original' };
    renderTemplate("#set($m = $input.params().querystring)$m.put('q', 'changed')", apiRequest({ query }));
    expect(query.q).toBe('original');
  });
});

describe('$context', () => {
  it('exposes the request fields API Gateway provides', () => {
    const request = apiRequest({ userAgent: 'facebookexternalua' });
    const text = '$context.requestId|$context.requestTimeEpoch|$context.resourcePath|$context.httpMethod|$context.stage|$context.path|$context.identity.sourceIp|$context.identity.userAgent';
    expect(renderTemplate(text, request)).toBe(
      '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b|1717171717171|/webhooks/meta|POST|local|/local/webhooks/meta|203.0.113.7|facebookexternalua',
    );
  });

  it('renders a missing value as nothing rather than null or the reference text', () => {
    expect(renderTemplate('[$context.identity.userAgent][$nothing.here][$util.escapeJavaScript($nothing)]', apiRequest())).toBe('[][][]');
  });
});

describe('VTL on Java objects', () => {
  it('gives Java String semantics for replace, replaceAll, matches, length, contains', () => {
    const text = "#set($s = 'a-b-c')$s.replace('-', '+')|$s.replaceAll('[a-c]', 'x')|$s.matches('a-b')|$s.matches('a.*')|$s.length()|$s.contains('b-')";
    expect(renderTemplate(text, apiRequest())).toBe('a+b+c|x-x-x|false|true|5|true');
  });

  it('undoes escapeJavaScript quote escaping with the replaceAll AWS documents', () => {
    const text = "$util.escapeJavaScript(\"it's\").replaceAll(\"\\\\'\",\"'\")";
    expect(renderTemplate(text, apiRequest())).toBe("it's");
  });

  it('sets a response header with a hyphenated name', () => {
    expect(renderResponseTemplate("#set($context.responseOverride.header.Retry-After = '5')x", apiRequest(), '').headerOverrides).toEqual({ 'Retry-After': '5' });
  });

  it('reports a template that does not parse as a TemplateError', () => {
    expect(() => renderTemplate('#if($a', apiRequest())).toThrow(TemplateError);
  });
});

describe('renderResponseTemplate', () => {
  it('reads the integration response as $input and the method request as $input.params', () => {
    const result = renderResponseTemplate("$input.path('$.RecordId')/$input.params('hub.challenge')", apiRequest({ query: { 'hub.challenge': '42' } }), '{"RecordId":"r9"}');
    expect(result).toEqual({ body: 'r9/42', headerOverrides: {} });
  });

  it('returns the status and header overrides the template set', () => {
    const text = "#set($context.responseOverride.status = 413)#set($context.responseOverride.header.Retry = '5')body";
    expect(renderResponseTemplate(text, apiRequest(), '')).toEqual({ body: 'body', statusOverride: 413, headerOverrides: { Retry: '5' } });
  });

  it('ignores a status override that is not an integer from 100 to 599', () => {
    expect(renderResponseTemplate("#set($context.responseOverride.status = '413')x", apiRequest(), '')).toEqual({ body: 'x', headerOverrides: {} });
    expect(renderResponseTemplate('#set($context.responseOverride.status = 700)x', apiRequest(), '')).toEqual({ body: 'x', headerOverrides: {} });
  });

  it('treats a second write to the same override as an error (AWS answers 5XX)', () => {
    const twice = '#set($context.responseOverride.status = 413)#set($context.responseOverride.status = 500)';
    expect(() => renderResponseTemplate(twice, apiRequest(), '')).toThrow(TemplateError);
    const header = "#set($context.responseOverride.header.A = '1')#set($context.responseOverride.header.A = '2')";
    expect(() => renderResponseTemplate(header, apiRequest(), '')).toThrow(TemplateError);
  });

  it('starts every render with fresh overrides', () => {
    const text = '#set($context.responseOverride.status = 503)';
    expect(renderResponseTemplate(text, apiRequest(), '').statusOverride).toBe(503);
    expect(renderResponseTemplate(text, apiRequest(), '').statusOverride).toBe(503);
  });
});
