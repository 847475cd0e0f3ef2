-- Surplus and shortage sharing (用工余缺调剂) of src/match (sharing unit). See src/match/sharing.h and
-- docs/MATCH_SHARING.md. Dates are civil "YYYY-MM-DD", time stamps UTC "YYYY-MM-DDTHH:MM:SSZ".

-- A temporary surplus or shortage of workers of one occupation posted by (or for) an enterprise.
-- remaining = count - workers of the post's agreements that are not cancelled (kept in the same
-- transaction as the agreements). minor_code / middle_code are the occupation's 小类 / 中类 prefixes
-- (the pairing query joins on middle_code). lat/lon: where the workers are or are needed (the
-- enterprise's coordinates, or the region's county centroid when the post names another county).
CREATE TABLE sharing_posts (
  id INTEGER PRIMARY KEY,
  enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  kind TEXT NOT NULL CHECK (kind IN ('surplus', 'shortage')),
  occupation_code TEXT NOT NULL,
  minor_code TEXT NOT NULL,
  middle_code TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 5000),
  remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= count),
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  circle TEXT,                          -- economic circle name (省会经济圈 …)
  lat_e6 INTEGER,
  lon_e6 INTEGER,
  notes TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  close_reason TEXT,
  created_by BIGINT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  CHECK (period_start <= period_end)
);
CREATE INDEX sharing_posts_pair ON sharing_posts (kind, middle_code, period_end) WHERE status = 'open';
CREATE INDEX sharing_posts_region ON sharing_posts (region_code, id);
CREATE INDEX sharing_posts_enterprise ON sharing_posts (enterprise_id, id);
CREATE INDEX sharing_posts_circle ON sharing_posts (circle, kind) WHERE status = 'open';

-- An agreement between a surplus post and a shortage post. Region codes and enterprises of both
-- sides are copied for scoping (staff of either side see it).
CREATE TABLE sharing_agreements (
  id INTEGER PRIMARY KEY,
  surplus_post_id BIGINT NOT NULL REFERENCES sharing_posts (id),
  shortage_post_id BIGINT NOT NULL REFERENCES sharing_posts (id),
  surplus_enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  shortage_enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  surplus_region_code TEXT NOT NULL,
  shortage_region_code TEXT NOT NULL,
  workers INTEGER NOT NULL CHECK (workers > 0),
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('proposed', 'agreed', 'in_progress', 'completed', 'cancelled')),
  notes TEXT,
  created_by BIGINT,
  created_by_name TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (start_date <= end_date),
  CHECK (surplus_post_id <> shortage_post_id)
);
CREATE INDEX sharing_agreements_surplus ON sharing_agreements (surplus_post_id, id);
CREATE INDEX sharing_agreements_shortage ON sharing_agreements (shortage_post_id, id);
CREATE INDEX sharing_agreements_sregion ON sharing_agreements (surplus_region_code, id);
CREATE INDEX sharing_agreements_tregion ON sharing_agreements (shortage_region_code, id);

-- Status history of an agreement: who (NULL = the system) and when.
CREATE TABLE sharing_agreement_events (
  id INTEGER PRIMARY KEY,
  agreement_id BIGINT NOT NULL REFERENCES sharing_agreements (id),
  at TEXT NOT NULL,
  status_before TEXT,
  status_after TEXT NOT NULL,
  user_id BIGINT,
  username TEXT,
  note TEXT
);
CREATE INDEX sharing_agreement_events_agreement ON sharing_agreement_events (agreement_id, id);
