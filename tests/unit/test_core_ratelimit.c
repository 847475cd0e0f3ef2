/* The one rate limiter: a bucket of `limit` per window, refusals reported once, Retry-After, bounded
 * table with spraying, the per-minute form, IPv6 /64 keys. */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "core/ratelimit.h"

static void test_bucket(void **state) {
  (void)state;
  np_ratelimit_t *rl = np_ratelimit_new(64);
  assert_non_null(rl);
  int retry = -1;
  const int64_t t = 1000000;
  for (int i = 0; i < 20; i++) assert_int_equal(np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + i, &retry), NP_RL_ALLOW);
  assert_int_equal(retry, 0);
  /* the 21st at once is refused, reported once, with the seconds until the next token (3 s a token) */
  assert_int_equal(np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + 30, &retry), NP_RL_DENY_FIRST);
  assert_int_equal(retry, 3);
  assert_int_equal(np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + 1000, &retry), NP_RL_DENY);
  assert_int_equal(retry, 2);
  /* other addresses are not affected */
  assert_int_equal(np_ratelimit_hit(rl, "10.0.0.2", 20, 60, t + 1000, &retry), NP_RL_ALLOW);
  /* one token after 3 s, then refused again (and reported again: a new run of refusals) */
  assert_int_equal(np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + 3100, &retry), NP_RL_ALLOW);
  assert_int_equal(np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + 3200, &retry), NP_RL_DENY_FIRST);
  /* a full minute refills the whole bucket, never more */
  int allowed = 0;
  for (int i = 0; i < 40; i++)
    if (np_ratelimit_hit(rl, "10.0.0.1", 20, 60, t + 600000 + i, NULL) == NP_RL_ALLOW) allowed++;
  assert_int_equal(allowed, 20);
  /* the per-minute form */
  for (int i = 0; i < 5; i++) assert_true(np_ratelimit_take(rl, "k", 5, t, NULL));
  assert_false(np_ratelimit_take(rl, "k", 5, t, &retry));
  assert_int_equal(retry, 12);
  np_ratelimit_free(rl);
  assert_null(np_ratelimit_new(0));
  assert_null(np_ratelimit_new(4));
  /* no limiter or no limit: allowed (the server fails closed itself where it must) */
  assert_int_equal(np_ratelimit_hit(NULL, "x", 1, 60, 1, &retry), NP_RL_ALLOW);
}

static void test_bounded_and_spraying(void **state) {
  (void)state;
  /* a small table: many addresses evict each other, but one address never gets more than the limit */
  np_ratelimit_t *rl = np_ratelimit_new(8);
  assert_non_null(rl);
  char key[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "192.0.2.%d", i % 250);
    (void)np_ratelimit_hit(rl, key, 3, 60, 5000, NULL);
  }
  int allowed = 0;
  for (int i = 0; i < 10; i++)
    if (np_ratelimit_hit(rl, "198.51.100.7", 3, 60, 5001, NULL) == NP_RL_ALLOW) allowed++;
  assert_int_equal(allowed, 3);
  np_ratelimit_free(rl);
}

static void test_ip_keys(void **state) {
  (void)state;
  char k[64];
  np_ratelimit_ip_key("203.0.113.9", k);
  assert_string_equal(k, "203.0.113.9");
  char k2[64];
  /* one subscriber's /64 is one key */
  np_ratelimit_ip_key("2001:db8:1:2:aaaa::1", k);
  np_ratelimit_ip_key("2001:db8:1:2:bbbb::9", k2);
  assert_string_equal(k, k2);
  assert_string_equal(k, "2001:db8:1:2::/64");
  np_ratelimit_ip_key("2001:db8:1:3::1", k2);
  assert_string_not_equal(k, k2);
  /* IPv4-mapped addresses stay whole (dual-stack listeners) */
  np_ratelimit_ip_key("::ffff:203.0.113.9", k);
  np_ratelimit_ip_key("::ffff:203.0.113.10", k2);
  assert_string_not_equal(k, k2);
  np_ratelimit_ip_key(NULL, k);
  assert_string_equal(k, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bucket),
    cmocka_unit_test(test_bounded_and_spraying),
    cmocka_unit_test(test_ip_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
