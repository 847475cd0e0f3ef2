-- Policy 2 (一次性扩岗补助) as SQL, as of 2023-12-31: one decision row per spell; once per person
-- (first qualifying hire by start date, then id). ADD24(x) is the dialect's "x + 24 months".
CREATE TABLE d2 AS
WITH c AS (
  SELECT s.id, s.person_id, s.start_date,
         CASE WHEN s.start_date < '2023-01-01' OR s.start_date > '2023-12-31' THEN 'hired_in_period'
              WHEN NOT ((p.graduation_date IS NOT NULL AND substr(CAST(p.graduation_date AS VARCHAR), 1, 4) = substr(CAST(s.start_date AS VARCHAR), 1, 4))
                     OR (p.graduation_date IS NOT NULL AND p.graduation_date <= s.start_date AND s.start_date <= ADD24(p.graduation_date))
                     OR (p.unemployed_since IS NOT NULL AND p.unemployed_since <= s.start_date
                         AND (CAST(substr(CAST(s.start_date AS VARCHAR), 1, 4) AS INTEGER) - CAST(substr(CAST(p.birth_date AS VARCHAR), 1, 4) AS INTEGER)
                              - CASE WHEN substr(CAST(s.start_date AS VARCHAR), 6, 5) < substr(CAST(p.birth_date AS VARCHAR), 6, 5) THEN 1 ELSE 0 END) BETWEEN 16 AND 24))
                THEN 'target_group'
              WHEN s.contract_months < 1 THEN 'labour_contract'
              WHEN s.insured_months < 1 THEN 'contributions_paid'
              WHEN s.absorption_subsidy = 1 THEN 'competing_absorption_subsidy'
              ELSE NULL END AS reason
  FROM spells s JOIN persons p ON p.id = s.person_id),
k AS (
  SELECT id, reason,
         CASE WHEN reason IS NULL THEN ROW_NUMBER() OVER (PARTITION BY person_id, reason IS NULL ORDER BY start_date, id) ELSE 0 END AS rnk
  FROM c)
SELECT id, CASE WHEN reason IS NULL AND rnk = 1 THEN 1 ELSE 0 END AS eligible,
       CASE WHEN reason IS NULL AND rnk > 1 THEN 'once_per_person' ELSE reason END AS reason,
       CASE WHEN reason IS NULL AND rnk = 1 THEN 150000 ELSE 0 END AS amount_fen
FROM k;
SELECT COUNT(*) AS decisions, SUM(eligible) AS eligible, SUM(amount_fen) AS amount_fen FROM d2;
