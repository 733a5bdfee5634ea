-- The demo's alerts table: every anomaly the daily runs wrote, in date and series order.
-- params: database:ident
SELECT * FROM {{database}}.anomalies ORDER BY dt, campaign_id, template_name NULLS FIRST, button_id NULLS FIRST, metric
