-- Report: the delivered -> read -> tapped funnel per campaign, over every curated event.
-- Read from `events` rather than daily_ctr because daily_ctr counts tapped messages per button:
-- a message tapped on two buttons would count twice. Messages and their campaign follow the
-- daily_ctr rules (registry send first, else the first status naming a campaign, else
-- `unattributed`; read implies delivered), but with no lookback cut-off: a late tap counts.
-- Taps on unknown outbound messages have no message to count and are left out.
-- params: database:ident
WITH statuses AS (
  SELECT wamid, status, event_id, event_ts, campaign_id
  FROM {{database}}.events
  WHERE kind = 'status' AND wamid IS NOT NULL
),
sends AS (
  SELECT wamid, campaign_id FROM (
    SELECT wamid, campaign_id,
           ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
    FROM {{database}}.events
    WHERE kind = 'send' AND wamid IS NOT NULL
  ) AS s WHERE pick = 1
),
status_campaign AS (
  SELECT wamid, campaign_id FROM (
    SELECT wamid, campaign_id,
           ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
    FROM statuses WHERE campaign_id IS NOT NULL
  ) AS s WHERE pick = 1
),
flags AS (
  SELECT wamid,
         MAX(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered,
         MAX(CASE WHEN status = 'read' THEN 1 ELSE 0 END) AS was_read
  FROM statuses
  GROUP BY wamid
),
tapped AS (
  SELECT DISTINCT context_wamid AS wamid
  FROM {{database}}.events
  WHERE kind = 'click' AND context_wamid IS NOT NULL
),
messages AS (
  SELECT COALESCE(s.campaign_id, sc.campaign_id, 'unattributed') AS campaign_id,
         COALESCE(f.delivered, 0) AS delivered,
         COALESCE(f.was_read, 0) AS was_read,
         CASE WHEN t.wamid IS NULL THEN 0 ELSE 1 END AS was_tapped
  FROM (SELECT wamid FROM sends UNION SELECT wamid FROM statuses) AS m
  LEFT JOIN sends AS s ON s.wamid = m.wamid
  LEFT JOIN status_campaign AS sc ON sc.wamid = m.wamid
  LEFT JOIN flags AS f ON f.wamid = m.wamid
  LEFT JOIN tapped AS t ON t.wamid = m.wamid
)
SELECT
  campaign_id,
  CAST(COUNT(*) AS BIGINT) AS messages_sent,
  CAST(SUM(delivered) AS BIGINT) AS messages_delivered,
  CAST(SUM(was_read) AS BIGINT) AS messages_read,
  CAST(SUM(was_tapped) AS BIGINT) AS messages_tapped
FROM messages
GROUP BY campaign_id
ORDER BY messages_delivered DESC, campaign_id
