-- `daily_conversions` rows of one cohort date (SPEC section 3): conversions credited to taps of
-- the cohort's messages, per campaign, template, button, conversion name and currency; and the
-- conversions of this event date that no tap earned, under campaign `unattributed`, button null.
-- Reads the same span and follows the same rules as daily-ctr.sql (include/messages.sql,
-- include/attribution.sql), so the two tables always agree on who converted.
-- Columns: shared/schema dailyConversionColumns, in schema order.
-- params: database:database, cohort_date:date, from_dt:date, to_dt:date, count_from_dt:date, count_to_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:cohort-events}},
{{include:messages}},
{{include:attribution}},
cohort_conversions AS (
  SELECT campaign_id, template_name, button_id, button_title, conversion_name, currency, value,
         conv_id, conv_user,
         CAST(conv_ts - tap_ts AS DOUBLE) / 1000 AS seconds_to_convert
  FROM credited
  WHERE tap_cohort = {{cohort_date}}
  UNION ALL
  SELECT 'unattributed', CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
         conversion_name, currency, value, conv_id, conv_user, CAST(NULL AS DOUBLE)
  FROM credited
  WHERE tap_id IS NULL AND conv_date = {{cohort_date}}
)
SELECT
  campaign_id,
  template_name,
  button_id,
  MIN(button_title) AS button_title,
  conversion_name,
  currency,
  CAST(COUNT(DISTINCT conv_id) AS BIGINT) AS conversions,
  CAST(COUNT(DISTINCT conv_user) AS BIGINT) AS converted_users,
  -- Rounded: DuckDB adds doubles in any order, and a re-run must write the same value.
  CAST(ROUND(SUM(value), 6) AS DOUBLE) AS value,
  CAST({{fn:median(seconds_to_convert)}} AS DOUBLE) AS median_seconds_to_convert
FROM cohort_conversions
GROUP BY campaign_id, template_name, button_id, conversion_name, currency
