-- The demo's CTR table: per-button totals over every cohort (daily rows summed; the CTR is
-- computed from the sums by the printer), with the conversions credited to the button's taps.
-- params: database:ident
SELECT campaign_id, template_name, button_id, MIN(button_title) AS button_title, MIN(button_position) AS button_position,
  SUM(messages_delivered) AS delivered, SUM(clicked_messages) AS clicked, SUM(clicks) AS clicks, SUM(conversions) AS conversions, MIN(dt) AS first_dt, MAX(dt) AS last_dt
FROM {{database}}.daily_ctr GROUP BY campaign_id, template_name, button_id
ORDER BY campaign_id, template_name NULLS FIRST, button_position NULLS LAST, button_id
