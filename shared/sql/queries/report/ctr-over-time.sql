-- Report: CTR per button over time, one row per cohort date and button series (the daily_ctr
-- grain, so the numbers are exactly the table's). The model draws one line per series.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  dt,
  campaign_id,
  template_name,
  button_id,
  button_title,
  messages_delivered,
  clicked_messages,
  clicks,
  ctr
FROM {{database}}.daily_ctr
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
ORDER BY campaign_id, template_name NULLS FIRST, button_id NULLS FIRST, dt
