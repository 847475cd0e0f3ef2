-- firms: development-zone registry, enterprises (+ contacts), major investment projects, imports.
-- See docs/FIRMS.md. Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ"; money in fen; flags 0/1.

-- 开发区: provincial-and-above industrial zones. Seeded with the 15 functional zones of the region
-- reference (data/ref/counties.csv, type functional_zone); level by the rule in docs/FIRMS.md.
CREATE TABLE dev_zones (
  id INTEGER PRIMARY KEY,
  code TEXT UNIQUE,                 -- NBS statistical code when the zone has one (370176), else NULL
  name TEXT NOT NULL UNIQUE,
  level TEXT NOT NULL CHECK (level IN ('national', 'provincial')),
  kind TEXT NOT NULL CHECK (kind IN ('hitech', 'economic', 'other')),
  region_code TEXT NOT NULL,        -- county-level unit it lies in (or its own functional-zone code)
  city_code TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX dev_zones_city ON dev_zones (city_code);

INSERT INTO dev_zones (code, name, level, kind, region_code, city_code, created_at, updated_at) VALUES
  ('370176', '济南高新技术产业开发区', 'national', 'hitech', '370176', '370100', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370571', '东营经济技术开发区', 'national', 'economic', '370571', '370500', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370572', '东营港经济开发区', 'provincial', 'economic', '370572', '370500', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370671', '烟台高新技术产业开发区', 'national', 'hitech', '370671', '370600', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370676', '烟台经济技术开发区', 'national', 'economic', '370676', '370600', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370772', '潍坊滨海经济技术开发区', 'national', 'economic', '370772', '370700', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('370871', '济宁高新技术产业开发区', 'national', 'hitech', '370871', '370800', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371071', '威海火炬高技术产业开发区', 'national', 'hitech', '371071', '371000', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371072', '威海经济技术开发区', 'national', 'economic', '371072', '371000', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371073', '威海临港经济技术开发区', 'provincial', 'economic', '371073', '371000', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371171', '日照经济技术开发区', 'national', 'economic', '371171', '371100', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371371', '临沂高新技术产业开发区', 'national', 'hitech', '371371', '371300', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371471', '德州天衢新区', 'provincial', 'other', '371471', '371400', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371771', '菏泽经济技术开发区', 'provincial', 'economic', '371771', '371700', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('371772', '菏泽高新技术开发区', 'provincial', 'hitech', '371772', '371700', '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z');

-- 工业企业. region_code is the most specific code given (village 12 or township 9 digits);
-- township/county/city codes are denormalised for scoping, grouping and the grid.
CREATE TABLE enterprises (
  id INTEGER PRIMARY KEY,
  uscc TEXT NOT NULL UNIQUE,        -- GB 32100, upper-case
  name TEXT NOT NULL,
  industry_code TEXT NOT NULL,      -- GB/T 4754-2017 class, 4 digits
  industry_section TEXT NOT NULL,   -- its section letter ('C')
  region_code TEXT NOT NULL,
  township_code TEXT NOT NULL,
  village_code TEXT,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  address TEXT,
  lat_e6 INTEGER,
  lon_e6 INTEGER,
  location_approx INTEGER NOT NULL DEFAULT 0 CHECK (location_approx IN (0, 1)),
  employees INTEGER,                -- 从业人员 (statistical), basis of the size class
  revenue_fen BIGINT,               -- 营业收入 of the last year
  size_class TEXT NOT NULL CHECK (size_class IN ('large', 'medium', 'small', 'micro', 'unknown')),
  size_basis TEXT NOT NULL,
  above_scale INTEGER NOT NULL DEFAULT 0 CHECK (above_scale IN (0, 1)),
  above_scale_basis TEXT NOT NULL DEFAULT 'declared' CHECK (above_scale_basis IN ('revenue', 'declared')),
  is_key INTEGER NOT NULL DEFAULT 0 CHECK (is_key IN (0, 1)),
  zone_id INTEGER REFERENCES dev_zones (id),
  headcount INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
  green_channel INTEGER NOT NULL DEFAULT 0 CHECK (green_channel IN (0, 1)),
  open_openings INTEGER NOT NULL DEFAULT 0, -- maintained by the demands unit (denormalised)
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX enterprises_city_industry ON enterprises (city_code, industry_code);
CREATE INDEX enterprises_county_industry ON enterprises (county_code, industry_code);
CREATE INDEX enterprises_township ON enterprises (township_code);
CREATE INDEX enterprises_village ON enterprises (village_code);
CREATE INDEX enterprises_industry ON enterprises (industry_code);
CREATE INDEX enterprises_name ON enterprises (name, id);
CREATE INDEX enterprises_updated ON enterprises (updated_at, id);
CREATE INDEX enterprises_headcount ON enterprises (headcount, id);
CREATE INDEX enterprises_openings ON enterprises (open_openings, id);
CREATE INDEX enterprises_shortage ON enterprises (city_code, county_code, open_openings) WHERE open_openings > 0;
-- The console's most common list (city or county + industry + has shortage, green channel first, by name) answered
-- from the index alone: count and page without touching the table.
CREATE INDEX enterprises_short_city ON enterprises (city_code, industry_code, green_channel, name, id) WHERE open_openings > 0;
CREATE INDEX enterprises_short_county ON enterprises (county_code, industry_code, green_channel, name, id) WHERE open_openings > 0;
CREATE INDEX enterprises_key ON enterprises (city_code, is_key) WHERE is_key = 1;
CREATE INDEX enterprises_zone ON enterprises (zone_id) WHERE zone_id IS NOT NULL;

-- Contacts: the phone number is personal data (sealed + blind index; masked copy for lists).
CREATE TABLE enterprise_contacts (
  id INTEGER PRIMARY KEY,
  enterprise_id INTEGER NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  title TEXT,
  phone_sealed TEXT,
  phone_bidx TEXT,
  phone_masked TEXT,
  UNIQUE (enterprise_id, position)
);
CREATE INDEX enterprise_contacts_phone ON enterprise_contacts (phone_bidx);

-- 重大投资项目
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  enterprise_id INTEGER REFERENCES enterprises (id),
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  investment_fen BIGINT NOT NULL CHECK (investment_fen >= 0),
  planned_start TEXT,
  planned_production TEXT,
  stage TEXT NOT NULL CHECK (stage IN ('planning', 'approved', 'construction', 'commissioning', 'production', 'suspended')),
  is_major INTEGER NOT NULL DEFAULT 1 CHECK (is_major IN (0, 1)),
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX projects_region ON projects (city_code, county_code);
CREATE INDEX projects_enterprise ON projects (enterprise_id);

-- Import runs: counts and the row-level error report (JSON array of {row, column, header, reason}).
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  by_user BIGINT NOT NULL,
  at TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('all_or_nothing', 'valid_only')),
  file_name TEXT,
  charset TEXT,
  rows_total INTEGER NOT NULL,
  inserted INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  errors_json TEXT NOT NULL
);
CREATE INDEX imports_user ON imports (by_user, id);
