// DuckDB side of bench/60-policy.sh: loads the CSVs written by `nineplus policy bench --csv DIR` and
// runs policies 1 and 2 as SQL (bench/sql/policy1.sql, policy2.sql). Prints "name ms result".
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const dir = process.argv[2];
const threads = process.argv[3] || '2';
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const t = async (name, sql) => {
  const t0 = performance.now();
  const r = await con.runAndReadAll(sql);
  const ms = performance.now() - t0;
  const rows = r.getRows();
  console.log(`${name} ${ms.toFixed(0)} ${rows.length ? JSON.stringify(rows[rows.length - 1], (k, v) => typeof v === 'bigint' ? v.toString() : v) : ''}`);
};
const csv = (f, cols) => `read_csv('${dir}/${f}', header = true, nullstr = '', columns = ${cols})`;
await t('load', `
  CREATE TABLE enterprises AS SELECT * FROM ${csv('enterprises.csv', "{'id': 'BIGINT', 'size_class': 'VARCHAR', 'industry_section': 'VARCHAR', 'county_code': 'VARCHAR', 'headcount': 'INTEGER'}")};
  CREATE TABLE facts AS SELECT * FROM ${csv('facts.csv', "{'enterprise_id': 'BIGINT', 'month': 'VARCHAR', 'insured': 'INTEGER', 'layoffs': 'INTEGER', 'ui_due_fen': 'BIGINT', 'ui_paid_fen': 'BIGINT', 'arrears_fen': 'BIGINT'}")};
  CREATE TABLE persons AS SELECT * FROM ${csv('persons.csv', "{'id': 'BIGINT', 'birth_date': 'VARCHAR', 'graduation_date': 'VARCHAR', 'unemployed_since': 'VARCHAR', 'hardship': 'INTEGER'}")};
  CREATE TABLE spells AS SELECT * FROM ${csv('spells.csv', "{'id': 'BIGINT', 'person_id': 'BIGINT', 'enterprise_id': 'BIGINT', 'start_date': 'VARCHAR', 'contract_months': 'INTEGER', 'insured_months': 'INTEGER', 'absorption_subsidy': 'INTEGER'}")};
  SELECT COUNT(*) FROM facts;`);
const here = new URL('.', import.meta.url).pathname;
const sql1 = readFileSync(`${here}sql/policy1.sql`, 'utf8').replaceAll(' / 10', ' // 10'); // integer division in DuckDB
const sql2 = readFileSync(`${here}sql/policy2.sql`, 'utf8')
  .replaceAll(/ADD24\(([^)]*)\)/g, "strftime(CAST($1 AS DATE) + INTERVAL 24 MONTH, '%Y-%m-%d')");
await t('policy1', sql1);
await t('policy2', sql2);
