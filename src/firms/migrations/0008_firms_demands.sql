-- Demand lists (需求清单), recorded hires and one-enterprise-one-plan (一企一策) measures (src/firms,
-- demands helper). See docs/FIRMS.md. Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ", dates
-- "YYYY-MM-DD", money BIGINT fen.

-- One demand line of an enterprise. Region, city, county, industry and key flag are copied from
-- the enterprise when the line is created (denormalised for scoping and the shortage summary;
-- an enterprise that moves keeps its old lines where they were posted). open_count is
-- count - filled while the line is open or partly_filled and 0 otherwise: kept in the same
-- statement as every status or count change, it is what the shortage summary adds up.
CREATE TABLE demands (
  id INTEGER PRIMARY KEY,
  enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  industry_code TEXT NOT NULL DEFAULT '',
  occupation_code TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 1 AND count <= 10000),
  filled INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0 AND filled <= count),
  open_count INTEGER NOT NULL DEFAULT 0 CHECK (open_count >= 0 AND open_count <= count),
  skill_level INTEGER CHECK (skill_level IS NULL OR (skill_level >= 1 AND skill_level <= 8)),
  salary_min BIGINT CHECK (salary_min IS NULL OR (salary_min > 0 AND salary_min <= 10000000)),
  salary_max BIGINT CHECK (salary_max IS NULL OR (salary_max > 0 AND salary_max <= 10000000)),
  education TEXT CHECK (education IS NULL OR education IN ('none', 'junior_middle', 'senior_middle',
                                         'secondary_vocational', 'junior_college', 'bachelor', 'master', 'doctorate')),
  age_min INTEGER CHECK (age_min IS NULL OR (age_min >= 16 AND age_min <= 65)),
  age_max INTEGER CHECK (age_max IS NULL OR (age_max >= 16 AND age_max <= 65)),
  needed_by TEXT,
  shifts TEXT,
  housing INTEGER NOT NULL DEFAULT 0 CHECK (housing IN (0, 1)),
  benefits TEXT,                       -- JSON array of strings, NULL when none
  notes TEXT,
  is_public INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'partly_filled', 'filled', 'cancelled', 'expired')),
  version INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max),
  CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max)
);
CREATE INDEX demands_enterprise ON demands (enterprise_id, id);
CREATE INDEX demands_region ON demands (region_code, id);
CREATE INDEX demands_status_needed ON demands (status, needed_by);
-- The shortage summary reads only these two partial covering indexes (open lines only):
-- province-wide by occupation and skill level in index order, and per city / county.
CREATE INDEX demands_open_occ ON demands (occupation_code, skill_level, city_code, county_code, industry_code,
                                          region_code, enterprise_id, open_count) WHERE open_count > 0;
CREATE INDEX demands_open_city ON demands (city_code, county_code, occupation_code, skill_level, industry_code,
                                           region_code, enterprise_id, open_count) WHERE open_count > 0;

-- The life of a demand line: who did what, when, with the line before and after (JSON).
CREATE TABLE demand_events (
  id INTEGER PRIMARY KEY,
  demand_id BIGINT NOT NULL REFERENCES demands (id),
  at TEXT NOT NULL,
  user_id BIGINT,
  username TEXT,
  action TEXT NOT NULL,                -- create, update, status, hire, expire
  status_before TEXT,
  status_after TEXT,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX demand_events_demand ON demand_events (demand_id, id);

-- Recorded hires against a demand line; the line's filled count is their sum.
CREATE TABLE demand_hires (
  id INTEGER PRIMARY KEY,
  demand_id BIGINT NOT NULL REFERENCES demands (id),
  enterprise_id BIGINT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 1 AND count <= 10000),
  hired_on TEXT NOT NULL,
  seeker_ref TEXT,                     -- free text until the matching module links referrals
  created_by BIGINT,
  created_at TEXT NOT NULL
);
CREATE INDEX demand_hires_demand ON demand_hires (demand_id, id);

-- 一企一策: typed measures of an enterprise's plan. region/county/city are the enterprise's (scoping);
-- owner_region_code is the bureau the measure is owed by (where overdue measures are flagged).
CREATE TABLE plan_measures (
  id INTEGER PRIMARY KEY,
  enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('special_recruitment', 'labour_cooperation', 'training_order', 'labour_sharing',
                                     'policy_support', 'other')),
  title TEXT NOT NULL,
  detail TEXT,
  owner_user_id BIGINT,
  owner_name TEXT NOT NULL,
  owner_region_code TEXT NOT NULL,
  deadline TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
  version INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  done_at TEXT
);
CREATE INDEX plan_measures_enterprise ON plan_measures (enterprise_id, id);
CREATE INDEX plan_measures_overdue ON plan_measures (status, deadline, owner_region_code);

-- Progress notes and status changes of a measure.
CREATE TABLE plan_measure_notes (
  id INTEGER PRIMARY KEY,
  measure_id BIGINT NOT NULL REFERENCES plan_measures (id),
  at TEXT NOT NULL,
  user_id BIGINT,
  username TEXT,
  note TEXT,
  status_before TEXT,
  status_after TEXT
);
CREATE INDEX plan_measure_notes_measure ON plan_measure_notes (measure_id, id);
