-- The first PostgreSQL state schema: one table per part of the Store interface (src/state/store.ts).
-- Runs inside a transaction with search_path set to storelink's schema; never edit a migration that
-- has shipped: add the next file instead.

-- cursors: one per flow (and per poller, `poll:<flow>`)
CREATE TABLE cursors (
  flow          text PRIMARY KEY,
  value         text NOT NULL,
  ids_at_value  jsonb NOT NULL DEFAULT '[]',
  read_at       bigint,
  updated_at    timestamptz NOT NULL
);

-- rotating credentials; a write is one autocommitted statement, durable before it returns
CREATE TABLE tokens (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- cross-references, one row per direction: the primary key is the rule "a record links to at most
-- one record of each other system/entity", both ways; link_seq orders the links, forward marks
-- the row as it was linked (a → b)
CREATE SEQUENCE xref_link_seq;
CREATE TABLE xref (
  system        text NOT NULL,
  entity        text NOT NULL,
  id            text NOT NULL,
  other_system  text NOT NULL,
  other_entity  text NOT NULL,
  other_id      text NOT NULL,
  link_seq      bigint NOT NULL,
  forward       boolean NOT NULL,
  linked_at     timestamptz NOT NULL,
  PRIMARY KEY (system, entity, id, other_system, other_entity)
);
CREATE INDEX xref_link ON xref (link_seq);

-- the field values storelink last wrote per record
CREATE TABLE written (
  system      text NOT NULL,
  entity      text NOT NULL,
  id          text NOT NULL,
  fields      jsonb NOT NULL,
  written_at  timestamptz NOT NULL,
  flow        text NOT NULL,
  PRIMARY KEY (system, entity, id)
);

CREATE TABLE runs (
  seq          bigserial PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  flow         text NOT NULL,
  mode         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  counts       jsonb NOT NULL DEFAULT '{}',
  error        text
);
CREATE INDEX runs_flow ON runs (flow, seq);

-- business exceptions; repeats of an open one collapse into it (the partial unique index)
CREATE TABLE exceptions (
  seq         bigserial PRIMARY KEY,
  id          text NOT NULL UNIQUE,
  code        text NOT NULL,
  flow        text NOT NULL,
  key         text NOT NULL,
  owner       text NOT NULL,
  severity    text NOT NULL,
  message     text NOT NULL,
  action      text,
  details     jsonb,
  status      text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  count       integer NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL
);
CREATE UNIQUE INDEX exceptions_open ON exceptions (code, flow, key) WHERE status <> 'resolved';
CREATE INDEX exceptions_status ON exceptions (status, owner);

-- the write journal and the audit trail: append-only (a trigger refuses updates and deletes)
CREATE TABLE journal (
  seq              bigserial PRIMARY KEY,
  idempotency_key  text NOT NULL,
  phase            text NOT NULL CHECK (phase IN ('intent', 'done', 'failed')),
  flow             text NOT NULL,
  entry            jsonb NOT NULL
);
CREATE INDEX journal_key ON journal (idempotency_key, seq);
CREATE INDEX journal_intents ON journal (seq) WHERE phase = 'intent';

CREATE TABLE audit (
  seq     bigserial PRIMARY KEY,
  at      text NOT NULL,
  flow    text NOT NULL,
  system  text NOT NULL,
  entry   jsonb NOT NULL
);
CREATE INDEX audit_flow ON audit (flow, seq);
CREATE INDEX audit_at ON audit (at);

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'storelink: % is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION append_only();

-- the service's work queue: one row per (flow, by, value), events coalesced into it (seq, events);
-- pos keeps the order items were first queued in; a claim leases rows (leased_until, claimed_by)
CREATE TABLE queue_items (
  flow          text NOT NULL,
  by_field      text NOT NULL,
  value         text NOT NULL,
  pos           bigserial NOT NULL,
  first_at      bigint NOT NULL,
  seq           integer NOT NULL,
  events        integer NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  next_at       bigint NOT NULL DEFAULT 0,
  last_error    text,
  dead_at       timestamptz,
  leased_until  bigint,
  claimed_by    text,
  PRIMARY KEY (flow, by_field, value)
);
CREATE INDEX queue_due ON queue_items (flow, first_at, pos) WHERE dead_at IS NULL;
CREATE INDEX queue_dead ON queue_items (flow) WHERE dead_at IS NOT NULL;

-- webhook event ids seen, for deduplication; pruned by age (and count) as lowdb prunes them
CREATE TABLE queue_seen (
  event_id  text PRIMARY KEY,
  seen_at   bigint NOT NULL
);
CREATE INDEX queue_seen_at ON queue_seen (seen_at);
