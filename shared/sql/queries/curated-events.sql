-- Curated `events` rows of one event date: every raw row with that event_date from the arrival
-- partitions that can hold it (the day before, for time-zone skew, to lookback + 1 days after),
-- quarantine rows excluded, one row per event_id. The kept copy is the first received; the
-- remaining columns break ties so that a re-run always keeps the same copy.
-- Columns: shared/schema flatRowColumns, in schema order (no dt: it is the partition folder).
-- params: database:database, event_date:date, from_dt:date, to_dt:date
SELECT
  event_id, kind, source, interaction, wamid, context_wamid, wa_id, business_id, phone_number_id,
  button_id, button_title, status, error_code, campaign_id, template_name, buttons, flow_response,
  event_ts, received_ts, event_date, request_id, reason, raw_body, signature, conversion_name, value,
  currency, experiment_id, variant, experiment_split, request_url
FROM (
  SELECT
    r.*,
    ROW_NUMBER() OVER (
      PARTITION BY r.event_id
      ORDER BY
        r.received_ts ASC, r.dt ASC, r.request_id ASC NULLS LAST, r.kind ASC, r.source ASC,
        r.interaction ASC NULLS LAST, r.wamid ASC NULLS LAST, r.context_wamid ASC NULLS LAST,
        r.wa_id ASC NULLS LAST, r.business_id ASC NULLS LAST, r.phone_number_id ASC NULLS LAST,
        r.button_id ASC NULLS LAST, r.button_title ASC NULLS LAST, r.status ASC NULLS LAST,
        r.error_code ASC NULLS LAST, r.campaign_id ASC NULLS LAST, r.template_name ASC NULLS LAST,
        r.buttons ASC NULLS LAST, r.flow_response ASC NULLS LAST, r.event_ts ASC NULLS LAST,
        r.conversion_name ASC NULLS LAST, r.value ASC NULLS LAST, r.currency ASC NULLS LAST,
        r.experiment_id ASC NULLS LAST, r.variant ASC NULLS LAST, r.experiment_split ASC NULLS LAST,
        r.request_url ASC NULLS LAST
    ) AS copy_rank
  FROM {{database}}.raw_events AS r
  WHERE r.dt BETWEEN {{from_dt}} AND {{to_dt}}
    AND r.event_date = {{event_date}}
    AND r.kind <> 'quarantine'
) AS ranked
WHERE copy_rank = 1
