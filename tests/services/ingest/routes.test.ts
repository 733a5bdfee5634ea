import fs from 'node:fs';
import { placeholderNames } from '../../../shared/apigw/render';
import { TemplateError } from '../../../shared/errors';
import { sources } from '../../../shared/schema/types';
import {
  acceptsContentType,
  bearerPaths,
  binaryMediaTypes,
  integrationPayload,
  twilioPaths,
  findRoute,
  loadTemplate,
  methodResponseStatuses,
  routes,
  routesLine,
  templateNames,
  templatePath,
} from '../../../services/ingest/routes';

describe('route table', () => {
  it('lists the seven routes with their source, authorization and integration', () => {
    expect(routes.map((r) => [r.method, r.path, r.source, r.authorization, r.localAuthorization, r.integration.type])).toEqual([
      ['POST', '/webhooks/meta', 'meta', 'NONE', 'NONE', 'AWS'],
      ['POST', '/webhooks/wasender', 'wasender', 'NONE', 'NONE', 'AWS'],
      ['POST', '/sends', 'registry', 'AWS_IAM', 'BEARER', 'AWS'],
      ['POST', '/conversions', 'conversions', 'AWS_IAM', 'BEARER', 'AWS'],
      ['POST', '/webhooks/twilio', 'twilio', 'NONE', 'NONE', 'AWS'],
      ['POST', '/webhooks/twilio/status', 'twilio', 'NONE', 'NONE', 'AWS'],
      ['GET', '/webhooks/meta', 'verify', 'NONE', 'NONE', 'MOCK'],
    ]);
  });

  it('has a POST route for every source, so replay and requeue can find the route of any record', () => {
    // Twilio has two (inbound messages and status callbacks); every other source has one.
    expect([...new Set(routes.filter((r) => r.method === 'POST').map((r) => r.source))].sort()).toEqual([...sources].sort());
    expect(routes.filter((r) => r.method === 'POST' && r.source !== 'twilio').map((r) => r.source).sort()).toEqual(sources.filter((s) => s !== 'twilio').sort());
    expect(twilioPaths).toEqual(['/webhooks/twilio', '/webhooks/twilio/status']);
  });

  it('names the bearer routes and every route in one line for the operator', () => {
    expect(bearerPaths).toEqual(['/sends', '/conversions']);
    expect(routesLine()).toBe('POST /webhooks/meta, /webhooks/wasender, /sends, /conversions, /webhooks/twilio, /webhooks/twilio/status; GET /webhooks/meta');
  });

  it('sends every POST route to Firehose PutRecord: the Twilio routes through their template (it records the URL), the others through the shared one', () => {
    for (const route of routes.filter((r) => r.method === 'POST')) {
      expect([route.id, route.requestTemplate]).toEqual([route.id, route.source === 'twilio' ? 'twilio-put.request.vtl' : 'firehose-put.request.vtl']);
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
    expect(methodResponseStatuses(findRoute('POST', '/webhooks/twilio/status')!)).toEqual([200, 413, 500, 503]);
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
    expect(acceptsContentType(meta, 'application/x-www-form-urlencoded')).toBe(false);
  });

  it('accepts forms on the Twilio routes (and JSON, which Twilio signs through bodySHA256)', () => {
    for (const path of twilioPaths) {
      const route = findRoute('POST', path)!;
      expect(acceptsContentType(route, 'application/x-www-form-urlencoded')).toBe(true);
      expect(acceptsContentType(route, 'application/x-www-form-urlencoded; charset=UTF-8')).toBe(true);
      expect(acceptsContentType(route, 'application/json')).toBe(true);
      expect(acceptsContentType(route, 'multipart/form-data; boundary=x')).toBe(false);
    }
  });

  it('hands every accepted body of a POST route to its template as base64 of its bytes (binary media types)', () => {
    const bytes = Buffer.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xc3]);
    for (const route of routes.filter((r) => r.method === 'POST')) {
      for (const type of route.requestContentTypes) expect(integrationPayload(route, bytes, type)).toBe(bytes.toString('base64'));
    }
    expect(binaryMediaTypes).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });

  it('answers a stored Twilio webhook with TwiML and every other stored POST with JSON', () => {
    for (const route of routes.filter((r) => r.method === 'POST')) {
      const ok = route.integrationResponses.find((r) => r.statusCode === 200)!;
      expect([route.id, ok.template, ok.contentType]).toEqual(
        route.source === 'twilio' ? [route.id, 'twilio-ok.response.vtl', 'text/xml'] : [route.id, 'firehose-ok.response.vtl', 'application/json'],
      );
    }
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
      'twilio-put.request.vtl',
      'twilio-ok.response.vtl',
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
