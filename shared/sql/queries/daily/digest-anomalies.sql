-- The digest's anomalies of the target date, strongest evidence first.
-- params: dt:date
SELECT *
FROM anomalies
WHERE dt = {{dt}}
ORDER BY score DESC NULLS LAST, campaign_id, button_id, metric
