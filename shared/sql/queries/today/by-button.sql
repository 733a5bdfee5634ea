-- The running numbers of today's cohort, for wa-analytics today and the dashboard's panel:
-- the daily_ctr rows of cohort_date (today in the reporting time zone), read straight from the
-- raw arrival partitions from_dt to to_dt (today minus lookback minus 1, to tomorrow: the days
-- before tell which messages belong to an earlier cohort, as daily-ctr's counted span does),
-- before any curated rebuild. Quarantine rows are left out and every fact counts once: the first
-- received copy of each event_id, as curated-events keeps (copies of one event_id carry the same
-- fact).
-- Messages, taps, credited conversions (of conv_from_dt on: today's, the only ones a tap of today
-- can earn) and the rows per button follow the same fragments as daily-ctr.
-- Columns: shared/schema dailyCtrColumns, in schema order, ordered by campaign, template, button.
-- params: database:database, cohort_date:date, from_dt:date, to_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH raw_copies AS (
  SELECT event_id, kind, wamid, context_wamid, wa_id, button_id, button_title, status,
         campaign_id, template_name, buttons, event_ts, event_date, conversion_name, value, currency,
         ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_ts ASC, dt ASC, request_id ASC NULLS LAST) AS copy_rank
  FROM {{database}}.raw_events
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
    AND event_date BETWEEN {{from_dt}} AND {{to_dt}}
    AND kind <> 'quarantine'
),
ev AS (
  SELECT event_id, kind, wamid, context_wamid, wa_id, button_id, button_title, status,
         campaign_id, template_name, buttons, event_ts, event_date, conversion_name, value, currency,
         1 AS counted
  FROM raw_copies
  WHERE copy_rank = 1
),
{{include:messages}},
{{include:attribution}},
{{include:cohort-ctr}}
SELECT * FROM cohort_ctr
ORDER BY campaign_id, template_name NULLS LAST, button_position NULLS LAST, button_id NULLS LAST
