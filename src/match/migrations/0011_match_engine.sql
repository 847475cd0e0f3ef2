-- The matching engine's configuration and organised batch allocation (src/match, engine helper).
-- See docs/MATCHING.md. Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ".

-- Weights of the score's named terms, per mille (0..1000). The engine reads them at start and
-- again when a "match_config" change row appears in the feed.
CREATE TABLE match_weights (
  term TEXT PRIMARY KEY CHECK (term IN ('occupation', 'skill', 'distance', 'salary', 'key_enterprise', 'freshness')),
  weight INTEGER NOT NULL CHECK (weight >= 0 AND weight <= 1000),
  updated_at TEXT NOT NULL
);
INSERT INTO match_weights (term, weight, updated_at) VALUES
  ('occupation', 400, '2023-03-21T00:00:00Z'), ('skill', 150, '2023-03-21T00:00:00Z'),
  ('distance', 200, '2023-03-21T00:00:00Z'), ('salary', 150, '2023-03-21T00:00:00Z'),
  ('key_enterprise', 50, '2023-03-21T00:00:00Z'), ('freshness', 50, '2023-03-21T00:00:00Z');

-- Anti-congestion and allocation settings: seeker_daily_pushes (N: distinct demand lines a seeker
-- is recommended for per day), demand_flood_multiple (K: a line gets at most K × open_count
-- distinct seekers per day), pref_list_max (batch allocation: preference list length per worker).
CREATE TABLE match_settings (
  name TEXT PRIMARY KEY CHECK (name IN ('seeker_daily_pushes', 'demand_flood_multiple', 'pref_list_max')),
  value INTEGER NOT NULL CHECK (value >= 0 AND value <= 100000),
  updated_at TEXT NOT NULL
);
INSERT INTO match_settings (name, value, updated_at) VALUES
  ('seeker_daily_pushes', 20, '2023-03-21T00:00:00Z'), ('demand_flood_multiple', 5, '2023-03-21T00:00:00Z'),
  ('pref_list_max', 200, '2023-03-21T00:00:00Z');

-- Related occupations across groups (e.g. 电工 ↔ 电气设备安装工): matched as "related", the
-- weakest occupation relation. Stored once per pair (a < b); the engine uses both directions.
CREATE TABLE match_related_occupations (
  occupation_a TEXT NOT NULL,
  occupation_b TEXT NOT NULL,
  note TEXT,
  PRIMARY KEY (occupation_a, occupation_b),
  CHECK (occupation_a < occupation_b)
);

-- 有组织劳务输入: a batch of workers assigned to the open demand lines of a region (region_code:
-- city or county the workers go to) by worker-proposing deferred acceptance. status: uploaded →
-- allocated (may run again) → committed (referrals created; final). report is the JSON of the
-- last run (assigned, unassigned with reasons, blocking pairs).
CREATE TABLE match_batches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'allocated', 'committed')),
  workers INTEGER NOT NULL DEFAULT 0,
  groups_count INTEGER NOT NULL DEFAULT 0,
  assigned INTEGER NOT NULL DEFAULT 0,
  unassigned INTEGER NOT NULL DEFAULT 0,
  blocking_pairs INTEGER NOT NULL DEFAULT 0,
  report TEXT,
  file_name TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  run_at TEXT,
  committed_at TEXT,
  committed_by BIGINT
);
CREATE INDEX match_batches_region ON match_batches (region_code, id);

-- The workers of a batch, one row per file row. The ID number is sealed with a blind index like
-- a seeker's; birth date and sex derive from it. occupation_codes: up to three, comma-separated.
-- demand_id/score/reason: the last run's assignment (NULL demand_id = unassigned, reason says why).
-- seeker_id/referral_id: filled by the commit.
CREATE TABLE match_batch_workers (
  batch_id BIGINT NOT NULL REFERENCES match_batches (id),
  row_no INTEGER NOT NULL,
  name TEXT NOT NULL,
  id_number_sealed TEXT NOT NULL,
  id_number_index TEXT NOT NULL,
  id_number_masked TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL,
  occupation_codes TEXT NOT NULL,
  skill_level INTEGER CHECK (skill_level IS NULL OR (skill_level >= 1 AND skill_level <= 8)),
  education TEXT,
  group_code TEXT,
  demand_id BIGINT,
  score INTEGER,
  reason TEXT,
  seeker_id BIGINT,
  referral_id BIGINT,
  PRIMARY KEY (batch_id, row_no)
);
CREATE UNIQUE INDEX match_batch_workers_person ON match_batch_workers (batch_id, id_number_index);
