-- Report: the sent -> delivered -> read -> tapped -> converted funnel per campaign, over every
-- curated event.
-- Read from `events` rather than daily_ctr because daily_ctr counts tapped messages per button:
-- a message tapped on two buttons would count twice. Messages and their campaign follow the
-- daily_ctr rules (include/messages.sql), but with no lookback cut-off: a late tap counts.
-- Taps on unknown outbound messages have no message to count and are left out.
-- Converted comes from daily_ctr (attribution is the daily workflow's): converted_messages and
-- conversions summed over the campaign's buttons, so a message converted through two of its
-- buttons counts under each. Cohorts written before conversions were counted hold null there and
-- add nothing; a campaign with none measured gets null.
-- params: database:database, from_dt:date, to_dt:date
WITH {{include:report-events}},
{{include:messages}},
tapped AS (
  SELECT DISTINCT context_wamid AS wamid
  FROM ev
  WHERE kind = 'click' AND context_wamid IS NOT NULL
),
converted AS (
  SELECT campaign_id,
         SUM(converted_messages) AS messages_converted,
         SUM(conversions) AS conversions
  FROM {{database}}.daily_ctr
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
  GROUP BY campaign_id
),
funnel AS (
  SELECT
    m.campaign_id,
    COUNT(*) AS messages_sent,
    SUM(m.delivered) AS messages_delivered,
    SUM(m.was_read) AS messages_read,
    SUM(CASE WHEN t.wamid IS NULL THEN 0 ELSE 1 END) AS messages_tapped
  FROM messages AS m
  LEFT JOIN tapped AS t ON t.wamid = m.wamid
  GROUP BY m.campaign_id
)
SELECT
  f.campaign_id,
  CAST(f.messages_sent AS BIGINT) AS messages_sent,
  CAST(f.messages_delivered AS BIGINT) AS messages_delivered,
  CAST(f.messages_read AS BIGINT) AS messages_read,
  CAST(f.messages_tapped AS BIGINT) AS messages_tapped,
  CAST(c.messages_converted AS BIGINT) AS messages_converted,
  CAST(c.conversions AS BIGINT) AS conversions
FROM funnel AS f
LEFT JOIN converted AS c ON c.campaign_id = f.campaign_id
ORDER BY f.messages_delivered DESC, f.campaign_id
