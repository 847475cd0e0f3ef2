-- Large-scale shortage response (对规模性缺工问题快速响应) and the recruitment green channel
-- (招聘"绿色通道") of src/firms (alerts unit). See docs/FIRMS.md and src/firms/alerts.h.
-- Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ" (they compare as text).

-- Configurable rules. kind / threshold:
--   openings_min    enterprises.open_openings >= threshold
--   openings_share  open_openings * 10000 >= threshold * headcount (threshold in basis points of the
--                   headcount, 1000 = 10 %), headcount > 0 and open_openings >= min_openings
--   major_project   the enterprise has a major investment project (projects.is_major = 1, not
--                   suspended) and open_openings >= threshold
-- Response times in hours: the county team must acknowledge within county_hours of the alert; then
-- it escalates to the city (city_hours more), then to the province (province_hours more).
CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,            -- stable key used by the API ("openings_50")
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('openings_min', 'openings_share', 'major_project')),
  threshold INTEGER NOT NULL CHECK (threshold > 0),
  min_openings INTEGER NOT NULL DEFAULT 0 CHECK (min_openings >= 0),
  county_hours INTEGER NOT NULL CHECK (county_hours > 0),
  city_hours INTEGER NOT NULL CHECK (city_hours > 0),
  province_hours INTEGER NOT NULL CHECK (province_hours > 0),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by BIGINT
);

-- The defaults. Major projects get the shorter green-channel response times (要素优先保障).
INSERT INTO alert_rules (code, name, kind, threshold, min_openings, county_hours, city_hours, province_hours,
                         active, created_at, updated_at) VALUES
  ('openings_50', '缺工50人以上', 'openings_min', 50, 0, 24, 24, 48, 1, '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('openings_share_10', '缺工达用工总数10%以上（至少5人）', 'openings_share', 1000, 5, 24, 24, 48, 1,
   '2023-03-21T00:00:00Z', '2023-03-21T00:00:00Z'),
  ('major_project', '重大投资项目企业缺工', 'major_project', 1, 0, 12, 12, 24, 1, '2023-03-21T00:00:00Z',
   '2023-03-21T00:00:00Z');

-- One alert per (enterprise, rule) episode. Region codes are the enterprise's when raised.
-- live = 1 while the alert blocks a new one for its (enterprise, rule): open, acknowledged, or
-- closed by staff while the rule still matches (cleared once the rule stops matching).
-- deadline: judged against county_due_at (the county team's response time):
--   pending (open, not yet due), met (acknowledged or closed by staff in time), missed (the county
--   deadline passed first), not_required (the shortage fell below the rule before the deadline).
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
  rule_id BIGINT NOT NULL REFERENCES alert_rules (id),
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('county', 'city', 'province')),
  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  live INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
  openings INTEGER NOT NULL,            -- open openings when raised
  headcount INTEGER NOT NULL,           -- headcount when raised
  raised_at TEXT NOT NULL,
  county_due_at TEXT NOT NULL,
  due_at TEXT NOT NULL,                 -- deadline at the current level
  escalated_at TEXT,
  acked_at TEXT,
  acked_by BIGINT,
  acked_by_name TEXT,
  ack_note TEXT,
  planned_response TEXT,
  resolved_at TEXT,
  resolved_by BIGINT,
  resolved_by_name TEXT,
  resolve_reason TEXT,
  resolution TEXT CHECK (resolution IS NULL OR resolution IN ('auto', 'manual')),
  deadline TEXT NOT NULL DEFAULT 'pending' CHECK (deadline IN ('pending', 'met', 'missed', 'not_required')),
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_live ON alerts (enterprise_id, rule_id) WHERE live = 1;
CREATE INDEX alerts_enterprise ON alerts (enterprise_id, id);
CREATE INDEX alerts_region ON alerts (region_code, due_at, id);
CREATE INDEX alerts_county_raised ON alerts (county_code, raised_at);
CREATE INDEX alerts_open_due ON alerts (due_at, id) WHERE status = 'open';

-- The history of an alert: raise, escalate, ack, resolve, rearm; who (NULL = the system) and when.
CREATE TABLE alert_events (
  id INTEGER PRIMARY KEY,
  alert_id BIGINT NOT NULL REFERENCES alerts (id),
  at TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('raise', 'escalate', 'ack', 'resolve', 'rearm')),
  level_before TEXT,
  level_after TEXT,
  status_before TEXT,
  status_after TEXT,
  due_at TEXT,                          -- the deadline in force after the event
  user_id BIGINT,
  username TEXT,
  note TEXT
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);
