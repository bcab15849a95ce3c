-- Streams: one row per event, the envelope kept as written.
CREATE TABLE {schema}.events (
    global_position bigint PRIMARY KEY,
    stream_id text NOT NULL,
    stream_position bigint NOT NULL CHECK (stream_position > 0),
    wire_type text NOT NULL,
    version text,
    message_id text NOT NULL,
    envelope bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream_id, stream_position)
);
CREATE INDEX ON {schema}.events (wire_type, global_position);
CREATE INDEX ON {schema}.events (recorded_at);

-- Appends take this sequence under a lock held to commit, so global
-- positions become visible in order.
CREATE SEQUENCE {schema}.events_global_position AS bigint START 1;

-- Rows a replay or subscription could not hand to a handler.
CREATE TABLE {schema}.dead_letters (
    id bigserial PRIMARY KEY,
    global_position bigint NOT NULL,
    stream_id text NOT NULL,
    subscriber text,
    reason_kind text NOT NULL,
    reason text NOT NULL,
    envelope bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- The last global position each catch-up subscriber has handled.
CREATE TABLE {schema}.checkpoints (
    subscriber text PRIMARY KEY,
    global_position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Messages written in a business transaction, waiting for the relay.
CREATE TABLE {schema}.outbox (
    id bigserial PRIMARY KEY,
    stream_id text NOT NULL,
    message_id text NOT NULL,
    wire_type text NOT NULL,
    envelope bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX ON {schema}.outbox (id) WHERE sent_at IS NULL;
