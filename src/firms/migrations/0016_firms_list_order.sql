-- The enterprise list's first page without a sort (issue 4: city + industry + has shortage, p99 < 50 ms).
-- Ordered as the list is (green channel first, then name, id), per city and per county, carrying the
-- columns the common filters test (industry, open openings) so a page is read from the index alone and
-- the scan stops at the page's last row. The list picks these by name on SQLite (enterprises.c,
-- list_index_hint); the (city/county, industry, …) indexes of 0006 still answer the counts.
CREATE INDEX enterprises_city_ord ON enterprises (city_code, green_channel DESC, name, id, industry_code, open_openings);
CREATE INDEX enterprises_county_ord ON enterprises (county_code, green_channel DESC, name, id, industry_code, open_openings);
CREATE INDEX enterprises_short_city_ord ON enterprises (city_code, green_channel DESC, name, id, industry_code) WHERE open_openings > 0;
CREATE INDEX enterprises_short_county_ord ON enterprises (county_code, green_channel DESC, name, id, industry_code) WHERE open_openings > 0;
