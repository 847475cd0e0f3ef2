-- Reference data (src/ref): administrative divisions, economic circles, minimum wages, industries,
-- occupations, skill levels, policy parameters. Loaded from the embedded data/ref/*.csv by
-- np_ref_load (nineplus migrate); each file's SHA-256 is kept in ref_meta so a second load skips it.
-- No foreign keys between reference tables: the loader checks parents itself, and a reload of one
-- file must not depend on the order of the others.

CREATE TABLE ref_regions (
  code TEXT PRIMARY KEY,              -- 6 digits (province/city/county), 9 (township), 12 (village)
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
  parent_code TEXT,                   -- NULL only for the province
  type TEXT NOT NULL,                 -- province, city, district, county_level_city, county, functional_zone,
                                      -- subdistrict, town, township, other, village
  in_gbt2260 INTEGER NOT NULL DEFAULT 1 CHECK (in_gbt2260 IN (0, 1)),
  centroid_lat_e6 INTEGER,            -- micro-degrees; counties only (NULL for functional zones)
  centroid_lon_e6 INTEGER
);
CREATE INDEX ref_regions_parent ON ref_regions (parent_code, code);
CREATE INDEX ref_regions_level ON ref_regions (level, code);

CREATE TABLE ref_economic_circles (
  city_code TEXT PRIMARY KEY,
  circle TEXT NOT NULL,
  circle_en TEXT NOT NULL
);

CREATE TABLE ref_min_wage_standards (
  standard TEXT NOT NULL,             -- 鲁政字〔2021〕169号
  issued TEXT,                        -- YYYY-MM-DD or NULL when not known
  effective_from TEXT NOT NULL,
  effective_to TEXT,                  -- NULL: still in force
  tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
  monthly_fen BIGINT NOT NULL,
  hourly_fen BIGINT NOT NULL,
  note TEXT,
  PRIMARY KEY (standard, tier)
);

CREATE TABLE ref_min_wage_county (
  standard TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  county_code TEXT NOT NULL,
  tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
  monthly_fen BIGINT NOT NULL,
  hourly_fen BIGINT NOT NULL,
  basis TEXT NOT NULL,                -- source wording; starts with "derived" when not read from the annex
  PRIMARY KEY (standard, county_code)
);

CREATE TABLE ref_industries (
  code TEXT PRIMARY KEY,              -- GB/T 4754-2017: A, 01, 011, 0111
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('section', 'division', 'group', 'class')),
  section TEXT NOT NULL,
  parent_code TEXT                    -- as in the standard (may name a group that has no row of its own)
);
CREATE INDEX ref_industries_parent ON ref_industries (parent_code, code);

CREATE TABLE ref_occupations (
  code TEXT PRIMARY KEY,              -- 2022 classification: 6, 6-18, 6-18-02, 6-18-02-04
  gbm_code TEXT,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('major', 'middle', 'minor', 'occupation')),
  parent_code TEXT,
  check_status TEXT NOT NULL
);
CREATE INDEX ref_occupations_parent ON ref_occupations (parent_code, code);

CREATE TABLE ref_skill_levels (
  rank INTEGER PRIMARY KEY CHECK (rank BETWEEN 1 AND 8),
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  national_level TEXT,
  national_level_number INTEGER,
  note TEXT
);

CREATE TABLE ref_policy_parameters (
  policy TEXT NOT NULL,
  parameter TEXT NOT NULL,
  value TEXT NOT NULL,
  unit TEXT,
  effective_from TEXT,
  effective_to TEXT,
  source TEXT,
  PRIMARY KEY (policy, parameter)
);

CREATE TABLE ref_meta (
  file TEXT PRIMARY KEY,              -- "cities.csv"
  sha256 TEXT NOT NULL,               -- hex of the embedded file
  rows INTEGER NOT NULL,              -- data rows in the file
  loaded_at TEXT NOT NULL             -- UTC, YYYY-MM-DDTHH:MM:SSZ
);
