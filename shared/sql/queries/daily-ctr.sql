-- `daily_ctr` rows of one cohort date (SPEC section 3). Reads curated `events` over
-- shared/daily/window.ts cohortSpans(C).read: statuses and taps count when they fall in
-- count_from_dt … count_to_dt (C − lookback − 1 … C + lookback: the days after the cohort bring
-- its late statuses and taps, the days before tell which messages already belong to an earlier
-- cohort); the rest of the read span brings the conversions that credit the cohort's taps and
-- the later taps that could take that credit.
-- Messages, their cohort, campaign and delivery follow include/messages.sql; taps and the
-- conversions credited to them follow include/attribution.sql; the rows per button,
-- include/cohort-ctr.sql (the one homes of those rules).
-- Columns: shared/schema dailyCtrColumns, in schema order.
-- params: database:database, cohort_date:date, from_dt:date, to_dt:date, count_from_dt:date, count_to_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:cohort-events}},
{{include:messages}},
{{include:attribution}},
{{include:cohort-ctr}}
SELECT * FROM cohort_ctr
