-- One webhook, committed before the listener answers (autocommit, synchronous_commit on).
INSERT INTO webhooks (source, request_id, received_at, signature, body)
VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5)
