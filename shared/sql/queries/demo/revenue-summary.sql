-- The demo's revenue table: conversions and their value per campaign and currency over every
-- cohort of daily_conversions (unattributed conversions under campaign `unattributed`; no value:
-- currency null). Amounts in different currencies stay on their own rows.
-- params: database:ident
SELECT campaign_id, currency, SUM(conversions) AS conversions, SUM(value) AS revenue
FROM {{database}}.daily_conversions
GROUP BY campaign_id, currency
ORDER BY campaign_id, currency NULLS LAST
