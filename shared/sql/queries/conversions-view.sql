-- The `conversions` view: conversion rows in the columns a first tutorial uses, like
-- button_clicks. `timestamp` is ISO-8601 UTC text (YYYY-MM-DDTHH:MM:SSZ), so
-- `WHERE timestamp > '2024-05-01'` compares as text on both engines. `conversion_id` is the
-- business's id of a posted conversion (its event_id after `conversions:`), the wamid of a
-- WhatsApp order.
-- params: database:database
SELECT
  {{fn:iso_utc_seconds(event_ts)}} AS "timestamp",
  wa_id,
  CASE WHEN source = 'conversions' THEN substr(event_id, length('conversions:') + 1) ELSE wamid END AS conversion_id,
  conversion_name,
  value,
  currency,
  campaign_id,
  source,
  event_id,
  dt
FROM {{database}}.events
WHERE kind = 'conversion'
