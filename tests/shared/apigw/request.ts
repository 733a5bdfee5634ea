import type { ApiRequest } from '../../../shared/apigw/types';

/** A method request as the local server would describe it; tests override what they exercise. */
export function apiRequest(overrides: Partial<ApiRequest> = {}): ApiRequest {
  return {
    method: 'POST',
    resourcePath: '/webhooks/meta',
    path: '/local/webhooks/meta',
    headers: {},
    query: {},
    body: '',
    requestId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    requestTimeEpoch: 1_717_171_717_171,
    stage: 'local',
    sourceIp: '203.0.113.7',
    ...overrides,
  };
}
