/**
 * The one schema definition (SPEC section 3). TypeScript row types, Glue columns and the local
 * engine's tables are all derived from these arrays; nothing else declares a column.
 */
export const columnTypes = ['string', 'int', 'bigint', 'double'] as const;
export type ColumnType = (typeof columnTypes)[number];

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** false only for columns every row fills. */
  readonly nullable: boolean;
  readonly comment: string;
  /**
   * A column added after tables had data: files written before lack it. Athena reads Parquet by
   * column name already; the local engine then reads the table's files by name too (a missing
   * column is null), which costs a footer read per file, so mark only what needs it.
   */
  readonly addedLater?: true;
}

/** Flattened row: `raw_events` (by arrival date) and `events` (by event date, deduplicated). */
export const flatRowColumns = [
  { name: 'event_id', type: 'string', nullable: false, comment: 'dedupe key: the same fact delivered twice gets the same id' },
  { name: 'kind', type: 'string', nullable: false, comment: 'click | status | send | message | conversion | quarantine' },
  { name: 'source', type: 'string', nullable: false, comment: 'meta | wasender | registry | conversions | twilio' },
  { name: 'interaction', type: 'string', nullable: true, comment: 'clicks: button_reply | list_reply | nfm_reply | quick_reply' },
  { name: 'wamid', type: 'string', nullable: true, comment: 'click/message: inbound message id; status/send: outbound message id' },
  { name: 'context_wamid', type: 'string', nullable: true, comment: 'click: id of the outbound message that carried the button' },
  { name: 'wa_id', type: 'string', nullable: true, comment: 'the user: keyed HMAC-SHA256 hex, or the raw number with pii raw' },
  { name: 'business_id', type: 'string', nullable: true, comment: 'WhatsApp Business Account id' },
  { name: 'phone_number_id', type: 'string', nullable: true, comment: 'the business phone number id' },
  { name: 'button_id', type: 'string', nullable: true, comment: 'reply id, list row id, quick-reply payload or Flow token' },
  { name: 'button_title', type: 'string', nullable: true, comment: 'reply title, list row title, quick-reply text or Flow body' },
  { name: 'status', type: 'string', nullable: true, comment: 'status rows: sent | delivered | read | failed | played' },
  { name: 'error_code', type: 'int', nullable: true, comment: 'failed statuses: first error code' },
  { name: 'campaign_id', type: 'string', nullable: true, comment: 'from the send registry or the status callback data' },
  { name: 'template_name', type: 'string', nullable: true, comment: 'from the send registry or the status callback data' },
  { name: 'buttons', type: 'string', nullable: true, comment: 'send rows: JSON array of {id,title} in display order' },
  { name: 'flow_response', type: 'string', nullable: true, comment: 'nfm_reply: the response_json string' },
  { name: 'event_ts', type: 'bigint', nullable: true, comment: 'when it happened, epoch milliseconds UTC' },
  { name: 'received_ts', type: 'bigint', nullable: false, comment: 'when the API received it, epoch milliseconds UTC' },
  { name: 'event_date', type: 'string', nullable: true, comment: 'event_ts as YYYY-MM-DD in the reporting time zone' },
  { name: 'request_id', type: 'string', nullable: true, comment: 'API request id, for tracing' },
  { name: 'reason', type: 'string', nullable: true, comment: 'quarantine rows: stable reason code' },
  { name: 'raw_body', type: 'string', nullable: true, comment: 'quarantine rows: the original body, base64' },
  { name: 'signature', type: 'string', nullable: true, comment: 'quarantine rows: the signature header as received' },
  { name: 'conversion_name', type: 'string', nullable: true, addedLater: true, comment: 'conversion rows: what the user did (posted name, or order for a WhatsApp cart)' },
  { name: 'value', type: 'double', nullable: true, addedLater: true, comment: 'conversion rows: its value in currency units (an order: sum of item_price x quantity)' },
  { name: 'currency', type: 'string', nullable: true, addedLater: true, comment: 'conversion rows: ISO 4217 code of value, upper case' },
  { name: 'experiment_id', type: 'string', nullable: true, addedLater: true, comment: 'send rows: the experiment the send belongs to' },
  { name: 'variant', type: 'string', nullable: true, addedLater: true, comment: 'send rows: the experiment variant the send belongs to' },
  { name: 'experiment_split', type: 'string', nullable: true, addedLater: true, comment: 'send rows: the declared split of the experiment, JSON object variant -> share' },
  { name: 'request_url', type: 'string', nullable: true, addedLater: true, comment: 'quarantine rows: the URL the sender signed (Twilio), so a requeue can verify it again' },
] as const satisfies readonly ColumnDef[];

/** `daily_ctr`: one row per cohort date, campaign, template and button. */
export const dailyCtrColumns = [
  { name: 'campaign_id', type: 'string', nullable: false, comment: 'unattributed when nothing names one' },
  { name: 'template_name', type: 'string', nullable: true, comment: 'null when unknown' },
  { name: 'button_id', type: 'string', nullable: true, comment: 'the button' },
  { name: 'button_title', type: 'string', nullable: true, comment: 'the button title' },
  { name: 'button_position', type: 'int', nullable: true, comment: '1-based position in the registry buttons' },
  { name: 'messages_sent', type: 'bigint', nullable: false, comment: 'distinct outbound messages of the cohort' },
  { name: 'messages_delivered', type: 'bigint', nullable: false, comment: 'distinct outbound messages delivered or read' },
  { name: 'messages_read', type: 'bigint', nullable: false, comment: 'distinct outbound messages read' },
  { name: 'clicks', type: 'bigint', nullable: false, comment: 'deduplicated taps on this button' },
  { name: 'clicked_messages', type: 'bigint', nullable: false, comment: 'distinct outbound messages tapped on this button' },
  { name: 'unique_users', type: 'bigint', nullable: false, comment: 'distinct users who tapped this button' },
  { name: 'ctr', type: 'double', nullable: true, comment: 'clicked_messages / messages_delivered' },
  { name: 'read_ctr', type: 'double', nullable: true, comment: 'clicked_messages / messages_read' },
  { name: 'median_seconds_to_click', type: 'double', nullable: true, comment: 'median tap time minus delivery time' },
  { name: 'conversions', type: 'bigint', nullable: true, addedLater: true, comment: 'conversions (all names) credited to taps on this button; null in partitions written before conversions' },
  { name: 'converted_messages', type: 'bigint', nullable: true, addedLater: true, comment: 'distinct outbound messages with a credited conversion' },
  { name: 'conversion_rate', type: 'double', nullable: true, addedLater: true, comment: 'converted_messages / clicked_messages' },
] as const satisfies readonly ColumnDef[];

/**
 * `daily_conversions`: one row per cohort date, campaign, template, button, conversion name and
 * currency. Attributed conversions sit in their tap's message cohort; unattributed ones under
 * campaign `unattributed`, button null, by their own event date.
 */
export const dailyConversionColumns = [
  { name: 'campaign_id', type: 'string', nullable: false, comment: 'campaign of the credited tap, unattributed when none' },
  { name: 'template_name', type: 'string', nullable: true, comment: 'template of the credited tap, null when unknown' },
  { name: 'button_id', type: 'string', nullable: true, comment: 'the credited button, null when unattributed' },
  { name: 'button_title', type: 'string', nullable: true, comment: 'title of the credited tap' },
  { name: 'conversion_name', type: 'string', nullable: false, comment: 'what the user did' },
  { name: 'currency', type: 'string', nullable: true, comment: 'ISO 4217 code, null when the conversions carry no value' },
  { name: 'conversions', type: 'bigint', nullable: false, comment: 'deduplicated conversions' },
  { name: 'converted_users', type: 'bigint', nullable: false, comment: 'distinct users who converted' },
  { name: 'value', type: 'double', nullable: true, comment: 'sum of the conversions values in currency' },
  { name: 'median_seconds_to_convert', type: 'double', nullable: true, comment: 'median conversion time minus tap time; null when unattributed' },
] as const satisfies readonly ColumnDef[];

/** `anomalies`: one row per series and metric that broke from its own history. */
export const anomalyColumns = [
  { name: 'campaign_id', type: 'string', nullable: false, comment: 'series campaign' },
  { name: 'template_name', type: 'string', nullable: true, comment: 'series template' },
  { name: 'button_id', type: 'string', nullable: true, comment: 'series button' },
  { name: 'metric', type: 'string', nullable: false, comment: 'ctr | clicks | messages_delivered | ...' },
  { name: 'kind', type: 'string', nullable: false, comment: 'drop | spike | zero' },
  { name: 'observed', type: 'double', nullable: true, comment: 'the value on the target date' },
  { name: 'expected', type: 'double', nullable: true, comment: 'the baseline expectation' },
  { name: 'lower', type: 'double', nullable: true, comment: 'lower bound of the expected range' },
  { name: 'upper', type: 'double', nullable: true, comment: 'upper bound of the expected range' },
  { name: 'score', type: 'double', nullable: true, comment: 'strength of the evidence (higher is stronger)' },
  { name: 'baseline_days', type: 'int', nullable: true, comment: 'days of history the baseline used' },
  { name: 'incident_start', type: 'string', nullable: true, addedLater: true, comment: 'first day of the incident (consecutive anomaly days of the series) this row belongs to; dt on its first day' },
] as const satisfies readonly ColumnDef[];

/**
 * `daily_experiments` (partition `dt` = cohort date): what one cohort of an experiment's sends
 * did, per variant and metric: daily, not cumulative, counts, the input of the method.
 */
export const dailyExperimentColumns = [
  { name: 'experiment_id', type: 'string', nullable: false, comment: 'the experiment' },
  { name: 'variant', type: 'string', nullable: false, comment: 'its arm' },
  { name: 'metric', type: 'string', nullable: false, comment: 'ctr | conversion_rate' },
  { name: 'exposures', type: 'bigint', nullable: false, comment: 'delivered messages of the variant in the cohort' },
  { name: 'successes', type: 'bigint', nullable: false, comment: 'of those, messages tapped (ctr) or with a credited conversion (conversion_rate)' },
  { name: 'declared_split', type: 'string', nullable: true, comment: 'the split the cohort sends declared, JSON object variant -> share; null when none did' },
] as const satisfies readonly ColumnDef[];

/**
 * `experiments` (partition `dt` = evaluation date): each experiment, variant and metric,
 * cumulative from the experiment's first send, with always-valid inference (docs/experiments.md).
 */
export const experimentColumns = [
  { name: 'experiment_id', type: 'string', nullable: false, comment: 'the experiment' },
  { name: 'variant', type: 'string', nullable: false, comment: 'its arm' },
  { name: 'metric', type: 'string', nullable: false, comment: 'ctr | conversion_rate' },
  { name: 'exposures', type: 'bigint', nullable: false, comment: 'delivered messages since the first send' },
  { name: 'successes', type: 'bigint', nullable: false, comment: 'tapped (ctr) or converted (conversion_rate) messages among them' },
  { name: 'rate', type: 'double', nullable: true, comment: 'successes / exposures; null when 0' },
  { name: 'control_variant', type: 'string', nullable: false, comment: 'the variant every other one is compared with' },
  { name: 'control_rate', type: 'double', nullable: true, comment: 'the control rate' },
  { name: 'lift', type: 'double', nullable: true, comment: 'rate / control_rate - 1; null for the control' },
  { name: 'lift_lower', type: 'double', nullable: true, comment: 'lower end of the always-valid interval of lift' },
  { name: 'lift_upper', type: 'double', nullable: true, comment: 'upper end of the always-valid interval of lift' },
  { name: 'p_value', type: 'double', nullable: true, comment: 'always-valid p-value of no difference, corrected across variants' },
  { name: 'decision', type: 'string', nullable: false, comment: 'winner | loser | inconclusive | srm' },
  { name: 'srm_p_value', type: 'double', nullable: true, comment: 'chi-square p-value of the observed split against the declared (else equal) one' },
  { name: 'days_running', type: 'int', nullable: false, comment: 'days from the first send date to the evaluation date, both counted' },
] as const satisfies readonly ColumnDef[];

/** The partition column every table is split by. */
export const partitionColumn = { name: 'dt', type: 'string', nullable: false, comment: 'partition date YYYY-MM-DD' } as const satisfies ColumnDef;
