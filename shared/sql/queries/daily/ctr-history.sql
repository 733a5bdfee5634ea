-- The anomaly step's history: the daily_ctr series of the detector window, target date included.
-- Unqualified: the engine's default database is the stage's (Athena's QueryExecutionContext).
-- params: from_dt:date, to_dt:date
SELECT dt, campaign_id, template_name, button_id, messages_delivered, clicked_messages, clicks
FROM daily_ctr
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
