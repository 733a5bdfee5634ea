import { renderTemplate } from '../../../shared/apigw/render';
import { mockIntegrationStatus, selectIntegrationResponse } from '../../../shared/apigw/select';
import type { MethodResponse } from '../../../shared/apigw/types';
import { findRoute, loadTemplate } from '../../../services/ingest/routes';
import { apiRequest } from '../../shared/apigw/request';

const route = findRoute('GET', '/webhooks/meta')!;

/** The MOCK integration end to end: request template -> statusCode -> integration response. */
function handshake(query: Record<string, string>, verifyToken: string): MethodResponse {
  const request = apiRequest({ method: 'GET', query, body: '' });
  const substitutions = { VerifyToken: verifyToken };
  const status = mockIntegrationStatus(renderTemplate(loadTemplate(route.requestTemplate), request, substitutions));
  return selectIntegrationResponse(route, status, '', { request, loadTemplate, substitutions });
}

const forbidden: MethodResponse = { status: 403, contentType: 'application/json', body: '{"ok":false,"error":"forbidden"}', headers: {} };

describe('GET /webhooks/meta verification handshake', () => {
  it('answers 200 with the bare challenge as text/plain when mode and token match', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'stage-token-42', 'hub.challenge': '1158201444' }, 'stage-token-42')).toEqual({
      status: 200,
      contentType: 'text/plain',
      body: '1158201444',
      headers: {},
    });
  });

  it('answers 403 to a wrong token', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' }, 'stage-token-42')).toEqual(forbidden);
  });

  it('answers 403 to a wrong mode', () => {
    expect(handshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'stage-token-42', 'hub.challenge': '1' }, 'stage-token-42')).toEqual(forbidden);
  });

  it('answers 403 when the parameters are missing', () => {
    expect(handshake({}, 'stage-token-42')).toEqual(forbidden);
  });

  it('refuses every handshake when no token is configured, even an empty one', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '1' }, '')).toEqual(forbidden);
  });

  it('compares the token exactly (no case folding, no trimming)', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'Stage-Token-42', 'hub.challenge': '1' }, 'stage-token-42').status).toBe(403);
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'stage-token-42 ', 'hub.challenge': '1' }, 'stage-token-42').status).toBe(403);
  });
});
