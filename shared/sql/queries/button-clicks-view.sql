-- The `button_clicks` view (SPEC section 3): click rows in the columns a first tutorial uses.
-- `timestamp` is ISO-8601 UTC text (YYYY-MM-DDTHH:MM:SSZ), so `WHERE timestamp > '2024-05-01'`
-- compares as text on both engines.
-- params: database:database
SELECT
  {{fn:iso_utc_seconds(event_ts)}} AS "timestamp",
  wa_id,
  button_id,
  button_title AS button_text,
  context_wamid AS context_id,
  event_id,
  dt
FROM {{database}}.events
WHERE kind = 'click'
