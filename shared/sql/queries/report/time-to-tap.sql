-- Report: distribution of the time from delivery to tap: tap event_ts minus the first
-- delivered-or-read status of the tapped message (the daily_ctr definition, from
-- include/messages.sql), in buckets named by their lower bound in seconds. -1 collects taps
-- timed before the delivery status (clock skew between webhooks), so they are shown rather than
-- silently dropped. Taps on messages never delivered are left out.
-- The bucket bounds must match timeToTapBuckets in shared/report/model.ts.
-- params: database:database, from_dt:date, to_dt:date
WITH {{include:report-events}},
{{include:messages}},
waits AS (
  SELECT CAST(t.event_ts - m.delivered_ts AS DOUBLE) / 1000 AS seconds
  FROM ev AS t
  JOIN messages AS m ON m.wamid = t.context_wamid AND m.delivered = 1
  WHERE t.kind = 'click' AND t.event_ts IS NOT NULL
)
SELECT
  CAST(CASE
    WHEN seconds < 0 THEN -1
    WHEN seconds < 60 THEN 0
    WHEN seconds < 300 THEN 60
    WHEN seconds < 900 THEN 300
    WHEN seconds < 3600 THEN 900
    WHEN seconds < 21600 THEN 3600
    WHEN seconds < 86400 THEN 21600
    WHEN seconds < 259200 THEN 86400
    ELSE 259200
  END AS BIGINT) AS lower_seconds,
  CAST(COUNT(*) AS BIGINT) AS taps
FROM waits
GROUP BY 1
ORDER BY 1
