-- The cohorts a run must rebuild besides its lookback's: those of every tap that could hold the
-- credit of a conversion dated in the run's curated window (conv_from_dt … dt), the one that has
-- it and the ones it could pass to. Only those event dates were curated again, so no other
-- cohort's conversions can have changed (include/attribution.sql is the rule). Reads events from
-- from_dt = conv_from_dt − attribution − lookback − 2 (the earliest such tap and its message) to dt.
-- params: from_dt:date, dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:conversion-events}},
{{include:messages}},
{{include:attribution}}
SELECT DISTINCT tap_cohort AS cohort_date
FROM conv_candidates
ORDER BY cohort_date
