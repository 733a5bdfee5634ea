import fs from 'node:fs';
import { placeholderNames } from '../../../shared/apigw/render';
import { TemplateError } from '../../../shared/errors';
import { sources } from '../../../shared/schema/types';
import {
  acceptsContentType,
  bearerPaths,
  findRoute,
  loadTemplate,
  methodResponseStatuses,
  routes,
  routesLine,
  templateNames,
  templatePath,
} from '../../../services/ingest/routes';

describe('route table', () => {
  it('lists the five routes with their source, authorization and integration', () => {
    expect(routes.map((r) => [r.method, r.path, r.source, r.authorization, r.localAuthorization, r.integration.type])).toEqual([
      ['POST', '/webhooks/meta', 'meta', 'NONE', 'NONE', 'AWS'],
      ['POST', '/webhooks/wasender', 'wasender', 'NONE', 'NONE', 'AWS'],
      ['POST', '/sends', 'registry', 'AWS_IAM', 'BEARER', 'AWS'],
      ['POST', '/conversions', 'conversions', 'AWS_IAM', 'BEARER', 'AWS'],
      ['GET', '/webhooks/meta', 'verify', 'NONE', 'NONE', 'MOCK'],
    ]);
  });

  it('has one POST route per source, so replay and requeue can find the route of any record', () => {
    // Twilio's routes (POST /webhooks/twilio and its status callback) come with issue #17 part 2,
    // which must drop this exclusion: until then a twilio record has no route to replay through.
    const routed = sources.filter((s) => s !== 'twilio');
    expect(routes.filter((r) => r.method === 'POST').map((r) => r.source).sort()).toEqual([...routed].sort());
  });

  it('names the bearer routes and every route in one line for the operator', () => {
    expect(bearerPaths).toEqual(['/sends', '/conversions']);
    expect(routesLine()).toBe('POST /webhooks/meta, /webhooks/wasender, /sends, /conversions; GET /webhooks/meta');
  });

  it('sends every POST route through the one Firehose PutRecord request template', () => {
    for (const route of routes.filter((r) => r.method === 'POST')) {
      expect(route.requestTemplate).toBe('firehose-put.request.vtl');
      expect(route.integration).toEqual({
        type: 'AWS',
        service: 'firehose',
        action: 'PutRecord',
        httpMethod: 'POST',
        contentHandling: 'CONVERT_TO_TEXT',
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
      });
    }
  });

  it('declares exactly the ${Name} placeholders each route\'s templates hold', () => {
    for (const route of routes) {
      const names = new Set([route.requestTemplate, ...route.integrationResponses.map((r) => r.template)].flatMap((t) => placeholderNames(loadTemplate(t))));
      expect([route.id, [...names].sort()]).toEqual([route.id, [...route.substitutions].sort()]);
    }
  });

  it('names every status a method can answer, overrides included', () => {
    expect(methodResponseStatuses(findRoute('POST', '/sends')!)).toEqual([200, 413, 500, 503]);
    expect(methodResponseStatuses(findRoute('POST', '/conversions')!)).toEqual([200, 413, 500, 503]);
    expect(methodResponseStatuses(findRoute('GET', '/webhooks/meta')!)).toEqual([200, 403]);
  });

  it('finds routes by method and path', () => {
    expect(findRoute('post', '/webhooks/wasender')?.id).toBe('WasenderWebhookPost');
    expect(findRoute('GET', '/sends')).toBeUndefined();
  });

  it('accepts JSON with or without parameters, and a missing Content-Type, but nothing else', () => {
    const meta = findRoute('POST', '/webhooks/meta')!;
    expect(acceptsContentType(meta, 'application/json')).toBe(true);
    expect(acceptsContentType(meta, 'Application/JSON; charset=utf-8')).toBe(true);
    expect(acceptsContentType(meta, undefined)).toBe(true);
    expect(acceptsContentType(meta, 'text/plain')).toBe(false);
  });
});

describe('templates', () => {
  it('resolves only the template files the routes use', () => {
    expect(templateNames).toEqual([
      'firehose-put.request.vtl',
      'firehose-ok.response.vtl',
      'firehose-too-large.response.vtl',
      'firehose-rejected.response.vtl',
      'firehose-unavailable.response.vtl',
      'firehose-error.response.vtl',
      'meta-verify.request.vtl',
      'meta-verify-challenge.response.vtl',
      'meta-verify-forbidden.response.vtl',
    ]);
    expect(templatePath('firehose-ok.response.vtl').endsWith('/services/ingest/templates/firehose-ok.response.vtl')).toBe(true);
    expect(() => templatePath('../routes.ts')).toThrow(TemplateError);
    expect(() => templatePath('other.vtl')).toThrow(TemplateError);
  });

  it('reads each template file once and serves it from the cache afterwards', () => {
    const read = jest.spyOn(fs, 'readFileSync');
    try {
      jest.isolateModules(() => {
        const fresh = require('../../../services/ingest/routes') as typeof import('../../../services/ingest/routes');
        const first = fresh.loadTemplate('meta-verify.request.vtl');
        const second = fresh.loadTemplate('meta-verify.request.vtl');
        expect(first).toContain("'${VerifyToken}'");
        expect(second).toBe(first);
      });
      expect(read.mock.calls.filter(([path]) => String(path).endsWith('meta-verify.request.vtl'))).toHaveLength(1);
    } finally {
      read.mockRestore();
    }
  });
});
