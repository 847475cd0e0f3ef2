-- policy: the 免申即享 workflow over runs (docs/API-POLICY.md): local parameter values, budgets, settings,
-- the must-apply exception lane, batches (run × policy), items (one eligible decision each) with their
-- transitions, objections during the public notice, payments and re-contacts, idempotency keys.
-- Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ", money in fen.

-- a province administrator's own value for an admin-settable parameter (overlays the package from run start)
CREATE TABLE policy_param_overrides (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  value BIGINT NOT NULL,               -- in the parameter's unit (fen, ppm, days, …)
  value_text TEXT NOT NULL,            -- as entered
  valid_from TEXT NOT NULL,
  valid_to TEXT,                       -- NULL: open
  reference TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL
);
CREATE INDEX policy_param_overrides_name ON policy_param_overrides (name, valid_from);

CREATE TABLE policy_budgets (
  policy TEXT NOT NULL,
  year INTEGER NOT NULL,
  budget_fen BIGINT NOT NULL CHECK (budget_fen >= 0),
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (policy, year)
);

CREATE TABLE policy_settings (
  policy TEXT PRIMARY KEY,
  notice_days INTEGER NOT NULL DEFAULT 5 CHECK (notice_days BETWEEN 1 AND 30),
  confirm_required INTEGER NOT NULL DEFAULT 0 CHECK (confirm_required IN (0, 1)),
  confirm_days INTEGER NOT NULL DEFAULT 15 CHECK (confirm_days BETWEEN 1 AND 90),
  kind TEXT NOT NULL DEFAULT 'grant' CHECK (kind IN ('grant', 'whitelist')),
  bank TEXT
);
INSERT INTO policy_settings (policy, notice_days, confirm_required, confirm_days, kind, bank) VALUES
  ('ui_job_stabilisation_refund', 5, 0, 15, 'grant', NULL),
  ('one_time_job_expansion_subsidy', 5, 0, 15, 'grant', NULL),
  ('social_insurance_subsidy', 5, 1, 15, 'grant', NULL),
  ('employment_internship_subsidy', 5, 0, 15, 'grant', NULL),
  ('skill_upgrade_subsidy', 5, 0, 15, 'grant', NULL),
  ('startup_guarantee_loan', 5, 1, 30, 'whitelist', '中国银行山东省分行'),
  ('special_loan_whitelist', 5, 0, 30, 'whitelist', '中国银行山东省分行');

-- exception lane: enterprises that must still apply (labour-dispatch firms, 谁用工谁受益); policy NULL = all
CREATE TABLE policy_must_apply (
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
  policy TEXT NOT NULL DEFAULT '*',
  reason TEXT NOT NULL,
  PRIMARY KEY (enterprise_id, policy)
);

-- the background state of runs started over HTTP (who, when)
CREATE TABLE policy_run_requests (
  run_id INTEGER PRIMARY KEY REFERENCES policy_runs (id),
  requested_by TEXT NOT NULL,
  overlay_hash TEXT NOT NULL           -- hash of the local parameter values the run used ('' none)
);

-- one run × one policy in the workflow
CREATE TABLE policy_batches (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES policy_runs (id),
  policy TEXT NOT NULL,
  year INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('review', 'approved', 'notice', 'pushed', 'paying', 'done')),
  notice_days INTEGER NOT NULL,
  notice_start TEXT,
  notice_end TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (run_id, policy)
);

CREATE TABLE policy_batch_reviews (
  batch_id INTEGER NOT NULL REFERENCES policy_batches (id),
  county_code TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (batch_id, county_code)
);

-- one row per approval action (a city approves the counties that have finished their review)
CREATE TABLE policy_batch_approvals (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES policy_batches (id),
  city_code TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  items INTEGER NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX policy_batch_approvals_batch ON policy_batch_approvals (batch_id, city_code);

CREATE TABLE policy_items (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES policy_batches (id),
  policy TEXT NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  enterprise_id BIGINT,
  region_code TEXT NOT NULL DEFAULT '',
  county_code TEXT NOT NULL DEFAULT '',
  city_code TEXT NOT NULL DEFAULT '',
  amount_fen BIGINT NOT NULL,
  year INTEGER NOT NULL,
  lane TEXT NOT NULL CHECK (lane IN ('auto', 'must_apply')),
  state TEXT NOT NULL CHECK (state IN ('candidate', 'reviewed', 'excluded', 'approved', 'notice', 'pushed',
    'awaiting_confirmation', 'confirmed', 'declined', 'paid', 'payment_failed', 'manual')),
  exclude_reason TEXT,
  notice_start TEXT,
  notice_end TEXT,
  pushed_at TEXT,
  confirm_deadline TEXT,
  bank TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL,
  UNIQUE (batch_id, entity_kind, entity_id)
);
CREATE INDEX policy_items_batch_state ON policy_items (batch_id, state);
CREATE INDEX policy_items_enterprise ON policy_items (enterprise_id, policy);
CREATE INDEX policy_items_bank ON policy_items (bank, state);
CREATE INDEX policy_items_policy_year ON policy_items (policy, year, state);

CREATE TABLE policy_item_events (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES policy_items (id),
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  action TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL,
  note TEXT
);
CREATE INDEX policy_item_events_item ON policy_item_events (item_id, id);

CREATE TABLE policy_objections (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES policy_items (id),
  text TEXT NOT NULL,
  objector TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
  note TEXT,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  handled_by TEXT,
  handled_at TEXT
);
CREATE INDEX policy_objections_item ON policy_objections (item_id, status);

CREATE TABLE policy_payments (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES policy_items (id),
  amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
  account_kind TEXT NOT NULL CHECK (account_kind IN ('enterprise', 'social_insurance')),
  status TEXT NOT NULL CHECK (status IN ('paid', 'failed')),
  paid_on TEXT NOT NULL,
  reference TEXT NOT NULL,
  failure TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- nothing paid twice: at most one payment per item that has not failed
CREATE UNIQUE INDEX policy_payments_one_live ON policy_payments (item_id) WHERE status = 'paid';
CREATE UNIQUE INDEX policy_payments_reference ON policy_payments (reference);

CREATE TABLE policy_payment_contacts (
  id INTEGER PRIMARY KEY,
  payment_id INTEGER NOT NULL REFERENCES policy_payments (id),
  note TEXT NOT NULL,
  by_user TEXT NOT NULL,
  at TEXT NOT NULL
);

-- idempotent actions: the first response to (user, key) is replayed
CREATE TABLE policy_idempotency (
  user_id BIGINT NOT NULL,
  idem_key TEXT NOT NULL,
  action TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, idem_key)
);
