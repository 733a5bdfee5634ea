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
  'malformed_form', // Twilio: the body is not an application/x-www-form-urlencoded form (or not UTF-8)
  // Conversions (`POST /conversions` items and WhatsApp orders): one quarantine row per bad item.
  'conversion_missing_id', // no conversion_id (a string or number)
  'conversion_missing_user', // no wa_id, or an order without a sender
  'conversion_missing_name', // no name
  'conversion_bad_time', // occurred_at is not an ISO-8601 time with a zone on a real date
  'conversion_bad_value', // value (or an order item's price or quantity) is negative or not a number
  'conversion_unknown_currency', // currency is not an ISO 4217 code
  'conversion_mixed_currencies', // an order whose items are priced in more than one currency
  'conversion_batch_too_large', // an array of more than 500 conversions (the whole body is kept)
] as const;

export type QuarantineReason = (typeof quarantineReasons)[number];
