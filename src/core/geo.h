/*
 * Geography (matching engine, labour sharing, jobs near a point): great-circle distances between points given in integer
 * micro-degrees (lat_e6, lon_e6), returned as whole metres, and a uniform grid of 0.1° cells over
 * Shandong (and a margin) for radius queries.
 *
 * Distances: haversine on a sphere of radius 6,371,008.8 m (IUGG mean). np_geo_distance_m uses
 * libm; np_geo_fast_distance_m evaluates the same formula with short Taylor series for sin and asin
 * (the arguments are small within 10°), agreeing with it to a few millimetres below 500 km, and is
 * what the engine uses everywhere (ranking, filters, explanations) so that every path gives the
 * same whole-metre figure. Floating point stays inside these functions: callers only see int64
 * metres (and rank on them with integer arithmetic).
 */
#ifndef NP_CORE_GEO_H
#define NP_CORE_GEO_H
#include <stdbool.h>
#include <stdint.h>

/* The grid: rows of 0.1° latitude from 33.0°N, columns of 0.1° longitude from 114.0°E. Points outside
 * are clamped to the border cells (still correct: every candidate's exact distance is checked). */
#define NP_GEO_CELL_E6 100000
#define NP_GEO_LAT0_E6 33000000
#define NP_GEO_LON0_E6 114000000
#define NP_GEO_ROWS 60
#define NP_GEO_COLS 95

/** Metres between two points (haversine, libm). */
int64_t np_geo_distance_m(int32_t lat1_e6, int32_t lon1_e6, int32_t lat2_e6, int32_t lon2_e6);

/** cos(latitude) of a point, to keep with it for np_geo_fast_distance_m. */
double np_geo_cos_lat(int32_t lat_e6);

/**
 * Metres between two points with their cos(latitude) precomputed (np_geo_cos_lat): the haversine
 * with series for sin/asin when both differences are within 10°, else the libm formula.
 */
int64_t np_geo_fast_distance_m(int32_t lat1_e6, int32_t lon1_e6, double cos1, int32_t lat2_e6, int32_t lon2_e6,
                               double cos2);

/** True when (lat, lon) lies in Shandong's bounding box (34.3–38.5 N, 114.7–122.8 E). */
bool np_geo_in_shandong(int32_t lat_e6, int32_t lon_e6);

/** Grid row / column of a point (clamped to the grid). */
int np_geo_row(int32_t lat_e6);
int np_geo_col(int32_t lon_e6);
/** Cell number row * NP_GEO_COLS + col. */
uint32_t np_geo_cell(int32_t lat_e6, int32_t lon_e6);

/**
 * The rows and columns (inclusive, clamped) of the cells that may hold a point within radius_m of
 * (lat, lon): the bounding box of the circle, widened by one micro-degree.
 */
void np_geo_cell_range(int32_t lat_e6, int32_t lon_e6, int64_t radius_m, int *row0, int *row1, int *col0, int *col1);

/**
 * Parses decimal degrees ("36.651", "117.12", at most 6 decimals, optional leading '-') into
 * micro-degrees without floating point. false for anything else or beyond ±180°.
 */
bool np_geo_parse_deg(const char *s, int32_t *e6);


#endif
