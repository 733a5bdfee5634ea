-- Report: quarantined rows by arrival day and reason code. Counted in raw_events (before
-- deduplication) because every quarantined delivery is a row someone may want to requeue.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  dt AS arrival_date,
  COALESCE(reason, 'unknown') AS reason,
  CAST(COUNT(*) AS BIGINT) AS quarantined_rows
FROM {{database}}.raw_events
WHERE kind = 'quarantine' AND dt BETWEEN {{from_dt}} AND {{to_dt}}
GROUP BY 1, 2
ORDER BY 1, 2
