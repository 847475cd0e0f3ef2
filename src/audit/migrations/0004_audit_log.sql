-- Audit log (src/audit): append-only, hash-chained with SM3. See docs/SECURITY-CRYPTO.md for the
-- canonical form that `hash` covers. Rows are only ever appended by np_audit_record (seq = previous
-- seq + 1, prev_hash = previous hash; the first row has 64 zeros) and removed only as a prefix by
-- np_audit_purge, which records where the retained chain starts in audit_anchor.
-- All columns are TEXT/INTEGER on purpose (never JSONB on PostgreSQL): the stored bytes are hashed.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,                   -- UTC "YYYY-MM-DDTHH:MM:SSZ"
  user_id INTEGER,                    -- NULL: no authenticated user (failed login, CLI, system)
  username TEXT,
  role TEXT,
  ip TEXT,
  action TEXT NOT NULL,               -- dotted: login.success, user.create, audit.export …
  entity TEXT,
  entity_id TEXT,
  before_json TEXT,                   -- personal data masked by the caller
  after_json TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id TEXT,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_username ON audit_log (username, seq);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

-- One row per purge: the retained chain starts at first_seq, whose prev_hash must equal prev_hash
-- (the hash of the last purged row). The newest anchor is the one verify checks against.
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  purged_rows INTEGER NOT NULL,
  before_date TEXT NOT NULL           -- the cut-off asked for (Asia/Shanghai civil date)
);
