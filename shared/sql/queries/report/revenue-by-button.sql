-- Report: conversions and revenue per button and currency over every cohort, from
-- daily_conversions (unattributed conversions are the rows with button_id null). A currency is
-- never added to another: each row is one currency; conversions without a value have currency
-- null and revenue null.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  campaign_id,
  template_name,
  button_id,
  MIN(button_title) AS button_title,
  currency,
  CAST(SUM(conversions) AS BIGINT) AS conversions,
  -- Rounded as daily_conversions rounds: DuckDB adds doubles in any order, and the same lake
  -- must give the same page (the published one and `report` over the same span).
  CAST(ROUND(SUM(value), 6) AS DOUBLE) AS revenue
FROM {{database}}.daily_conversions
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY campaign_id, template_name, button_id, currency
ORDER BY currency NULLS LAST, revenue DESC NULLS LAST, campaign_id, template_name NULLS FIRST, button_id NULLS FIRST
