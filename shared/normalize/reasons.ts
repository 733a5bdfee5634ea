/**
 * Stable quarantine reason codes. They are part of the data contract (the `reason` column and
 * the quarantined-per-reason metric): add codes, never rename them.
 */
export const quarantineReasons = [
  'bad_signature', // a signature header is present but does not match the secret
  'missing_signature', // a secret is configured but the request carried no signature header
  'malformed_json', // the body is not JSON (or not UTF-8)
  'not_whatsapp', // JSON, but not a webhook of the source it was posted to
  'bad_shape', // a WhatsApp payload with a part that breaks the documented shape
] as const;

export type QuarantineReason = (typeof quarantineReasons)[number];
