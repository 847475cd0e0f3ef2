/* The firms dictionaries of GET /api/v1/dicts: one entry per validator value, every value labelled. */
#include "testutil.h"
#include <jansson.h>
#include <string.h>
#include "firms/dicts.h"

static void every_value_labelled(void **state) {
  (void)state;
  size_t n = 0;
  for (size_t d = 0; np_firms_dicts[d].name; d++, n++) {
    assert_non_null(np_firms_dicts[d].values);
    assert_non_null(np_firms_dicts[d].values[0]);
    for (size_t i = 0; np_firms_dicts[d].values[i]; i++) {
      const char *zh = NULL, *en = NULL, *tag = NULL;
      if (!np_firms_dict_label(np_firms_dicts[d].name, np_firms_dicts[d].values[i], &zh, &en, &tag))
        fail_msg("%s.%s has no label", np_firms_dicts[d].name, np_firms_dicts[d].values[i]);
      assert_true(*zh && *en);
      assert_true(strcmp(tag, "primary") == 0 || strcmp(tag, "success") == 0 || strcmp(tag, "info") == 0 ||
                  strcmp(tag, "warning") == 0 || strcmp(tag, "danger") == 0);
    }
  }
  assert_true(n >= 19);
}

static void served_as_the_validators_have_them(void **state) {
  (void)state;
  json_t *o = np_firms_dicts_json();
  assert_non_null(o);
  for (size_t d = 0; np_firms_dicts[d].name; d++) {
    json_t *arr = json_object_get(o, np_firms_dicts[d].name);
    assert_true(json_is_array(arr));
    size_t i = 0;
    for (; np_firms_dicts[d].values[i]; i++) {
      json_t *it = json_array_get(arr, i);
      assert_string_equal(json_string_value(json_object_get(it, "value")), np_firms_dicts[d].values[i]);
      assert_non_null(json_string_value(json_object_get(it, "label_zh")));
      assert_non_null(json_string_value(json_object_get(it, "label_en")));
      assert_non_null(json_string_value(json_object_get(it, "tag")));
    }
    assert_int_equal(json_array_size(arr), i);
  }
  /* spot checks against the validators' own vocabulary */
  assert_true(np_firms_in_list("partly_filled", np_firms_demand_status_values));
  assert_true(np_firms_in_list("secondary_vocational", np_firms_education_values));
  assert_true(np_firms_in_list("labour_sharing", np_firms_measure_types));
  assert_true(np_firms_in_list("not_required", np_firms_alert_deadlines));
  assert_false(np_firms_in_list("fax", np_firms_log_kinds));
  assert_false(np_firms_in_list(NULL, np_firms_log_kinds));
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_value_labelled),
    cmocka_unit_test(served_as_the_validators_have_them),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
