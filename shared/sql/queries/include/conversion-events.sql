-- Fragment: `ev` for the queries that credit the conversions of conv_from_dt … dt over every
-- event from from_dt (shared/daily/window.ts creditSpanStart: the earliest tap one of them can
-- credit, and that tap's message) to dt, ahead of include/messages.sql and include/attribution.sql.
-- Nothing is counted here (`counted` = 1 throughout): only who earns which conversion.
-- The including query declares from_dt:date, dt:date and writes `WITH {{include:conversion-events}}, …`.
ev AS (
  SELECT event_id, kind, wamid, context_wamid, wa_id, button_id, button_title, status,
         campaign_id, template_name, buttons, event_ts, event_date, conversion_name, value, currency,
         1 AS counted
  FROM events
  WHERE dt BETWEEN {{from_dt}} AND {{dt}}
)
