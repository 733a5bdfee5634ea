-- Fragment: the outbound messages of the events in `ev` and the rules that describe them, the
-- one home of those rules for every query that counts messages (daily-ctr, report/funnel,
-- report/time-to-tap). The including query defines `ev` (curated `events` columns, filtered as
-- it needs, plus `counted`: 1 for a status that may count towards delivered/read, 0 for one read
-- only for its campaign or cohort) and writes `WITH ev AS (…), {{include:messages}}, …`; this defines `sends`,
-- `statuses` and `messages`, plus helper CTEs (send_ranked, status_first, status_campaign,
-- status_template, status_flags) whose names the includer must not reuse.
-- Rules:
-- - a message is any wamid with a registry send or a status;
-- - its registry send is the first one (earliest event_ts, then event_id);
-- - its cohort_date is the event_date of that send, else of its earliest status;
-- - its campaign is the send's, else the first status naming one, else `unattributed`
--   (template_name likewise, without the fallback);
-- - read implies delivered; delivered_ts is the first delivered-or-read status; only statuses
--   with counted = 1 make a message delivered or read.
send_ranked AS (
  SELECT wamid, event_date, campaign_id, template_name, buttons,
         ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
  FROM ev
  WHERE kind = 'send' AND wamid IS NOT NULL
),
sends AS (
  SELECT wamid, event_date, campaign_id, template_name, buttons FROM send_ranked WHERE pick = 1
),
statuses AS (
  SELECT wamid, status, event_id, event_ts, event_date, campaign_id, template_name, counted
  FROM ev
  WHERE kind = 'status' AND wamid IS NOT NULL
),
status_first AS (
  SELECT wamid, event_date FROM (
    SELECT wamid, event_date,
           ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
    FROM statuses
  ) AS s WHERE pick = 1
),
status_campaign AS (
  SELECT wamid, campaign_id FROM (
    SELECT wamid, campaign_id,
           ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
    FROM statuses WHERE campaign_id IS NOT NULL
  ) AS s WHERE pick = 1
),
status_template AS (
  SELECT wamid, template_name FROM (
    SELECT wamid, template_name,
           ROW_NUMBER() OVER (PARTITION BY wamid ORDER BY event_ts ASC NULLS LAST, event_id ASC) AS pick
    FROM statuses WHERE template_name IS NOT NULL
  ) AS s WHERE pick = 1
),
status_flags AS (
  SELECT wamid,
         MAX(CASE WHEN counted = 1 AND status IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered,
         MAX(CASE WHEN counted = 1 AND status = 'read' THEN 1 ELSE 0 END) AS was_read,
         MIN(CASE WHEN counted = 1 AND status IN ('delivered', 'read') THEN event_ts END) AS delivered_ts
  FROM statuses
  GROUP BY wamid
),
messages AS (
  SELECT m.wamid,
         COALESCE(s.event_date, f.event_date) AS cohort_date,
         COALESCE(s.campaign_id, sc.campaign_id, 'unattributed') AS campaign_id,
         COALESCE(s.template_name, st.template_name) AS template_name,
         s.buttons,
         COALESCE(fl.delivered, 0) AS delivered,
         COALESCE(fl.was_read, 0) AS was_read,
         fl.delivered_ts
  FROM (SELECT wamid FROM sends UNION SELECT wamid FROM statuses) AS m
  LEFT JOIN sends AS s ON s.wamid = m.wamid
  LEFT JOIN status_first AS f ON f.wamid = m.wamid
  LEFT JOIN status_campaign AS sc ON sc.wamid = m.wamid
  LEFT JOIN status_template AS st ON st.wamid = m.wamid
  LEFT JOIN status_flags AS fl ON fl.wamid = m.wamid
)
