-- Report: the typical time from tap to conversion per button, from daily_conversions: the
-- conversion-weighted mean of the daily medians (tap -> conversion seconds) of the button's
-- rows, over every cohort, conversion name and currency. A summary of medians, not the median of
-- every conversion: daily_conversions keeps one median per row. Unattributed conversions have no
-- tap and are left out.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  campaign_id,
  template_name,
  button_id,
  MIN(button_title) AS button_title,
  CAST(SUM(conversions) AS BIGINT) AS conversions,
  SUM(median_seconds_to_convert * conversions)
    / NULLIF(SUM(CASE WHEN median_seconds_to_convert IS NOT NULL THEN conversions END), 0) AS typical_seconds
FROM {{database}}.daily_conversions
WHERE button_id IS NOT NULL AND dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY campaign_id, template_name, button_id
ORDER BY conversions DESC, campaign_id, template_name NULLS FIRST, button_id
