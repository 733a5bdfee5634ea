import { putRecordOk, recordTooLarge, resourceNotFound, serviceUnavailable, FIREHOSE_MAX_RECORD_BYTES } from '../../../shared/apigw/firehose';
import { pickIntegrationResponse, selectIntegrationResponse } from '../../../shared/apigw/select';
import { findRoute, loadTemplate, routes } from '../../../services/ingest/routes';
import { apiRequest } from '../../shared/apigw/request';

const postRoutes = routes.filter((r) => r.method === 'POST');
const meta = findRoute('POST', '/webhooks/meta')!;
const respond = (status: number, body: string) => selectIntegrationResponse(meta, status, body, { request: apiRequest(), loadTemplate });

describe('Firehose integration responses', () => {
  it('answers 200 {"ok":true} when Firehose stored the record', () => {
    const ok = putRecordOk('49600000000000000000000000000000000000000000000000000001');
    expect(respond(ok.status, ok.body)).toEqual({ status: 200, contentType: 'application/json', body: '{"ok":true}', headers: {} });
  });

  it('answers 503 to throttling so the sender retries', () => {
    const throttled = serviceUnavailable();
    expect(throttled.status).toBe(503);
    expect(respond(throttled.status, throttled.body)).toEqual({
      status: 503,
      contentType: 'application/json',
      body: '{"ok":false,"error":"unavailable"}',
      headers: {},
    });
    expect(respond(500, '{"__type":"InternalFailure"}').status).toBe(503);
  });

  it('answers 413 to a record over the Firehose size limit (400 ValidationException on record.data)', () => {
    const tooLarge = recordTooLarge(FIREHOSE_MAX_RECORD_BYTES + 1);
    expect(tooLarge.status).toBe(400);
    expect(respond(tooLarge.status, tooLarge.body)).toEqual({
      status: 413,
      contentType: 'application/json',
      body: '{"ok":false,"error":"too_large"}',
      headers: {},
    });
  });

  it('answers 413 when Firehose itself returns 413', () => {
    expect(respond(413, '')).toEqual({ status: 413, contentType: 'application/json', body: '{"ok":false,"error":"too_large"}', headers: {} });
  });

  it('answers 500 to any other 4xx, which is our misconfiguration', () => {
    const notFound = resourceNotFound('wa-analytics-dev-ingest');
    expect(respond(notFound.status, notFound.body)).toEqual({
      status: 500,
      contentType: 'application/json',
      body: '{"ok":false,"error":"ingest_failed"}',
      headers: {},
    });
    expect(respond(403, '{"__type":"AccessDeniedException","message":"not authorized"}').status).toBe(500);
    expect(respond(400, '{"__type":"ValidationException","message":"Value at \'deliveryStreamName\' failed"}').status).toBe(500);
  });

  it('never answers 200 for a status Firehose did not report as success', () => {
    for (const route of postRoutes) {
      for (let status = 100; status <= 599; status++) {
        const answer = selectIntegrationResponse(route, status, '{}', { request: apiRequest(), loadTemplate }).status;
        expect([status, answer >= 200 && answer < 300]).toEqual([status, status >= 200 && status < 300]);
      }
    }
  });

  it('has exactly one integration response for every status code (patterns do not overlap)', () => {
    for (const route of routes) {
      for (let status = 100; status <= 599; status++) expect(pickIntegrationResponse(route, status)).not.toBeNull();
    }
  });
});
