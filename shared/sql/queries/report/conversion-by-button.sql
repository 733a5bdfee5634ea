-- Report: conversion rate per button over every cohort, from daily_ctr: messages with a credited
-- conversion ÷ tapped messages, and the conversions credited to the button's taps. Cohorts
-- written before conversions were counted (conversions null) are left out of numerator and
-- denominator alike, so an old history does not dilute the rate. Buttons never tapped are left out.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  campaign_id,
  template_name,
  button_id,
  MIN(button_title) AS button_title,
  CAST(SUM(clicked_messages) AS BIGINT) AS clicked_messages,
  CAST(SUM(converted_messages) AS BIGINT) AS converted_messages,
  CAST(SUM(conversions) AS BIGINT) AS conversions,
  CAST(SUM(converted_messages) AS DOUBLE) / NULLIF(SUM(clicked_messages), 0) AS conversion_rate
FROM {{database}}.daily_ctr
WHERE conversions IS NOT NULL AND dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY campaign_id, template_name, button_id
HAVING SUM(clicked_messages) > 0
ORDER BY conversions DESC, campaign_id, template_name NULLS FIRST, button_id NULLS FIRST
