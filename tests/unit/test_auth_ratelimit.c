/* The sign-in limiter: attempts per key and window, Retry-After, bounded table, IPv6 /64 keys. */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "auth/ratelimit.h"

static void test_window(void **state) {
  (void)state;
  np_auth_rl_t *rl = np_auth_rl_new(20, 60, 64);
  assert_non_null(rl);
  int retry = -1;
  for (int i = 0; i < 20; i++) assert_int_equal(np_auth_rl_hit(rl, "10.0.0.1", 1000 + i, &retry), NP_RL_ALLOW);
  assert_int_equal(retry, 0);
  /* the 21st attempt within the minute is refused, reported once, with the seconds left */
  assert_int_equal(np_auth_rl_hit(rl, "10.0.0.1", 1030, &retry), NP_RL_DENY_FIRST);
  assert_int_equal(retry, 30);
  assert_int_equal(np_auth_rl_hit(rl, "10.0.0.1", 1059, &retry), NP_RL_DENY);
  assert_int_equal(retry, 1);
  /* other addresses are not affected */
  assert_int_equal(np_auth_rl_hit(rl, "10.0.0.2", 1059, &retry), NP_RL_ALLOW);
  /* a new window starts when the old one ends */
  assert_int_equal(np_auth_rl_hit(rl, "10.0.0.1", 1060, &retry), NP_RL_ALLOW);
  np_auth_rl_free(rl);
  assert_null(np_auth_rl_new(0, 60, 64));
  assert_null(np_auth_rl_new(5, 0, 64));
  /* no limiter: allowed (callers must check for NULL themselves; the server fails closed) */
  assert_int_equal(np_auth_rl_hit(NULL, "x", 1, &retry), NP_RL_ALLOW);
}

static void test_bounded_and_spraying(void **state) {
  (void)state;
  /* a small table: many addresses evict each other, but one address never gets more than the limit */
  np_auth_rl_t *rl = np_auth_rl_new(3, 60, 8);
  assert_non_null(rl);
  char key[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "192.0.2.%d", i % 250);
    (void)np_auth_rl_hit(rl, key, 5000, NULL);
  }
  int allowed = 0;
  for (int i = 0; i < 10; i++)
    if (np_auth_rl_hit(rl, "198.51.100.7", 5001, NULL) == NP_RL_ALLOW) allowed++;
  assert_int_equal(allowed, 3);
  np_auth_rl_free(rl);
}

static void test_ip_keys(void **state) {
  (void)state;
  char k[64];
  np_auth_rl_ip_key("203.0.113.9", k);
  assert_string_equal(k, "203.0.113.9");
  char k2[64];
  /* one subscriber's /64 is one key */
  np_auth_rl_ip_key("2001:db8:1:2:aaaa::1", k);
  np_auth_rl_ip_key("2001:db8:1:2:bbbb::9", k2);
  assert_string_equal(k, k2);
  assert_string_equal(k, "2001:db8:1:2::/64");
  np_auth_rl_ip_key("2001:db8:1:3::1", k2);
  assert_string_not_equal(k, k2);
  /* IPv4-mapped addresses stay whole (dual-stack listeners) */
  np_auth_rl_ip_key("::ffff:203.0.113.9", k);
  np_auth_rl_ip_key("::ffff:203.0.113.10", k2);
  assert_string_not_equal(k, k2);
  np_auth_rl_ip_key(NULL, k);
  assert_string_equal(k, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_window),
    cmocka_unit_test(test_bounded_and_spraying),
    cmocka_unit_test(test_ip_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
