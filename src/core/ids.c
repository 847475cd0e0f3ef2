#include "core/ids.h"
#include <stdio.h>
#include <string.h>
#include "core/str.h"

const char *np_id_format(const char *prefix, int64_t id, char *out, size_t cap) {
  if (!out || cap == 0) return "";
  int n = id >= 1 ? snprintf(out, cap, "%s%lld", prefix, (long long)id) : -1;
  if (n < 0 || (size_t)n >= cap) out[0] = '\0';
  return out;
}

np_err np_id_parse(const char *prefix, const char *s, int64_t *out) {
  if (!s || !prefix) return NP_ERR_NOT_FOUND;
  size_t pl = strlen(prefix), n = strlen(s);
  if (n <= pl || n > pl + 19 || strncmp(s, prefix, pl) != 0) return NP_ERR_NOT_FOUND;
  if (s[pl] == '0') return NP_ERR_NOT_FOUND; /* one spelling per id */
  return np_parse_int64(s + pl, n - pl, 1, INT64_MAX, out) == NP_OK ? NP_OK : NP_ERR_NOT_FOUND;
}
