-- The anomalies earlier runs wrote for the detector window, before the target date: those days
-- stay out of the baselines, and an incident that goes on keeps the day it began.
-- params: from_dt:date, before_dt:date
SELECT dt, campaign_id, template_name, button_id, metric, kind, incident_start
FROM anomalies
WHERE dt >= {{from_dt}} AND dt < {{before_dt}}
