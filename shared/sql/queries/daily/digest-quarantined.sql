-- The digest's quarantine count: rows quarantined on the target arrival date.
-- params: dt:date
SELECT COUNT(*) AS n
FROM raw_events
WHERE dt = {{dt}} AND kind = 'quarantine'
