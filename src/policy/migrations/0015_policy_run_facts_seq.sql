-- policy: the change-feed position of the facts a run read (the highest `changes.seq` of the entities
-- 'policy_facts' and 'enterprise' before loading), so that an explanation can tell whether the inputs
-- changed since the run without hashing every fact again (explanations load one entity's rows only);
-- NULL for runs made before this column existed. And the index the one-entity loader needs to read a
-- person's internships (the other collections have theirs in 0013).
ALTER TABLE policy_runs ADD COLUMN facts_seq BIGINT;
CREATE INDEX policy_internships_person ON policy_internships (person_id);
