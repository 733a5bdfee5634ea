-- `daily_ctr` rows of one cohort date (SPEC section 3). Reads curated `events` over
-- shared/daily/window.ts cohortSpans(C).read: statuses and taps count when they fall in
-- count_from_dt … count_to_dt (C − lookback − 1 … C + lookback: the days after the cohort bring
-- its late statuses and taps, the days before tell which messages already belong to an earlier
-- cohort); the rest of the read span brings the conversions that credit the cohort's taps and
-- the later taps that could take that credit.
-- Messages, their cohort, campaign and delivery follow include/messages.sql; taps and the
-- conversions credited to them follow include/attribution.sql (the one homes of those rules).
-- Columns: shared/schema dailyCtrColumns, in schema order.
-- params: database:database, cohort_date:date, from_dt:date, to_dt:date, count_from_dt:date, count_to_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:cohort-events}},
{{include:messages}},
{{include:attribution}},
cohort AS (
  SELECT * FROM messages WHERE cohort_date = {{cohort_date}}
),
message_counts AS (
  SELECT campaign_id, template_name,
         COUNT(*) AS messages_sent,
         SUM(delivered) AS messages_delivered,
         SUM(was_read) AS messages_read
  FROM cohort
  GROUP BY campaign_id, template_name
),
-- The cohort's taps (include/attribution.sql places each tap in one cohort).
taps AS (
  SELECT tap_id AS event_id, wa_id, button_id, button_title, context_wamid, campaign_id, template_name,
         CAST(event_ts - delivered_ts AS DOUBLE) / 1000 AS seconds_to_click
  FROM tap_facts
  WHERE tap_cohort = {{cohort_date}}
),
registry_lists AS (
  SELECT campaign_id, template_name,
         {{fn:json_buttons(buttons)}} AS button_list,
         CAST(json_array_length(buttons) AS BIGINT) AS n
  FROM cohort
  WHERE buttons IS NOT NULL AND json_array_length(buttons) > 0
),
registry_buttons AS (
  SELECT r.campaign_id, r.template_name,
         r.button_list[p.pos].id AS button_id,
         r.button_list[p.pos].title AS button_title,
         CAST(p.pos AS INTEGER) AS button_position
  FROM registry_lists AS r
  CROSS JOIN UNNEST({{fn:int_range(1, r.n)}}) AS p (pos)
),
button_keys AS (
  SELECT campaign_id, template_name, button_id,
         MIN(button_position) AS button_position,
         MIN(registry_title) AS registry_title,
         MIN(tap_title) AS tap_title
  FROM (
    SELECT campaign_id, template_name, button_id, button_position,
           button_title AS registry_title, CAST(NULL AS VARCHAR) AS tap_title
    FROM registry_buttons
    UNION ALL
    SELECT campaign_id, template_name, button_id, CAST(NULL AS INTEGER),
           CAST(NULL AS VARCHAR), button_title
    FROM taps
  ) AS seen
  GROUP BY campaign_id, template_name, button_id
),
tap_counts AS (
  SELECT campaign_id, template_name, button_id,
         COUNT(DISTINCT event_id) AS clicks,
         COUNT(DISTINCT context_wamid) AS clicked_messages,
         COUNT(DISTINCT wa_id) AS unique_users,
         {{fn:median(seconds_to_click)}} AS median_seconds_to_click
  FROM taps
  GROUP BY campaign_id, template_name, button_id
),
conversion_counts AS (
  SELECT campaign_id, template_name, button_id,
         COUNT(DISTINCT conv_id) AS conversions,
         COUNT(DISTINCT context_wamid) AS converted_messages
  FROM credited
  WHERE tap_cohort = {{cohort_date}}
  GROUP BY campaign_id, template_name, button_id
)
SELECT
  k.campaign_id,
  k.template_name,
  k.button_id,
  COALESCE(k.registry_title, k.tap_title) AS button_title,
  k.button_position,
  CAST(COALESCE(c.messages_sent, 0) AS BIGINT) AS messages_sent,
  CAST(COALESCE(c.messages_delivered, 0) AS BIGINT) AS messages_delivered,
  CAST(COALESCE(c.messages_read, 0) AS BIGINT) AS messages_read,
  CAST(COALESCE(t.clicks, 0) AS BIGINT) AS clicks,
  CAST(COALESCE(t.clicked_messages, 0) AS BIGINT) AS clicked_messages,
  CAST(COALESCE(t.unique_users, 0) AS BIGINT) AS unique_users,
  CAST(COALESCE(t.clicked_messages, 0) AS DOUBLE) / NULLIF(COALESCE(c.messages_delivered, 0), 0) AS ctr,
  CAST(COALESCE(t.clicked_messages, 0) AS DOUBLE) / NULLIF(COALESCE(c.messages_read, 0), 0) AS read_ctr,
  CAST(t.median_seconds_to_click AS DOUBLE) AS median_seconds_to_click,
  CAST(COALESCE(v.conversions, 0) AS BIGINT) AS conversions,
  CAST(COALESCE(v.converted_messages, 0) AS BIGINT) AS converted_messages,
  CAST(COALESCE(v.converted_messages, 0) AS DOUBLE) / NULLIF(COALESCE(t.clicked_messages, 0), 0) AS conversion_rate
FROM button_keys AS k
LEFT JOIN message_counts AS c
  ON c.campaign_id = k.campaign_id AND c.template_name IS NOT DISTINCT FROM k.template_name
LEFT JOIN tap_counts AS t
  ON t.campaign_id = k.campaign_id AND t.template_name IS NOT DISTINCT FROM k.template_name
  AND t.button_id IS NOT DISTINCT FROM k.button_id
LEFT JOIN conversion_counts AS v
  ON v.campaign_id = k.campaign_id AND v.template_name IS NOT DISTINCT FROM k.template_name
  AND v.button_id IS NOT DISTINCT FROM k.button_id
