/* Small public helpers of src/ref: the process-wide index, level names, the ID-validator callback. */
#include "ref/ref.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static _Atomic(np_ref_t *) g_ref;

void np_ref_set_global(np_ref_t *ref) { atomic_store(&g_ref, ref); }

const np_ref_t *np_ref_global(void) { return atomic_load(&g_ref); }

static pthread_mutex_t g_lazy_lock = PTHREAD_MUTEX_INITIALIZER;

const np_ref_t *np_ref_shared(np_store_t *s, np_errdetail_t *err) {
  const np_ref_t *ref = np_ref_global();
  if (ref) return ref;
  pthread_mutex_lock(&g_lazy_lock);
  ref = np_ref_global();
  if (!ref) {
    np_ref_t *built = NULL;
    if (!s) {
      np_fail(err, NP_ERR_INTERNAL, "no_store", NULL, "no store to build the reference index from");
    } else if (np_ref_open(s, &built, err) == NP_OK) {
      np_ref_set_global(built);
      ref = built;
    }
  }
  pthread_mutex_unlock(&g_lazy_lock);
  return ref;
}

static const char *const level_names[] = {NULL, "province", "city", "county", "township", "village"};

const char *np_ref_level_name(np_region_level level) {
  return level >= NP_REGION_PROVINCE && level <= NP_REGION_VILLAGE ? level_names[level] : "unknown";
}

np_region_level np_ref_level_parse(const char *name) {
  if (!name) return 0;
  for (int i = NP_REGION_PROVINCE; i <= NP_REGION_VILLAGE; i++)
    if (strcmp(level_names[i], name) == 0) return (np_region_level)i;
  return 0;
}

/* The 34 provincial-level divisions of GB/T 2260 (incl. 71 Taiwan, 81 Hong Kong, 82 Macao). */
static const char *const province_prefixes[] = {"11", "12", "13", "14", "15", "21", "22", "23", "31",
                                                "32", "33", "34", "35", "36", "37", "41", "42", "43",
                                                "44", "45", "46", "50", "51", "52", "53", "54", "61",
                                                "62", "63", "64", "65", "71", "81", "82"};

/*
 * Shandong codes retired by the re-codings named in the reference README (section 1b): ID numbers
 * issued before keep them for life. Other retired codes are not in the reference data.
 */
static const char *const shandong_retired[] = {"370181", "370125", "371200", "371202", "371203", "370282",
                                               "371626", "371523", "370634", "370684"};

bool np_ref_region_known(const char code6[7], void *ctx) {
  const np_ref_t *ref = ctx ? ctx : np_ref_global();
  if (!code6) return false;
  for (int i = 0; i < 6; i++)
    if (code6[i] < '0' || code6[i] > '9') return false;
  if (code6[6] != '\0') return false;
  if (memcmp(code6, "37", 2) == 0) {
    const np_region_t *r = np_ref_region(ref, code6);
    if (r && r->level <= NP_REGION_COUNTY) return true;
    for (size_t i = 0; i < sizeof shandong_retired / sizeof shandong_retired[0]; i++)
      if (memcmp(code6, shandong_retired[i], 6) == 0) return true;
    return false;
  }
  for (size_t i = 0; i < sizeof province_prefixes / sizeof province_prefixes[0]; i++)
    if (memcmp(code6, province_prefixes[i], 2) == 0) return true;
  return false;
}
