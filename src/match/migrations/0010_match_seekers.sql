-- Job seekers, their desired occupations and certificates, referrals (recommendation → hire
-- pipeline) and partner API keys (src/match, seekers helper). See docs/MATCH_SEEKERS.md.
-- Time stamps are UTC text "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD", money BIGINT fen, flags 0/1.

-- 求职者. One person one record: id_number_index is the keyed blind index of the normalised ID
-- number (np_crypto_blind_index "id_number"); the number itself is sealed (SM4-CTR + HMAC-SM3).
-- id_number_masked ("370***********1234") is kept so lists never open the seal.
-- sex, birth_date and hukou_region_code are derived from the ID number.
-- region_code is the most specific current location given (county 6, township 9 or village 12
-- digits); county/city codes are denormalised for scoping. lat/lon are micro-degrees;
-- location_approx = 1 when they are the county centroid rather than a given point.
CREATE TABLE seekers (
  id INTEGER PRIMARY KEY,
  id_number_sealed TEXT NOT NULL,
  id_number_index TEXT NOT NULL UNIQUE,
  id_number_masked TEXT NOT NULL,
  name TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
  birth_date TEXT NOT NULL,
  hukou_region_code TEXT NOT NULL,
  from_outside_province INTEGER NOT NULL DEFAULT 0 CHECK (from_outside_province IN (0, 1)),
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  lat_e6 INTEGER NOT NULL,
  lon_e6 INTEGER NOT NULL,
  location_approx INTEGER NOT NULL DEFAULT 1 CHECK (location_approx IN (0, 1)),
  skill_level INTEGER CHECK (skill_level IS NULL OR (skill_level >= 1 AND skill_level <= 8)),
  education TEXT CHECK (education IS NULL OR education IN ('none', 'junior_middle', 'senior_middle',
                                         'secondary_vocational', 'junior_college', 'bachelor', 'master', 'doctorate')),
  expected_salary BIGINT CHECK (expected_salary IS NULL OR (expected_salary > 0 AND expected_salary <= 10000000)),
  available_from TEXT,
  graduation_year INTEGER CHECK (graduation_year IS NULL OR (graduation_year >= 1950 AND graduation_year <= 2100)),
  registered_unemployed_since TEXT,
  hardship INTEGER NOT NULL DEFAULT 0 CHECK (hardship IN (0, 1)),
  consent INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
  status TEXT NOT NULL DEFAULT 'seeking' CHECK (status IN ('seeking', 'employed', 'withdrawn')),
  phone_sealed TEXT,
  phone_index TEXT,
  phone_masked TEXT,
  user_id BIGINT,
  source TEXT NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'self', 'import', 'demo')),
  created_by BIGINT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX seekers_county ON seekers (county_code, id);
CREATE INDEX seekers_city ON seekers (city_code, id);
CREATE INDEX seekers_status ON seekers (status, id);
CREATE INDEX seekers_phone ON seekers (phone_index);
CREATE INDEX seekers_user ON seekers (user_id);

-- Up to three desired occupations in order of preference (rank 1..3); the matching engine reads
-- this table whole at start.
CREATE TABLE seeker_occupations (
  seeker_id BIGINT NOT NULL REFERENCES seekers (id),
  rank INTEGER NOT NULL CHECK (rank >= 1 AND rank <= 3),
  occupation_code TEXT NOT NULL,
  PRIMARY KEY (seeker_id, rank)
);
CREATE INDEX seeker_occupations_occ ON seeker_occupations (occupation_code, seeker_id);

-- Vocational skill certificates (eight-level sequence: 1 学徒工 … 8 首席技师).
CREATE TABLE seeker_certificates (
  id INTEGER PRIMARY KEY,
  seeker_id BIGINT NOT NULL REFERENCES seekers (id),
  occupation_code TEXT NOT NULL,
  level INTEGER NOT NULL CHECK (level >= 1 AND level <= 8),
  cert_no TEXT,
  issued_on TEXT
);
CREATE INDEX seeker_certificates_seeker ON seeker_certificates (seeker_id, id);

-- A recommendation of a seeker for a demand line that staff act on. region/county/city and
-- enterprise_id are the demand line's (scoping of the board). explanation is the JSON the
-- matching engine gave at recommendation time (a snapshot; later scores may differ).
CREATE TABLE referrals (
  id INTEGER PRIMARY KEY,
  demand_id BIGINT NOT NULL REFERENCES demands (id),
  seeker_id BIGINT NOT NULL REFERENCES seekers (id),
  enterprise_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  county_code TEXT NOT NULL,
  city_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'recommended'
    CHECK (status IN ('recommended', 'contacted', 'interviewed', 'hired', 'declined')),
  reason TEXT,
  explanation TEXT,
  hire_id BIGINT,
  version INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT
);
-- One live referral per pair: a declined pair may be referred again only by reopening it.
CREATE UNIQUE INDEX referrals_pair ON referrals (demand_id, seeker_id);
CREATE INDEX referrals_seeker ON referrals (seeker_id, id);
CREATE INDEX referrals_status ON referrals (status, id);
CREATE INDEX referrals_county ON referrals (county_code, id);
CREATE INDEX referrals_enterprise ON referrals (enterprise_id, id);

CREATE TABLE referral_events (
  id INTEGER PRIMARY KEY,
  referral_id BIGINT NOT NULL REFERENCES referrals (id),
  at TEXT NOT NULL,
  user_id BIGINT,
  username TEXT,
  status_before TEXT,
  status_after TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- API keys of partner sites (recruitment websites) that follow the demand feed. Only the SHA-256
-- of the key is stored; prefix (the first 12 characters, "np_" + 9) identifies it in lists.
CREATE TABLE partner_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  rate_per_minute INTEGER NOT NULL DEFAULT 60 CHECK (rate_per_minute >= 1 AND rate_per_minute <= 6000),
  created_by BIGINT,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
