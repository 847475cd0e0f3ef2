-- Policy 1 (失业保险稳岗返还) as SQL, as of 2023-12-31 (previous year 2022): one decision row per
-- enterprise with the first failing criterion and the refund in fen (half up). Same rules as
-- data/policies/shandong-2023/1-ui-job-stabilisation-refund.yaml; runs on SQLite and DuckDB.
CREATE TABLE d1 AS
WITH f AS (
  SELECT enterprise_id,
         SUM(CASE WHEN ui_due_fen > 0 AND ui_paid_fen >= ui_due_fen THEN 1 ELSE 0 END) AS months_paid_full,
         SUM(ui_paid_fen) AS paid, SUM(layoffs) AS layoffs, SUM(insured) AS ins_sum, COUNT(*) AS n,
         SUM(CASE WHEN month = '2022-12-01' THEN arrears_fen ELSE 0 END) AS arrears_ye
  FROM facts WHERE month >= '2022-01-01' AND month < '2023-01-01'
  GROUP BY enterprise_id),
r AS (
  SELECT e.id, e.size_class, f.paid,
         CASE WHEN e.industry_section NOT IN ('B', 'C', 'D') THEN 'industrial_enterprise'
              WHEN COALESCE(f.months_paid_full, 0) < 12 THEN 'contributions_paid_full_year'
              WHEN f.arrears_ye <> 0 THEN 'arrears_end_of_year'
              WHEN f.layoffs > 0 AND f.layoffs * f.n * 1000 >
                   (CASE WHEN f.ins_sum <= 30 * f.n THEN 200 ELSE 55 END) * f.ins_sum THEN 'layoff_rate'
              WHEN e.size_class NOT IN ('small', 'medium', 'micro', 'large') THEN 'no_amount_rule'
              ELSE NULL END AS reason
  FROM enterprises e LEFT JOIN f ON f.enterprise_id = e.id)
SELECT id, CASE WHEN reason IS NULL THEN 1 ELSE 0 END AS eligible, reason,
       CASE WHEN reason IS NOT NULL THEN 0
            WHEN size_class = 'large' THEN (paid * 3 + 5) / 10
            ELSE (paid * 6 + 5) / 10 END AS amount_fen
FROM r;
SELECT COUNT(*) AS decisions, SUM(eligible) AS eligible, SUM(amount_fen) AS amount_fen FROM d1;
