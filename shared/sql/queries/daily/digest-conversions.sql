-- The digest's conversions of the target date per campaign and currency: every conversion whose
-- event date is the target, credited by the one attribution rule (include/attribution.sql) to
-- the campaign of its last touch, else `unattributed`. Reads curated events from
-- from_dt = target − attribution − lookback − 2 (the earliest tap a conversion of the target can
-- credit, and that tap's message) to the target; conv_from_dt is the target. Revenue per currency: amounts in different
-- currencies are never added; conversions without a value have currency null.
-- params: dt:date, from_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:conversion-events}},
{{include:messages}},
{{include:attribution}}
SELECT
  CASE WHEN tap_id IS NULL THEN 'unattributed' ELSE campaign_id END AS campaign_id,
  currency,
  CAST(COUNT(DISTINCT conv_id) AS BIGINT) AS conversions,
  CAST(SUM(value) AS DOUBLE) AS revenue
FROM credited
WHERE conv_date = {{dt}}
GROUP BY 1, currency
ORDER BY 1, currency NULLS LAST
