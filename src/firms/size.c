/* Size class and above-scale flag (see size.h). */
#include "firms/size.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/money.h"

const char *const np_firms_size_classes[] = {"unknown", "micro", "small", "medium", "large", NULL};
static const char *const labels[] = {"未知", "微型", "小型", "中型", "大型"};

const char *np_size_class_name(np_size_class c) {
  return (int)c >= 0 && c <= NP_SIZE_LARGE ? np_firms_size_classes[c] : np_firms_size_classes[0];
}

const char *np_size_class_label(np_size_class c) {
  return (int)c >= 0 && c <= NP_SIZE_LARGE ? labels[c] : labels[0];
}

np_size_class np_size_class_parse(const char *s) {
  if (!s) return NP_SIZE_UNKNOWN;
  for (int i = 1; i <= NP_SIZE_LARGE; i++)
    if (strcmp(s, np_firms_size_classes[i]) == 0 || strcmp(s, labels[i]) == 0) return (np_size_class)i;
  return NP_SIZE_UNKNOWN;
}

/* Lower limits per class, index = class. */
static const int64_t min_employees[] = {0, 0, 20, 300, 1000};
static const int64_t min_revenue_fen[] = {0, 0, INT64_C(300000000), INT64_C(2000000000), INT64_C(40000000000)};

static np_size_class by_employees(int64_t e) {
  for (int c = NP_SIZE_LARGE; c > NP_SIZE_MICRO; c--)
    if (e >= min_employees[c]) return (np_size_class)c;
  return NP_SIZE_MICRO;
}

static np_size_class by_revenue(int64_t r) {
  for (int c = NP_SIZE_LARGE; c > NP_SIZE_MICRO; c--)
    if (r >= min_revenue_fen[c]) return (np_size_class)c;
  return NP_SIZE_MICRO;
}

np_size_class np_size_classify(bool has_employees, int64_t employees, bool has_revenue, int64_t revenue_fen,
                               char *basis, size_t cap) {
  np_size_class c = NP_SIZE_UNKNOWN;
  if (has_employees && has_revenue) {
    np_size_class a = by_employees(employees), b = by_revenue(revenue_fen);
    c = a < b ? a : b; /* both lower limits must be met */
  } else if (has_employees && by_employees(employees) == NP_SIZE_MICRO) {
    c = NP_SIZE_MICRO;
  } else if (has_revenue && by_revenue(revenue_fen) == NP_SIZE_MICRO) {
    c = NP_SIZE_MICRO;
  }
  if (basis && cap) {
    char emp[32] = "未知", rev[NP_MONEY_STRLEN + 8] = "未知";
    if (has_employees) snprintf(emp, sizeof emp, "%" PRId64, employees);
    if (has_revenue) {
      char y[NP_MONEY_STRLEN];
      np_money_format(revenue_fen, y, sizeof y);
      snprintf(rev, sizeof rev, "%s 元", y);
    }
    snprintf(basis, cap, "国统字〔2017〕213号 工业: 从业人员 %s, 营业收入 %s → %s", emp, rev, np_size_class_label(c));
  }
  return c;
}

bool np_size_above_scale(int64_t revenue_fen) {
  return revenue_fen >= NP_SIZE_ABOVE_SCALE_FEN;
}
