/**
 * API Gateway (REST) request payload conversion: what `$input.body` holds, given the request's
 * Content-Type, the API's `binaryMediaTypes` and the integration's `contentHandling`. The rules
 * are AWS's "Content type conversions in API Gateway" table:
 * - a body whose Content-Type matches a binary media type is binary: CONVERT_TO_TEXT hands the
 *   template its base64, anything else passes the bytes through;
 * - any other body is text: read as UTF-8 (invalid bytes become U+FFFD), or base64-decoded with
 *   CONVERT_TO_BINARY.
 */

/** `contentHandling` of an integration request or response; absent means passthrough. */
export type ContentHandling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY';

/**
 * Whether a media type (a Content-Type or Accept value) matches one of `binaryMediaTypes`:
 * type and subtype compared case-insensitively with parameters dropped, `type/*` matching every
 * subtype and `*\/*` everything.
 */
export function isBinaryMediaType(mediaType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (mediaType === undefined || binaryMediaTypes.length === 0) return false;
  const [type, subtype] = mediaType.split(',')[0]!.split(';')[0]!.trim().toLowerCase().split('/');
  if (!type || !subtype) return false;
  return binaryMediaTypes.some((entry) => {
    const [t, s] = entry.split(';')[0]!.trim().toLowerCase().split('/');
    return (t === '*' && s === '*') || (t === type && (s === '*' || s === subtype));
  });
}

/** The integration request payload for a method request body. */
export function integrationRequestPayload(
  body: Buffer,
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
  contentHandling: ContentHandling | undefined,
): Buffer | string {
  if (isBinaryMediaType(contentType, binaryMediaTypes)) return contentHandling === 'CONVERT_TO_TEXT' ? body.toString('base64') : body;
  if (contentHandling === 'CONVERT_TO_BINARY') return Buffer.from(body.toString('utf8'), 'base64');
  return body.toString('utf8');
}
