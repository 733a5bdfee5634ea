-- Report: the delivered -> read -> tapped funnel per campaign, over every curated event.
-- Read from `events` rather than daily_ctr because daily_ctr counts tapped messages per button:
-- a message tapped on two buttons would count twice. Messages and their campaign follow the
-- daily_ctr rules (include/messages.sql), but with no lookback cut-off: a late tap counts.
-- Taps on unknown outbound messages have no message to count and are left out.
-- params: database:ident
WITH ev AS (
  SELECT event_id, kind, wamid, context_wamid, status, campaign_id, template_name, buttons, event_ts, event_date,
         1 AS counted
  FROM {{database}}.events
),
{{include:messages}},
tapped AS (
  SELECT DISTINCT context_wamid AS wamid
  FROM ev
  WHERE kind = 'click' AND context_wamid IS NOT NULL
)
SELECT
  m.campaign_id,
  CAST(COUNT(*) AS BIGINT) AS messages_sent,
  CAST(SUM(m.delivered) AS BIGINT) AS messages_delivered,
  CAST(SUM(m.was_read) AS BIGINT) AS messages_read,
  CAST(SUM(CASE WHEN t.wamid IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS messages_tapped
FROM messages AS m
LEFT JOIN tapped AS t ON t.wamid = m.wamid
GROUP BY m.campaign_id
ORDER BY messages_delivered DESC, m.campaign_id
