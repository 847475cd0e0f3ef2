/* Great-circle distances in whole metres and the 0.1° grid (see geo.h). */
#include "core/geo.h"
#include <math.h>

#define EARTH_R_M 6371008.8
#define DEG_E6_TO_RAD (3.14159265358979323846 / 180e6)

int64_t np_geo_distance_m(int32_t lat1_e6, int32_t lon1_e6, int32_t lat2_e6, int32_t lon2_e6) {
  double p1 = lat1_e6 * DEG_E6_TO_RAD, p2 = lat2_e6 * DEG_E6_TO_RAD;
  double dp = (double)((int64_t)lat2_e6 - lat1_e6) * DEG_E6_TO_RAD;
  double dl = (double)((int64_t)lon2_e6 - lon1_e6) * DEG_E6_TO_RAD;
  double s1 = sin(dp / 2), s2 = sin(dl / 2);
  double a = s1 * s1 + cos(p1) * cos(p2) * s2 * s2;
  if (a > 1) a = 1;
  return (int64_t)llround(2 * EARTH_R_M * asin(sqrt(a)));
}

double np_geo_cos_lat(int32_t lat_e6) { return cos(lat_e6 * DEG_E6_TO_RAD); }

/* sin x for |x| <= 0.09 rad: x - x^3/6 + x^5/120 (error below 1e-11 relative). */
static inline double sin_small(double x) {
  double x2 = x * x;
  return x * (1 - x2 / 6 * (1 - x2 / 20));
}

/* asin y for 0 <= y <= 0.09: y + y^3/6 + 3y^5/40 + 5y^7/112. */
static inline double asin_small(double y) {
  double y2 = y * y;
  return y * (1 + y2 * (1.0 / 6 + y2 * (3.0 / 40 + y2 * (5.0 / 112))));
}

int64_t np_geo_fast_distance_m(int32_t lat1_e6, int32_t lon1_e6, double cos1, int32_t lat2_e6, int32_t lon2_e6,
                               double cos2) {
  int64_t dlat = (int64_t)lat2_e6 - lat1_e6, dlon = (int64_t)lon2_e6 - lon1_e6;
  if (dlat > 10000000 || dlat < -10000000 || dlon > 10000000 || dlon < -10000000)
    return np_geo_distance_m(lat1_e6, lon1_e6, lat2_e6, lon2_e6);
  double s1 = sin_small((double)dlat * (DEG_E6_TO_RAD / 2)), s2 = sin_small((double)dlon * (DEG_E6_TO_RAD / 2));
  double a = s1 * s1 + cos1 * cos2 * s2 * s2;
  double y = sqrt(a);
  if (y > 0.09) return np_geo_distance_m(lat1_e6, lon1_e6, lat2_e6, lon2_e6);
  return (int64_t)llround(2 * EARTH_R_M * asin_small(y));
}

bool np_geo_in_shandong(int32_t lat_e6, int32_t lon_e6) {
  return lat_e6 >= 34300000 && lat_e6 <= 38500000 && lon_e6 >= 114700000 && lon_e6 <= 122800000;
}

int np_geo_row(int32_t lat_e6) {
  int64_t r = ((int64_t)lat_e6 - NP_GEO_LAT0_E6) / NP_GEO_CELL_E6;
  if ((int64_t)lat_e6 < NP_GEO_LAT0_E6) r = 0;
  return r < 0 ? 0 : r >= NP_GEO_ROWS ? NP_GEO_ROWS - 1 : (int)r;
}

int np_geo_col(int32_t lon_e6) {
  int64_t c = ((int64_t)lon_e6 - NP_GEO_LON0_E6) / NP_GEO_CELL_E6;
  if ((int64_t)lon_e6 < NP_GEO_LON0_E6) c = 0;
  return c < 0 ? 0 : c >= NP_GEO_COLS ? NP_GEO_COLS - 1 : (int)c;
}

uint32_t np_geo_cell(int32_t lat_e6, int32_t lon_e6) {
  return (uint32_t)(np_geo_row(lat_e6) * NP_GEO_COLS + np_geo_col(lon_e6));
}

void np_geo_cell_range(int32_t lat_e6, int32_t lon_e6, int64_t radius_m, int *row0, int *row1, int *col0,
                       int *col1) {
  /* one micro-degree of latitude is at least 0.11057 m; of longitude 0.11132·cos(lat) m */
  double dlat = radius_m / 0.110574 + 1;
  double c = np_geo_cos_lat(lat_e6);
  double maxlat = fabs((double)lat_e6) + dlat;
  double cmin = maxlat >= 90e6 ? 0 : cos(maxlat * DEG_E6_TO_RAD);
  if (cmin < c && cmin > 0) c = cmin;
  double dlon = c > 1e-6 ? radius_m / (0.111320 * c) + 1 : 360e6;
  double lo = lat_e6 - dlat, hi = lat_e6 + dlat, wlo = lon_e6 - dlon, whi = lon_e6 + dlon;
  *row0 = lo < -2e9 ? 0 : np_geo_row((int32_t)fmax(lo, -2e9));
  *row1 = np_geo_row((int32_t)fmin(hi, 2e9));
  *col0 = np_geo_col((int32_t)fmax(wlo, -2e9));
  *col1 = np_geo_col((int32_t)fmin(whi, 2e9));
}

bool np_geo_parse_deg(const char *s, int32_t *e6) {
  if (!s || !*s) return false;
  bool neg = *s == '-';
  if (neg) s++;
  int64_t whole = 0, frac = 0;
  int nwhole = 0, nfrac = 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (++nwhole > 3) return false;
    whole = whole * 10 + (*s - '0');
  }
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9'; s++) {
      if (++nfrac > 6) return false;
      frac = frac * 10 + (*s - '0');
    }
    if (nfrac == 0) return false;
  }
  if (*s || nwhole == 0) return false;
  for (int i = nfrac; i < 6; i++) frac *= 10;
  int64_t v = whole * 1000000 + frac;
  if (v > 180000000) return false;
  *e6 = (int32_t)(neg ? -v : v);
  return true;
}
