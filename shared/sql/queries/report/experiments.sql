-- Report: the experiments section, every evaluation the daily workflow wrote: one row per
-- evaluation date (dt), experiment, metric and variant, each cumulative from the experiment's
-- first send, with the always-valid lift interval and the decision of that day. The model draws
-- the history of the most recently evaluated experiments and tables the latest day of each.
-- A lake whose experiments table has no partition yet (written before experiments existed)
-- answers no rows, and the section says so.
-- params: database:database, from_dt:date, to_dt:date
SELECT
  dt,
  experiment_id,
  variant,
  metric,
  exposures,
  successes,
  rate,
  control_variant,
  control_rate,
  lift,
  lift_lower,
  lift_upper,
  p_value,
  decision,
  srm_p_value,
  days_running
FROM {{database}}.experiments
WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
ORDER BY experiment_id, metric, dt, variant
