import { TemplateError } from '../../../shared/errors';
import {
  internalServerError,
  mockIntegrationStatus,
  pickIntegrationResponse,
  selectIntegrationResponse,
  selectionMatches,
} from '../../../shared/apigw/select';
import type { RouteResponses } from '../../../shared/apigw/types';
import { apiRequest } from './request';

const templates: Record<string, string> = {
  ok: '{"ok":true,"id":"$input.path(\'$.RecordId\')"}',
  retry: '{"retry":true}',
  fallback: '#set($context.responseOverride.status = 418)teapot',
};
const loadTemplate = (name: string): string => templates[name]!;

const route: RouteResponses = {
  integrationResponses: [
    { selectionPattern: '2\\d{2}', statusCode: 200, template: 'ok', contentType: 'application/json' },
    { selectionPattern: '5\\d{2}', statusCode: 503, template: 'retry', contentType: 'application/json' },
    { selectionPattern: null, statusCode: 500, template: 'fallback', contentType: 'text/plain' },
  ],
};

describe('selectionMatches', () => {
  it('requires the pattern to match the whole status code', () => {
    expect(selectionMatches('2\\d{2}', '200')).toBe(true);
    expect(selectionMatches('20', '200')).toBe(false);
    expect(selectionMatches('0', '500')).toBe(false);
    expect(selectionMatches('4\\d{2}|5\\d{2}', '503')).toBe(true);
  });
});

describe('selectIntegrationResponse', () => {
  const options = { request: apiRequest(), loadTemplate };

  it('renders the response whose pattern matches the integration status', () => {
    expect(selectIntegrationResponse(route, 200, '{"RecordId":"abc"}', options)).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '{"ok":true,"id":"abc"}',
      headers: {},
    });
    expect(selectIntegrationResponse(route, 503, '{}', options).status).toBe(503);
  });

  it('falls back to the default response, whose template may override the status', () => {
    expect(selectIntegrationResponse(route, 404, '{}', options)).toEqual({ status: 418, contentType: 'text/plain', body: 'teapot', headers: {} });
  });

  it('answers 500 Internal server error when nothing matches and there is no default', () => {
    const noDefault: RouteResponses = { integrationResponses: route.integrationResponses.slice(0, 2) };
    expect(selectIntegrationResponse(noDefault, 404, '{}', options)).toBe(internalServerError);
    expect(internalServerError.status).toBe(500);
  });

  it('refuses overlapping patterns instead of picking one arbitrarily', () => {
    const overlapping: RouteResponses = {
      integrationResponses: [
        { selectionPattern: '4\\d{2}', statusCode: 500, template: 'retry', contentType: 'application/json' },
        { selectionPattern: '413', statusCode: 413, template: 'retry', contentType: 'application/json' },
      ],
    };
    expect(() => pickIntegrationResponse(overlapping, 413)).toThrow(TemplateError);
    expect(pickIntegrationResponse(overlapping, 400)?.statusCode).toBe(500);
  });
});

describe('mockIntegrationStatus', () => {
  it('reads the integer statusCode a MOCK request template renders', () => {
    expect(mockIntegrationStatus('\n{"statusCode": 403}\n')).toBe(403);
  });

  it('treats a missing or non-integer statusCode as a configuration error', () => {
    expect(() => mockIntegrationStatus('{"statusCode": "200"}')).toThrow(TemplateError);
    expect(() => mockIntegrationStatus('{}')).toThrow(TemplateError);
    expect(() => mockIntegrationStatus('statusCode: 200')).toThrow(TemplateError);
  });
});
