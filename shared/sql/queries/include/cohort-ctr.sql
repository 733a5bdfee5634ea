-- Fragment: the `daily_ctr` rows of one cohort (SPEC section 3) from `messages`
-- (include/messages.sql) and `tap_facts` / `credited` (include/attribution.sql): the one home of
-- how a cohort's messages, taps and credited conversions become rows per button, for daily-ctr
-- (the workflow's partition, over curated events) and today (the running numbers, over raw rows).
-- The including query declares cohort_date:date and writes
-- `WITH ev AS (…), {{include:messages}}, {{include:attribution}}, {{include:cohort-ctr}}`; this
-- defines `cohort_ctr` (shared/schema dailyCtrColumns, in schema order) and helper CTEs (cohort,
-- message_counts, taps, registry_lists, registry_buttons, button_keys, tap_counts,
-- conversion_counts) whose names the includer must not reuse.
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
),
cohort_ctr AS (
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
)
