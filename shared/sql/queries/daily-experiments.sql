-- `daily_experiments` rows of one cohort date (SPEC section 3 `experiments`): what the cohort's
-- sends of each experiment did, per variant and metric, as daily (not cumulative) counts; the
-- experiments step sums them from the first send (shared/experiments).
-- Reads the same span and follows the same rules as daily-ctr.sql (include/messages.sql for a
-- message's cohort and delivery, include/attribution.sql for its taps and credited
-- conversions), so the experiments agree with daily_ctr on what was delivered, tapped and
-- converted.
-- Rules:
-- - a message's arm (experiment_id, variant, declared split) is its registry send's when that
--   names both, else the first status whose callback data names both (statuses carry no split);
-- - exposures are the arm's delivered messages (read implies delivered); a variant whose
--   messages were sent but none delivered has 0, so a split broken by failed deliveries shows;
-- - successes count delivered messages only: tapped (ctr) or with a credited conversion
--   (conversion_rate), so successes never exceed exposures;
-- - declared_split is the experiment's split as its latest send of the cohort declared it.
-- Columns: shared/schema dailyExperimentColumns, in schema order.
-- params: database:database, cohort_date:date, from_dt:date, to_dt:date, count_from_dt:date, count_to_dt:date, conv_from_dt:date, lookback_days:int, window_ms:int
WITH {{include:cohort-events}},
{{include:messages}},
{{include:attribution}},
arm_ranked AS (
  SELECT wamid, experiment_id, variant, experiment_split, event_ts,
         ROW_NUMBER() OVER (
           PARTITION BY wamid
           ORDER BY CASE WHEN kind = 'send' THEN 0 ELSE 1 END, event_ts ASC NULLS LAST, event_id ASC
         ) AS pick
  FROM ev
  WHERE kind IN ('send', 'status') AND counted = 1 AND wamid IS NOT NULL
    AND experiment_id IS NOT NULL AND variant IS NOT NULL
),
arms AS (
  SELECT a.wamid, a.experiment_id, a.variant, a.experiment_split, a.event_ts, m.delivered
  FROM arm_ranked AS a
  JOIN messages AS m ON m.wamid = a.wamid
  WHERE a.pick = 1 AND m.cohort_date = {{cohort_date}}
),
declared AS (
  SELECT experiment_id, experiment_split FROM (
    SELECT experiment_id, experiment_split,
           ROW_NUMBER() OVER (PARTITION BY experiment_id ORDER BY event_ts DESC NULLS LAST, wamid DESC) AS pick
    FROM arms
    WHERE experiment_split IS NOT NULL
  ) AS d WHERE pick = 1
),
tapped AS (
  SELECT DISTINCT context_wamid AS wamid FROM tap_facts WHERE tap_cohort = {{cohort_date}}
),
converted AS (
  SELECT DISTINCT context_wamid AS wamid FROM credited WHERE tap_cohort = {{cohort_date}}
),
variant_counts AS (
  SELECT a.experiment_id, a.variant,
         SUM(a.delivered) AS exposures,
         SUM(CASE WHEN a.delivered = 1 AND t.wamid IS NOT NULL THEN 1 ELSE 0 END) AS tapped,
         SUM(CASE WHEN a.delivered = 1 AND c.wamid IS NOT NULL THEN 1 ELSE 0 END) AS converted
  FROM arms AS a
  LEFT JOIN tapped AS t ON t.wamid = a.wamid
  LEFT JOIN converted AS c ON c.wamid = a.wamid
  GROUP BY a.experiment_id, a.variant
),
metrics AS (
  SELECT experiment_id, variant, 'ctr' AS metric, exposures, tapped AS successes FROM variant_counts
  UNION ALL
  SELECT experiment_id, variant, 'conversion_rate', exposures, converted FROM variant_counts
)
SELECT
  v.experiment_id,
  v.variant,
  CAST(v.metric AS VARCHAR) AS metric,
  CAST(v.exposures AS BIGINT) AS exposures,
  CAST(v.successes AS BIGINT) AS successes,
  d.experiment_split AS declared_split
FROM metrics AS v
LEFT JOIN declared AS d ON d.experiment_id = v.experiment_id
