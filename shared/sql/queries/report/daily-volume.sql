-- Report: daily volume by event date (the curated partition): outbound messages sent (a
-- registry send or a `sent` status), delivered (a `delivered` status) and taps. Each is counted
-- on the day its event happened, so a message sent late on one day and delivered after
-- midnight adds to two days.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  dt AS day,
  CAST(COUNT(DISTINCT CASE WHEN kind = 'send' OR (kind = 'status' AND status = 'sent') THEN wamid END) AS BIGINT) AS messages_sent,
  CAST(COUNT(DISTINCT CASE WHEN kind = 'status' AND status = 'delivered' THEN wamid END) AS BIGINT) AS messages_delivered,
  CAST(COUNT(CASE WHEN kind = 'click' THEN 1 END) AS BIGINT) AS taps
FROM {{database}}.events
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY dt
ORDER BY dt
