-- The alert sweep's rule queries (src/firms/alerts.c, raise_rule) at province scale: the enterprises
-- with open openings by (open_openings, headcount), so "open_openings >= N" and "open openings at
-- least 10 % of the headcount" are a range of this index alone (covering: no table rows, no scan of
-- the 300k enterprises). Measured in docs/PERFORMANCE.md (issue 4, alert sweep).
CREATE INDEX enterprises_alert_share ON enterprises (open_openings, headcount) WHERE open_openings > 0;
