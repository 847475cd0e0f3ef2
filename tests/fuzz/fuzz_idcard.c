/*
 * libFuzzer target for the identifier validators: the input goes to the ID-number, credit-code
 * and mobile validators and the masks; accepted values must satisfy their own invariants.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "core/valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool known_even(const char code6[7], void *ctx) {
  (void)ctx;
  return (code6[5] - '0') % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  np_errdetail_t err;
  np_id_info_t id;
  if (np_valid_id_number_on(s, size, NULL, NULL, 20240601, &id, &err) == NP_OK) {
    assert(size == 18 && strlen(id.normalized) == 18);
    assert(np_valid_id_check_char(id.normalized) == id.normalized[17]);
    assert(id.year >= 1800 && id.month >= 1 && id.month <= 12 && id.day >= 1 && id.day <= 31);
    assert(memcmp(id.region, id.normalized, 6) == 0);
    /* the normalised form validates again */
    assert(np_valid_id_number_on(id.normalized, 18, NULL, NULL, 20240601, NULL, NULL) == NP_OK);
  } else {
    assert(err.code[0] != '\0');
  }
  (void)np_valid_id_number_on(s, size, known_even, NULL, 0, NULL, &err);
  np_uscc_info_t u;
  if (np_valid_uscc(s, size, 0, &u, &err) == NP_OK) {
    assert(size == 18 && strlen(u.normalized) == 18);
    np_err strict = np_valid_uscc(s, size, NP_USCC_REQUIRE_ORG_CODE, NULL, &err);
    assert((strict == NP_OK) == u.org_code_ok);
  }
  char mob[12];
  if (np_valid_mobile(s, size, mob, &err) == NP_OK) assert(strlen(mob) == 11 && mob[0] == '1');
  char out[64];
  size_t n = np_mask_id_number(s, size, out, sizeof out);
  assert(strlen(out) == (n < sizeof out ? n : sizeof out - 1));
  np_mask_mobile(s, size, out, sizeof out);
  np_mask_bank_account(s, size, out, 8);
  assert(strlen(out) < 8);
  return 0;
}
