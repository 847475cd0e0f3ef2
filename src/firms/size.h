/*
 * Enterprise size class and the above-scale (规上) flag for industry.
 *
 * Size class: 国统字〔2017〕213号《统计上大中小微型企业划分办法（2017）》, industry rows:
 *   large  employees >= 1000 and revenue >= 400,000,000 yuan
 *   medium employees >= 300  and revenue >=  20,000,000 yuan
 *   small  employees >= 20   and revenue >=   3,000,000 yuan
 *   micro  employees < 20 or revenue < 3,000,000 yuan
 * A class needs both lower limits; otherwise the enterprise falls to the next class down. With one
 * figure missing the class is "unknown" unless the known figure alone already makes it micro.
 *
 * Above scale (规模以上工业): annual main-business revenue >= 20,000,000 yuan (国家统计局, since 2011).
 */
#ifndef NP_FIRMS_SIZE_H
#define NP_FIRMS_SIZE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum np_size_class {
  NP_SIZE_UNKNOWN = 0,
  NP_SIZE_MICRO,
  NP_SIZE_SMALL,
  NP_SIZE_MEDIUM,
  NP_SIZE_LARGE,
} np_size_class;

#define NP_SIZE_ABOVE_SCALE_FEN INT64_C(2000000000) /* 20,000,000 yuan */
#define NP_SIZE_BASIS_CAP 192

/** "large", "medium", "small", "micro", "unknown". */
const char *np_size_class_name(np_size_class c);
/** Parses a class name (also 大型/中型/小型/微型); NP_SIZE_UNKNOWN when unknown. */
np_size_class np_size_class_parse(const char *s);
/** Chinese label 大型/中型/小型/微型/未知. */
const char *np_size_class_label(np_size_class c);

/**
 * Size class from employees and revenue (fen); has_* say whether each figure is known. basis (may be
 * NULL) receives the rule and figures used, e.g. "国统字〔2017〕213号 工业: 从业人员 350, 营业收入 25000000.00 元".
 */
np_size_class np_size_classify(bool has_employees, int64_t employees, bool has_revenue, int64_t revenue_fen,
                               char *basis, size_t cap);

/** True when revenue_fen reaches the above-scale threshold. */
bool np_size_above_scale(int64_t revenue_fen);

#endif
