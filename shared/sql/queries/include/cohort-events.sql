-- Fragment: `ev`, the curated events one cohort's daily_ctr / daily_conversions query reads
-- (shared/daily/window.ts cohortSpans), for include/messages.sql and include/attribution.sql
-- (and the experiment arm columns daily-experiments.sql reads).
-- The including query declares database:database, from_dt:date, to_dt:date, count_from_dt:date,
-- count_to_dt:date, conv_from_dt:date and writes `WITH {{include:cohort-events}}, …`; this
-- defines `counted_ev`, `conv_users`, `rival_messages`, `rival_ev` and `ev`.
-- Rules:
-- - everything in count_from_dt … count_to_dt is read, with `counted` = 1: the statuses and taps
--   the cohort counts (as daily_ctr always counted them);
-- - outside it only what attribution needs, with `counted` = 0: the conversions and taps of users
--   who converted in conv_from_dt … to_dt, and the sends and statuses of the messages their taps
--   answered (for campaign and cohort). Nothing else there can change the cohort's numbers;
--   leaving it out keeps the work near the lookback's, whatever the attribution window.
-- Curated partitions are event dates (dt = event_date), so each part prunes by dt.
counted_ev AS (
  SELECT event_id, kind, wamid, context_wamid, wa_id, button_id, button_title, status,
         campaign_id, template_name, buttons, event_ts, event_date, conversion_name, value, currency,
         experiment_id, variant, experiment_split, 1 AS counted
  FROM {{database}}.events
  WHERE dt BETWEEN {{count_from_dt}} AND {{count_to_dt}}
),
conv_users AS (
  SELECT DISTINCT wa_id FROM {{database}}.events
  WHERE dt BETWEEN {{conv_from_dt}} AND {{to_dt}} AND kind = 'conversion' AND wa_id IS NOT NULL
),
rival_messages AS (
  SELECT DISTINCT e.context_wamid AS wamid
  FROM {{database}}.events AS e
  JOIN conv_users AS u ON u.wa_id = e.wa_id
  WHERE e.dt BETWEEN {{from_dt}} AND {{to_dt}} AND e.kind = 'click' AND e.context_wamid IS NOT NULL
),
rival_ev AS (
  SELECT e.event_id, e.kind, e.wamid, e.context_wamid, e.wa_id, e.button_id, e.button_title,
         e.status, e.campaign_id, e.template_name, CAST(NULL AS VARCHAR) AS buttons, e.event_ts,
         e.event_date, e.conversion_name, e.value, e.currency,
         -- A rival message is read for its campaign and cohort only: its experiment arm never counts.
         CAST(NULL AS VARCHAR) AS experiment_id, CAST(NULL AS VARCHAR) AS variant,
         CAST(NULL AS VARCHAR) AS experiment_split, 0 AS counted
  FROM {{database}}.events AS e
  WHERE e.dt BETWEEN {{from_dt}} AND {{to_dt}} AND (e.dt < {{count_from_dt}} OR e.dt > {{count_to_dt}})
    AND ((e.kind IN ('click', 'conversion') AND e.wa_id IN (SELECT wa_id FROM conv_users))
      OR (e.kind IN ('send', 'status') AND e.wamid IN (SELECT wamid FROM rival_messages)))
),
ev AS (
  SELECT * FROM counted_ev
  UNION ALL
  SELECT * FROM rival_ev
)
