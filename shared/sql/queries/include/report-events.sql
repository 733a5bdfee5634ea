-- Fragment: `ev` for the dashboard's queries over the curated events of the report's span of
-- event dates (no lookback cut-off: every status counts, `counted` = 1), ahead of
-- include/messages.sql. The including query declares database:database, from_dt:date and
-- to_dt:date and writes `WITH {{include:report-events}}, {{include:messages}}, …`.
ev AS (
  SELECT event_id, kind, wamid, context_wamid, status, campaign_id, template_name, buttons, event_ts, event_date,
         1 AS counted
  FROM {{database}}.events
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
)
