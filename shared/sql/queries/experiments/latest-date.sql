-- The latest evaluation date of the experiments table (null when it has none).
-- params:
SELECT MAX(dt) AS dt FROM experiments
