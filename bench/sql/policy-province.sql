-- Synthetic province for the policy explain benchmark (bench/61-policy-explain.sh), written straight into
-- the nineplus tables of a migrated SQLite database with the sqlite3 shell: :ne enterprises with 24 months
-- of insurance facts each (2022-01 … 2023-12), :np persons, :np × 1.2 employment spells, :np / 30
-- internships, :np / 10 certificates. Deterministic (no random()): the values are arithmetic on the ids,
-- so every run builds the same data. The collection indexes are dropped during the load and rebuilt after.
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
DROP INDEX IF EXISTS policy_spells_enterprise;
DROP INDEX IF EXISTS policy_spells_person;
DROP INDEX IF EXISTS policy_internships_enterprise;
DROP INDEX IF EXISTS policy_internships_person;
DROP INDEX IF EXISTS policy_certificates_person;
BEGIN;
INSERT INTO enterprises (id, uscc, name, industry_code, industry_section, region_code, township_code, county_code, city_code,
                         size_class, size_basis, headcount, created_at, updated_at)
SELECT value, printf('91P%015d', value), 'bench enterprise ' || value,
       CASE value % 10 WHEN 7 THEN '0610' WHEN 8 THEN '4411' WHEN 9 THEN '4710' ELSE '3311' END,
       CASE value % 10 WHEN 7 THEN 'B' WHEN 8 THEN 'D' WHEN 9 THEN 'E' ELSE 'C' END,
       code || '001', code || '001', code, substr(code, 1, 4) || '00',
       CASE WHEN value % 100 = 0 THEN 'large' WHEN value % 100 < 10 THEN 'medium' WHEN value % 100 < 45 THEN 'small' ELSE 'micro' END,
       'declared',
       CASE WHEN value % 100 = 0 THEN 300 + value % 1200 WHEN value % 100 < 10 THEN 100 + value % 200
            WHEN value % 100 < 45 THEN 20 + value % 80 ELSE 1 + value % 19 END,
       '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z'
FROM (SELECT value, substr('370102370103370112370202370211370303370502370602370702370811371002371102371302371311371321371402'
                                 || '371502371602371702370176', (value % 20) * 6 + 1, 6) AS code FROM generate_series(1, :ne)) c;
-- facts: insured follows the headcount; a few enterprises shrink, under-pay one month, owe arrears, lay off
INSERT INTO policy_enterprise_facts (id, enterprise_id, month, insured, new_hires, separations, layoffs, ui_due_fen, ui_paid_fen,
                                     arrears_fen)
SELECT value, e, printf('%04d-%02d-01', 2022 + m / 12, m % 12 + 1), ins, (e + m) % 5, (e * 3 + m) % 4,
       CASE WHEN (e * 31 + m) % 97 = 0 THEN 1 + e % 5 ELSE 0 END,
       ins * 4000, CASE WHEN e % 50 = 0 AND m = 7 THEN ins * 4000 - 100 ELSE ins * 4000 END,
       CASE WHEN e % 97 = 0 AND m >= 21 THEN 10000 ELSE 0 END
FROM (SELECT value, (value - 1) / 24 + 1 AS e, (value - 1) % 24 AS m,
             MAX(1, 1 + ((value - 1) / 24 + 1) % 60 - CASE WHEN ((value - 1) / 24 + 1) % 9 = 0 THEN ((value - 1) % 24) / 6 ELSE 0 END) AS ins
      FROM generate_series(1, :ne * 24));
INSERT INTO policy_persons (id, person_key, birth_date, graduation_date, unemployed_since, hardship)
SELECT value, 'P' || value, date('1965-01-01', '+' || ((value * 7919) % 13500) || ' days'),
       CASE value % 4 WHEN 0 THEN '2023-06-30' WHEN 1 THEN '2021-06-30' ELSE NULL END,
       CASE WHEN value % 7 = 0 THEN '2022-11-01' ELSE NULL END, CASE WHEN value % 53 = 0 THEN 1 ELSE 0 END
FROM generate_series(1, :np);
INSERT INTO policy_spells (id, person_id, enterprise_id, start_date, end_date, contract_months, insured_months, absorption_subsidy,
                           employer_ss_monthly_fen)
SELECT value, (value - 1) % :np + 1, (value * 2654435761) % :ne + 1, date('2022-01-01', '+' || ((value * 37) % 700) || ' days'),
       NULL, (value % 4) * 12, value % 30, CASE WHEN value % 100 = 0 THEN 1 ELSE 0 END, 60000 + (value % 7) * 10000
FROM generate_series(1, :np + :np / 5);
INSERT INTO policy_internships (id, person_id, enterprise_id, start_date, months, retained)
SELECT value, (value * 30 - 1) % :np + 1, (value * 7919) % :ne + 1, date('2023-01-01', '+' || ((value * 13) % 300) || ' days'),
       3 + value % 4, value % 2
FROM generate_series(1, :np / 30);
INSERT INTO policy_certificates (id, person_id, level, date, occupation)
SELECT value, (value * 10 - 1) % :np + 1, 2 + value % 4, date('2023-01-01', '+' || ((value * 11) % 350) || ' days'),
       '618010' || (value % 10)
FROM generate_series(1, :np / 10);
COMMIT;
CREATE INDEX policy_spells_enterprise ON policy_spells (enterprise_id);
CREATE INDEX policy_spells_person ON policy_spells (person_id);
CREATE INDEX policy_internships_enterprise ON policy_internships (enterprise_id);
CREATE INDEX policy_internships_person ON policy_internships (person_id);
CREATE INDEX policy_certificates_person ON policy_certificates (person_id);
ANALYZE;
