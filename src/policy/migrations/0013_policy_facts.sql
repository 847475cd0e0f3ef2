-- policy: the facts the 2023 rules read (extracts of the social-insurance system), policy runs and
-- their decisions. See docs/POLICY.md and docs/POLICY-DATA.md. Dates are 'YYYY-MM-DD' text, money in fen,
-- flags 0/1. Facts tables are replaced by imports; runs freeze them by a content hash.

-- enterprise monthly insurance facts (one row per enterprise and month; month = first day of the month)
CREATE TABLE policy_enterprise_facts (
  id INTEGER PRIMARY KEY,
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
  month TEXT NOT NULL,
  insured INTEGER NOT NULL CHECK (insured >= 0),
  new_hires INTEGER NOT NULL DEFAULT 0 CHECK (new_hires >= 0),
  separations INTEGER NOT NULL DEFAULT 0 CHECK (separations >= 0),
  layoffs INTEGER NOT NULL DEFAULT 0 CHECK (layoffs >= 0),
  ui_due_fen BIGINT NOT NULL DEFAULT 0,
  ui_paid_fen BIGINT NOT NULL DEFAULT 0,
  arrears_fen BIGINT NOT NULL DEFAULT 0,
  UNIQUE (enterprise_id, month)
);

-- persons known to the policies; person_key is the social-insurance person number (个人编号), never the
-- resident ID number
CREATE TABLE policy_persons (
  id INTEGER PRIMARY KEY,
  person_key TEXT NOT NULL UNIQUE,
  birth_date TEXT NOT NULL,
  graduation_date TEXT,
  unemployed_since TEXT,             -- registered unemployed since (登记失业)
  hardship INTEGER NOT NULL DEFAULT 0 CHECK (hardship IN (0, 1)) -- 就业困难人员
);

-- employment spells (hires)
CREATE TABLE policy_spells (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES policy_persons (id),
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
  start_date TEXT NOT NULL,
  end_date TEXT,
  contract_months INTEGER NOT NULL DEFAULT 0 CHECK (contract_months >= 0),
  insured_months INTEGER NOT NULL DEFAULT 0 CHECK (insured_months >= 0),
  absorption_subsidy INTEGER NOT NULL DEFAULT 0 CHECK (absorption_subsidy IN (0, 1)), -- city 一次性吸纳就业补贴 granted
  employer_ss_monthly_fen BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX policy_spells_enterprise ON policy_spells (enterprise_id);
CREATE INDEX policy_spells_person ON policy_spells (person_id);

CREATE TABLE policy_internships (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES policy_persons (id),
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
  start_date TEXT NOT NULL,
  months INTEGER NOT NULL CHECK (months BETWEEN 1 AND 24),
  retained INTEGER NOT NULL DEFAULT 0 CHECK (retained IN (0, 1))
);
CREATE INDEX policy_internships_enterprise ON policy_internships (enterprise_id);

CREATE TABLE policy_certificates (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES policy_persons (id),
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5), -- national level: 5 初级 … 1 高级技师
  date TEXT NOT NULL,
  occupation TEXT NOT NULL            -- occupation code without separators, ≤ 8 characters
);
CREATE INDEX policy_certificates_person ON policy_certificates (person_id);

-- a run: one policy (or all) as of a date, inputs frozen by their content hash
CREATE TABLE policy_runs (
  id INTEGER PRIMARY KEY,
  policy TEXT NOT NULL,               -- policy code or 'all'
  package TEXT NOT NULL,
  as_of TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  ruleset_hash TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  progress INTEGER NOT NULL DEFAULT 0, -- percent
  result_hash TEXT,
  decisions BIGINT NOT NULL DEFAULT 0,
  eligible BIGINT NOT NULL DEFAULT 0,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  params_json TEXT,                   -- parameters read, with values, effective dates and references
  error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX policy_runs_policy ON policy_runs (policy, as_of);

-- one summary row per entity × policy; the full trace is rebuilt on demand (nineplus policy explain)
CREATE TABLE policy_decisions (
  run_id INTEGER NOT NULL REFERENCES policy_runs (id),
  policy TEXT NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  enterprise_id BIGINT,               -- payee enterprise (for lists by enterprise), NULL for persons
  eligible INTEGER NOT NULL CHECK (eligible IN (0, 1)),
  amount_fen BIGINT NOT NULL,
  reason TEXT,                        -- first failing criterion (or limit/cap) code; NULL when eligible
  observed TEXT,
  threshold TEXT,
  competing TEXT,                     -- competing grant or the entity holding the place
  PRIMARY KEY (run_id, policy, entity_kind, entity_id)
);
CREATE INDEX policy_decisions_enterprise ON policy_decisions (run_id, enterprise_id);
CREATE INDEX policy_decisions_reason ON policy_decisions (run_id, policy, reason);
