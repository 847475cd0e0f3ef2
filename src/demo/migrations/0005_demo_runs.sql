-- Which demo data sets were loaded into this database (the demo refuses to load twice).
CREATE TABLE demo_runs (
  id INTEGER PRIMARY KEY,
  seed BIGINT NOT NULL,
  scale TEXT NOT NULL CHECK (scale IN ('small', 'city', 'province')),
  loaded_at TEXT NOT NULL
);
