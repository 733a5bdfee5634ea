-- The digest's headline numbers: the daily_ctr rows of the target cohort.
-- params: dt:date
SELECT campaign_id, template_name, messages_delivered, clicked_messages, clicks
FROM daily_ctr
WHERE dt = {{dt}}
