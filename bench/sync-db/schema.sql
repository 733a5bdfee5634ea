-- The table the synchronous listener inserts each webhook into: the raw body and what came with it.
CREATE TABLE IF NOT EXISTS webhooks (
  id          bigserial PRIMARY KEY,
  source      text        NOT NULL,
  request_id  text        NOT NULL,
  received_at timestamptz NOT NULL,
  signature   text,
  body        bytea       NOT NULL
)
