-- The digest's experiments: the rows of the target date and of the evaluation before it, so
-- the digest tells only what changed (shared/slack/experiment-news.ts).
-- params: dt:date, previous_dt:date
SELECT dt, experiment_id, variant, metric, exposures, control_variant, lift, lift_lower, lift_upper,
       p_value, decision, srm_p_value, days_running
FROM experiments
WHERE dt IN ({{previous_dt}}, {{dt}})
