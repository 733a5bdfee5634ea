-- Report: CTR by button position over all cohorts. A (cohort, campaign, template) shows at most
-- one button per position, so summing messages_delivered over a position's rows counts each
-- message that showed a button there once: the right denominator for that position's CTR.
-- Buttons with no known position (no registry entry) are left out.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  button_position,
  CAST(SUM(messages_delivered) AS BIGINT) AS messages_delivered,
  CAST(SUM(clicked_messages) AS BIGINT) AS clicked_messages,
  CAST(SUM(clicks) AS BIGINT) AS clicks,
  CAST(SUM(clicked_messages) AS DOUBLE) / NULLIF(SUM(messages_delivered), 0) AS ctr
FROM {{database}}.daily_ctr
WHERE button_position IS NOT NULL AND dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY button_position
ORDER BY button_position
