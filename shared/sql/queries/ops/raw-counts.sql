-- `status --stage`: raw rows per arrival day, kind and quarantine reason over a partition range.
-- params: database:database, from_dt:date, to_dt:date
SELECT dt, kind, coalesce(reason, '') AS reason, count(*) AS n FROM "{{database}}"."raw_events" WHERE dt BETWEEN {{from_dt}} AND {{to_dt}} GROUP BY dt, kind, coalesce(reason, '') ORDER BY dt, kind, reason
