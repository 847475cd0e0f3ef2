CREATE TABLE enterprises (id INTEGER PRIMARY KEY, size_class TEXT, industry_section TEXT, county_code TEXT, headcount INTEGER);
CREATE TABLE facts (enterprise_id INTEGER, month TEXT, insured INTEGER, layoffs INTEGER, ui_due_fen INTEGER, ui_paid_fen INTEGER, arrears_fen INTEGER);
CREATE TABLE persons (id INTEGER PRIMARY KEY, birth_date TEXT, graduation_date TEXT, unemployed_since TEXT, hardship INTEGER);
CREATE TABLE spells (id INTEGER PRIMARY KEY, person_id INTEGER, enterprise_id INTEGER, start_date TEXT, contract_months INTEGER, insured_months INTEGER, absorption_subsidy INTEGER);
