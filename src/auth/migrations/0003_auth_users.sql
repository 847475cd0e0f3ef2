-- Accounts, sessions and security settings (src/auth). See docs/ACCOUNTS.md.
-- Times in these tables are BIGINT Unix seconds (UTC): sessions are checked on every request and
-- compared arithmetically (idle and absolute timeouts, lockout windows). The API writes them as
-- ISO-8601 UTC.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,        -- lower-case [a-z0-9._-]{3,64}
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('sys_admin', 'security_admin', 'auditor', 'province_staff', 'city_staff',
                                     'county_staff', 'specialist', 'enterprise', 'bank', 'seeker')),
  region_code TEXT,                     -- jurisdiction of province/city/county staff and specialists
  enterprise_id BIGINT,                 -- jurisdiction of enterprise users
  bank TEXT,                            -- jurisdiction of bank users
  password_hash TEXT NOT NULL,          -- argon2id (libsodium crypto_pwhash_str)
  password_changed_at BIGINT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,  -- automatic lock after repeated failures
  admin_locked INTEGER NOT NULL DEFAULT 0 CHECK (admin_locked IN (0, 1)), -- locked by a security admin
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),         -- disabled (inactivity or admin)
  totp_secret TEXT,                     -- sealed with np_crypto_seal (SM4-CTR + HMAC-SM3); NULL = no factor
  totp_pending TEXT,                    -- sealed secret of an enrolment not yet confirmed
  totp_last_step BIGINT NOT NULL DEFAULT 0, -- time step of the last accepted code (a code works once)
  can_unmask INTEGER NOT NULL DEFAULT 0 CHECK (can_unmask IN (0, 1)),
  last_login_at BIGINT,
  active_at BIGINT NOT NULL,            -- last sign-in, creation or re-enabling: the inactivity clock
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX users_role ON users (role, id);
CREATE INDEX users_region ON users (region_code, id);

-- The last password hashes of each user (no reuse of the last 5; the current one is row 1).
CREATE TABLE password_history (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

-- Single-use recovery codes, stored as keyed hashes (np_crypto_blind_index).
CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  code_hash TEXT NOT NULL,
  used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, code_hash);

-- Sessions: only the SHA-256 of the 256-bit token is stored.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,       -- 16 hex digits, shown on the online-users page
  token_hash TEXT NOT NULL UNIQUE,      -- hex SHA-256 of the token
  user_id INTEGER NOT NULL REFERENCES users (id),
  ip TEXT,
  user_agent TEXT,
  mfa_pending INTEGER NOT NULL DEFAULT 0 CHECK (mfa_pending IN (0, 1)), -- enrolment required first
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,         -- updated at most once a minute
  expires_at BIGINT NOT NULL,           -- absolute end (created + 12 h by default)
  revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);
CREATE INDEX sessions_live ON sessions (revoked_at, expires_at);

-- Per-user preferences (remembered column choices …): JSON text per key.
CREATE TABLE user_preferences (
  user_id INTEGER NOT NULL REFERENCES users (id),
  pkey TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, pkey)
);

-- Security settings (key → JSON value); absent keys take the defaults in src/auth/settings.c.
CREATE TABLE auth_settings (
  skey TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by INTEGER
);
