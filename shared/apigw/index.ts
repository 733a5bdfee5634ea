/** API Gateway (REST) mapping templates, rendered the way API Gateway renders them. */
export * from './types';
export { renderTemplate, renderResponseTemplate, substitute, placeholderNames, isSafeSubstitution } from './render';
export { selectIntegrationResponse, pickIntegrationResponse, selectionMatches, mockIntegrationStatus, internalServerError } from './select';
export type { SelectOptions } from './select';
export { base64Encode, base64Decode, escapeJavaScript, parseJson, urlEncode, urlDecode } from './util';
export * from './firehose';
