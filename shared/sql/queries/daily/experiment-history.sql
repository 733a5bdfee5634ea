-- The experiments step's input: every daily_experiments row up to the evaluation date, of the
-- experiments with a delivered message in active_from_dt … to_dt (an experiment is summed from
-- its first send, so all its rows are read; one that stopped sending long ago is left out).
-- Unqualified: the engine's default database is the stage's (Athena's QueryExecutionContext).
-- params: to_dt:date, active_from_dt:date
SELECT h.dt, h.experiment_id, h.variant, h.metric, h.exposures, h.successes, h.declared_split
FROM daily_experiments AS h
WHERE h.dt <= {{to_dt}}
  AND h.experiment_id IN (
    SELECT experiment_id FROM daily_experiments
    WHERE dt BETWEEN {{active_from_dt}} AND {{to_dt}} AND exposures > 0
  )
ORDER BY h.dt, h.experiment_id, h.metric, h.variant
