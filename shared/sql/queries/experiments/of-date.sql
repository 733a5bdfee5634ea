-- The experiments table of one evaluation date, as `wa-analytics experiments` and the demo print
-- it: each experiment's metrics, the control first, then the other variants by name.
-- params: dt:date
SELECT *
FROM experiments
WHERE dt = {{dt}}
ORDER BY experiment_id, metric, CASE WHEN variant = control_variant THEN 0 ELSE 1 END, variant
