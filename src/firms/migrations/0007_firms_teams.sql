-- Service teams (专班), specialists (专员) and their one-to-one assignments, the grid (网格) and the
-- service log (走访记录) of src/firms (teams, specialists, grid, servicelog). See docs/FIRMS.md.
-- Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ", civil dates "YYYY-MM-DD". Phone numbers of people
-- are sealed (np_crypto_seal) with a blind index for look-up and a masked copy for lists; the
-- published hotline numbers of a team are public and stored as they are.

-- One 专班 per county-or-above bureau: region_code is the 6-digit code of the province, a city or a
-- county-level unit (never a township or village).
CREATE TABLE service_teams (
  id INTEGER PRIMARY KEY,
  region_code TEXT NOT NULL UNIQUE,
  level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
  city_code TEXT,                       -- 6 digits, NULL for the province team
  county_code TEXT,                     -- 6 digits, only for county teams
  name TEXT NOT NULL,
  lead_name TEXT NOT NULL,              -- 分管负责同志
  lead_title TEXT,
  hotlines TEXT NOT NULL DEFAULT '[]',  -- JSON array of published 用工服务热线 numbers
  notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX service_teams_city ON service_teams (city_code, id);

-- Members of a team and the division (科室) they come from.
CREATE TABLE team_members (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES service_teams (id),
  name TEXT NOT NULL,
  division TEXT NOT NULL CHECK (division IN ('leadership', 'employment_talent', 'hr_mobility', 'vocational_skills',
                                             'unemployment_insurance', 'labour_relations', 'public_service', 'other')),
  title TEXT,
  phone_sealed TEXT,
  phone_bidx TEXT,
  phone_masked TEXT,
  user_id INTEGER REFERENCES users (id),
  created_at TEXT NOT NULL
);
CREATE INDEX team_members_team ON team_members (team_id, id);

-- 用工服务专员: optionally linked to a user account (role specialist).
CREATE TABLE specialists (
  id INTEGER PRIMARY KEY,
  user_id INTEGER UNIQUE REFERENCES users (id),
  team_id INTEGER REFERENCES service_teams (id),
  name TEXT NOT NULL,
  phone_sealed TEXT,
  phone_bidx TEXT,
  phone_masked TEXT,
  region_code TEXT NOT NULL,            -- county (6), township (9) or village (12) code
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX specialists_region ON specialists (region_code, id);
CREATE INDEX specialists_phone ON specialists (phone_bidx);

-- One-to-one assignments to key enterprises, development zones and major projects. Ending one sets
-- `until` and keeps the row (history); at most one open row per target.
CREATE TABLE specialist_assignments (
  id INTEGER PRIMARY KEY,
  specialist_id INTEGER NOT NULL REFERENCES specialists (id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('enterprise', 'zone', 'project')),
  target_id INTEGER NOT NULL,
  region_code TEXT NOT NULL,            -- the target's region (for scoping)
  since TEXT NOT NULL,
  until TEXT,
  created_by INTEGER,
  ended_by INTEGER,
  created_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE UNIQUE INDEX specialist_assignments_active ON specialist_assignments (target_kind, target_id) WHERE until IS NULL;
CREATE INDEX specialist_assignments_target ON specialist_assignments (target_kind, target_id, id);
CREATE INDEX specialist_assignments_specialist ON specialist_assignments (specialist_id, id);

-- Grid cells county → township → village, created on demand from the reference tree.
CREATE TABLE grid_cells (
  id INTEGER PRIMARY KEY,
  region_code TEXT NOT NULL UNIQUE,
  level TEXT NOT NULL CHECK (level IN ('county', 'township', 'village')),
  parent_id INTEGER REFERENCES grid_cells (id),
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  name TEXT NOT NULL,
  notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX grid_cells_county ON grid_cells (county_code, region_code);

-- 网格员 of a cell: a specialist, or a named person with a phone.
CREATE TABLE grid_staff (
  id INTEGER PRIMARY KEY,
  cell_id INTEGER NOT NULL REFERENCES grid_cells (id),
  specialist_id INTEGER REFERENCES specialists (id),
  name TEXT NOT NULL,
  duty TEXT NOT NULL DEFAULT 'member' CHECK (duty IN ('lead', 'member')),
  phone_sealed TEXT,
  phone_bidx TEXT,
  phone_masked TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX grid_staff_cell ON grid_staff (cell_id, id);

-- Visits and calls (走访/电话/线上), on the enterprise's timeline.
CREATE TABLE service_logs (
  id INTEGER PRIMARY KEY,
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
  region_code TEXT NOT NULL,            -- the enterprise's region at the time (for scoping)
  county_code TEXT,
  log_date TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('visit', 'call', 'online')),
  specialist_id INTEGER REFERENCES specialists (id),
  staff_name TEXT NOT NULL,             -- who served
  findings TEXT NOT NULL,               -- what was found
  problems TEXT NOT NULL DEFAULT '[]',  -- JSON array of problems raised
  created_by INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX service_logs_enterprise ON service_logs (enterprise_id, log_date, id);
CREATE INDEX service_logs_region ON service_logs (region_code, id);
