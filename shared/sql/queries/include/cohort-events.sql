-- Fragment: `ev`, the curated events one cohort's daily_ctr / daily_conversions query reads
-- (shared/daily/window.ts cohortSpans), for include/messages.sql and include/attribution.sql.
-- The including query declares database:database, from_dt:date, to_dt:date, count_from_dt:date,
-- count_to_dt:date, conv_from_dt:date and writes `WITH {{include:cohort-events}}, …`; this
-- defines `cohort_src`, `conv_users`, `rival_messages` and `ev`.
-- Rules:
-- - everything in count_from_dt … count_to_dt is read, and `counted` = 1 there: the statuses and
--   taps the cohort counts (as daily_ctr always counted them);
-- - outside it only what attribution needs: the conversions and taps of users who converted in
--   conv_from_dt … to_dt, and the sends and statuses of the messages those taps answered (their
--   campaign and cohort). Nothing else there can change the cohort's numbers, and leaving it out
--   keeps the query's work near the lookback's, whatever the attribution window.
cohort_src AS (
  SELECT event_id, kind, wamid, context_wamid, wa_id, button_id, button_title, status,
         campaign_id, template_name, buttons, event_ts, event_date, conversion_name, value, currency,
         CASE WHEN event_date BETWEEN {{count_from_dt}} AND {{count_to_dt}} THEN 1 ELSE 0 END AS counted
  FROM {{database}}.events
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
),
conv_users AS (
  SELECT DISTINCT wa_id FROM cohort_src
  WHERE kind = 'conversion' AND wa_id IS NOT NULL AND event_date >= {{conv_from_dt}}
),
rival_messages AS (
  SELECT DISTINCT s.context_wamid AS wamid
  FROM cohort_src AS s
  JOIN conv_users AS u ON u.wa_id = s.wa_id
  WHERE s.kind = 'click' AND s.context_wamid IS NOT NULL
),
ev AS (
  SELECT s.* FROM cohort_src AS s
  WHERE s.counted = 1
  UNION ALL
  SELECT s.* FROM cohort_src AS s
  JOIN conv_users AS u ON u.wa_id = s.wa_id
  WHERE s.counted = 0 AND s.kind IN ('click', 'conversion')
  UNION ALL
  SELECT s.* FROM cohort_src AS s
  JOIN rival_messages AS r ON r.wamid = s.wamid
  WHERE s.counted = 0 AND s.kind IN ('send', 'status')
)
