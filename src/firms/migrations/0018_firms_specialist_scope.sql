-- What a specialist (用工服务专员) may see: the enterprises assigned to them — directly, through an
-- assigned development zone (its enterprises) or an assigned major project (its enterprise) — while the
-- assignment is open and the specialist active. src/http/authz.c scopes enterprise, project and demand
-- rows of the specialist role by it (NP_SCOPE_ASSIGNED: "… AND e.id IN (SELECT enterprise_id FROM
-- specialist_enterprises WHERE user_id = ?)", registered by src/firms/specialists.c); "my enterprises"
-- lists it. An enterprise may appear more than once (e.g. its own assignment and its project's).
CREATE VIEW specialist_enterprises AS
SELECT s.user_id AS user_id, s.id AS specialist_id, a.target_id AS enterprise_id, a.target_kind AS via,
       a.id AS assignment_id, a.since AS since
  FROM specialist_assignments a JOIN specialists s ON s.id = a.specialist_id
 WHERE a.target_kind = 'enterprise' AND a.until IS NULL AND s.active = 1
UNION ALL
SELECT s.user_id, s.id, e.id, a.target_kind, a.id, a.since
  FROM specialist_assignments a JOIN specialists s ON s.id = a.specialist_id JOIN enterprises e ON e.zone_id = a.target_id
 WHERE a.target_kind = 'zone' AND a.until IS NULL AND s.active = 1
UNION ALL
SELECT s.user_id, s.id, p.enterprise_id, a.target_kind, a.id, a.since
  FROM specialist_assignments a JOIN specialists s ON s.id = a.specialist_id JOIN projects p ON p.id = a.target_id
 WHERE a.target_kind = 'project' AND a.until IS NULL AND s.active = 1 AND p.enterprise_id IS NOT NULL;
