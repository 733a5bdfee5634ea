import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderResponseTemplate, renderTemplate, substitute } from '../../../shared/apigw/render';
import { parseVtl } from '../../../shared/apigw/vtl';
import { compileVtl } from '../../../shared/apigw/vtl-compile';
import { loadTemplate, templateNames } from '../../../services/ingest/routes';
import { realisticMetaBodies } from '../../support/webhooks';
import { referenceRenderResponseTemplate, referenceRenderTemplate } from './reference-render';
import { apiRequest } from './request';

/**
 * The fast renderer (cached parse trees compiled to closures, direct method calls) against plain
 * velocityjs, over every mapping template of the API and a corpus of bodies and headers, hostile
 * ones included.
 */
const substitutions = { DeliveryStreamName: 'wa-analytics-local-raw', VerifyToken: 'verify-me', TwilioBaseUrl: 'https://hooks.example.com/wa' };
const fixtures = join(__dirname, '../../fixtures');

const bodies: (Buffer | string)[] = [
  '',
  '{}',
  'not json at all',
  '{"emoji":"Sí 🎉 ✅ 🇧🇷","quote":"\\"","slash":"\\\\/"}',
  Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]), // not UTF-8: decoded with replacement characters
  Buffer.from('\ufeff{"bom":true}', 'utf8'),
  '$input.body #set($x = 1) ${DeliveryStreamName}', // VTL in the data is data
  `${'x'.repeat(70_000)}🙂`, // a large body
  ...realisticMetaBodies(40_000, 3),
  ...['meta', 'wasender', 'registry', 'conversions', 'twilio'].flatMap((dir) => readdirSync(join(fixtures, dir)).map((f) => readFileSync(join(fixtures, dir, f)))),
];

const headerSets: Record<string, string>[] = [
  {},
  { 'X-Hub-Signature-256': 'sha256=00ff', 'Content-Type': 'application/json' },
  { 'x-hub-signature-256': 'sha256="quoted" \\ back\nline', 'x-webhook-signature': '🙂 é $sig #end' },
  { 'X-Webhook-Signature': "it's ${x}" },
  { 'X-Twilio-Signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'Content-Type': 'application/x-www-form-urlencoded' },
  { 'x-twilio-signature': "'quoted' \\ $sig #end 🙂" },
];

const resourcePaths = ['/webhooks/meta', '/webhooks/wasender', '/sends', '/conversions', '/webhooks/twilio', '/webhooks/twilio/status', '/webhooks/other'];

const queries: Record<string, string>[] = [
  {},
  { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' },
  { 'hub.mode': 'subscribe', 'hub.verify_token': "ver'ify", 'hub.challenge': '<script>🙂' },
  { bodySHA256: '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620' },
  { tenant: 'a b&c=d', 'ü': '🙂/*~', empty: '' },
];

/** Templates the compiler leaves to velocityjs, on purpose: the Twilio one rebuilds the query string with #foreach. */
const velocityjsOnly = ['twilio-put.request.vtl'];

describe('the fast renderer renders exactly what plain velocityjs renders', () => {
  it('covers every mapping template of the API', () => {
    expect(templateNames.length).toBeGreaterThan(5);
  });

  it.each(readdirSync(join(__dirname, '../../../services/ingest/templates')))('compiles %s, so the tests below run the compiled renderer (but for the #foreach one)', (name) => {
    const text = readFileSync(join(__dirname, '../../../services/ingest/templates', name), 'utf8');
    const compiled = compileVtl(parseVtl(substitute(text, substitutions)));
    if (velocityjsOnly.includes(name)) expect(compiled).toBeNull();
    else expect(compiled).not.toBeNull();
  });

  it.each(templateNames.filter((n) => n.endsWith('.request.vtl')))('%s, over the corpus of bodies, headers and routes', (name) => {
    const text = loadTemplate(name);
    let i = 0;
    for (const body of bodies) {
      for (const headers of headerSets) {
        const resourcePath = resourcePaths[i % resourcePaths.length]!;
        const request = apiRequest({ body, headers, resourcePath, query: queries[i % queries.length]!, requestId: `req-${i}`, requestTimeEpoch: 1_763_000_000_000 + i });
        i++;
        expect(renderTemplate(text, request, substitutions)).toBe(referenceRenderTemplate(text, request, substitutions));
      }
    }
  });

  it.each(templateNames.filter((n) => n.endsWith('.response.vtl')))('%s, over integration bodies and queries', (name) => {
    const text = loadTemplate(name);
    const integrationBodies = ['', '{"RecordId":"r1","Encrypted":false}', '{"__type":"ValidationException","message":"too \\"large\\" 🙂"}', 'not json'];
    for (const body of integrationBodies) {
      for (const query of queries) {
        const request = apiRequest({ query });
        const expected = (() => {
          try {
            return referenceRenderResponseTemplate(text, request, body, substitutions);
          } catch (error) {
            return { error: String(error) };
          }
        })();
        const actual = (() => {
          try {
            return renderResponseTemplate(text, request, body, substitutions);
          } catch (error) {
            return { error: String(error) };
          }
        })();
        // A template error must stay one, with or without the fast path.
        expect('error' in actual).toBe('error' in expected);
        if (!('error' in expected)) expect(actual).toEqual(expected);
      }
    }
  });

  it('renders the constructs the routes do not use alike too', () => {
    const templates = [
      "#set($m = {'a': '1'})[$m.put('a', '2')][$m.get('a')]#foreach($k in $m.keySet())$k#end",
      '#set($all = $input.params())#foreach($type in $all.keySet())$type=#foreach($k in $all.get($type).keySet())$k:$all.get($type).get($k);#end#end',
      "#define($d)defined $context.stage#end$d|$!nothing|$nothing.here|$util.escapeJavaScript(\"it's 🙂\")|$util.urlEncode('a b/é')",
      "#set($s = \"$context.requestId-$context.stage\")$s.length()|$s.replace('-', '+')|$s.concat($null)|$input.json('$')",
      '#foreach($i in [1..3])$i#if($i == 2)#break#end#end|#macro(m $a)<$a>#end#m("x")',
      "$input.path('$').size()|#set($util.base64Encode = 'shadowed')$util.base64Encode",
    ];
    const body = '{"a":[1,2,{"b":"🙂"}]}';
    for (const text of templates) {
      const request = apiRequest({ body, headers: { H: 'v' }, query: { q: '1' } });
      expect(renderTemplate(text, request)).toBe(referenceRenderTemplate(text, request));
    }
  });
});
