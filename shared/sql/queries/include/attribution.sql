-- Fragment: taps and the conversions they are credited with (SPEC section 3, "Conversions and
-- attribution"), the one home of the attribution rule for daily-ctr and daily-conversions. The
-- including query defines `ev` (curated `events` columns incl. conversion_name, value, currency)
-- and `messages` (include/messages.sql), and declares the parameters used here:
-- lookback_days:int, window_ms:int (attributionDays × 86,400,000), conv_from_dt:date. Defines
-- `tap_facts`, `conv`, `conv_candidates`, `credited`; the includer must not reuse those names.
-- Rules:
-- - a tap belongs to its message's cohort, campaign and template when the message is known and
--   its cohort is at most lookback + 1 days before the tap; else to its own date, campaign
--   `unattributed`, template null (as daily_ctr has always placed it); a tap more than lookback
--   days after its message's cohort is not counted anywhere, so it is never credited either;
-- - a conversion is credited to the latest tap (ties: the greater event_id) by the same user with
--   conversion_ts − window ≤ tap_ts ≤ conversion_ts, among that campaign's taps when the
--   conversion names one; with no such tap it is unattributed;
-- - event times decide; conversions are already one row per event_id in `events`.
tap_facts AS (
  SELECT tap_id, wa_id, button_id, button_title, context_wamid, event_ts, event_date,
         CASE WHEN known = 1 THEN cohort_date ELSE event_date END AS tap_cohort,
         CASE WHEN known = 1 THEN campaign_id ELSE 'unattributed' END AS campaign_id,
         CASE WHEN known = 1 THEN template_name END AS template_name,
         CASE WHEN known = 1 THEN delivered_ts END AS delivered_ts
  FROM (
    SELECT t.event_id AS tap_id, t.wa_id, t.button_id, t.button_title, t.context_wamid, t.event_ts,
           t.event_date, m.cohort_date, m.campaign_id, m.template_name, m.delivered_ts,
           CASE WHEN m.wamid IS NOT NULL
                 AND date_diff('day', CAST(m.cohort_date AS DATE), CAST(t.event_date AS DATE)) <= {{lookback_days}} + 1
                THEN 1 ELSE 0 END AS known
    FROM ev AS t
    LEFT JOIN messages AS m ON m.wamid = t.context_wamid
    WHERE t.kind = 'click'
  ) AS resolved
  WHERE known = 0 OR date_diff('day', CAST(cohort_date AS DATE), CAST(event_date AS DATE)) <= {{lookback_days}}
),
conv AS (
  SELECT event_id AS conv_id, wa_id AS conv_user, event_ts AS conv_ts, event_date AS conv_date,
         conversion_name, value, currency, campaign_id AS conv_campaign
  FROM ev
  WHERE kind = 'conversion' AND event_ts IS NOT NULL AND event_date >= {{conv_from_dt}}
),
conv_candidates AS (
  SELECT c.conv_id, t.tap_id, t.tap_cohort, t.campaign_id, t.template_name, t.button_id,
         t.button_title, t.context_wamid, t.event_ts AS tap_ts,
         ROW_NUMBER() OVER (PARTITION BY c.conv_id ORDER BY t.event_ts DESC, t.tap_id DESC) AS pick
  FROM conv AS c
  JOIN tap_facts AS t
    ON t.wa_id = c.conv_user
   AND t.event_ts BETWEEN c.conv_ts - {{window_ms}} AND c.conv_ts
   AND (c.conv_campaign IS NULL OR t.campaign_id = c.conv_campaign)
),
credited AS (
  SELECT c.conv_id, c.conv_user, c.conv_ts, c.conv_date, c.conversion_name, c.value, c.currency,
         k.tap_id, k.tap_cohort, k.campaign_id, k.template_name, k.button_id, k.button_title,
         k.context_wamid, k.tap_ts
  FROM conv AS c
  LEFT JOIN conv_candidates AS k ON k.conv_id = c.conv_id AND k.pick = 1
)
