-- Report: the alert list, newest target date first, strongest evidence first within a day.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  dt,
  campaign_id,
  template_name,
  button_id,
  metric,
  kind,
  observed,
  expected,
  "lower",
  "upper",
  score,
  baseline_days
FROM {{database}}.anomalies
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
ORDER BY dt DESC, score DESC NULLS LAST, campaign_id, template_name NULLS FIRST, button_id NULLS FIRST, metric
