/*
 * Money as int64_t fen (1 yuan = 100 fen). No floating point anywhere. Rates are exact integers:
 * basis points (1/10,000) or parts per million (1/1,000,000). Every rounding names its rule.
 * All operations detect overflow (int128 intermediates) and return NP_ERR_INVALID on it; results are
 * kept within [-INT64_MAX, INT64_MAX] so negation is always safe.
 */
#ifndef NP_CORE_MONEY_H
#define NP_CORE_MONEY_H
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/** Rounding rules. Negative values round symmetrically (by magnitude) unless stated. */
typedef enum np_round {
  NP_ROUND_HALF_UP = 0, /* 四舍五入: ties away from zero (1.5 → 2, -1.5 → -2) */
  NP_ROUND_HALF_EVEN,   /* banker's rounding: ties to the even neighbour (0.5 → 0, 1.5 → 2, -2.5 → -2) */
  NP_ROUND_DOWN,        /* toward zero, i.e. truncate (1.9 → 1, -1.9 → -1) */
  NP_ROUND_UP,          /* away from zero (1.1 → 2, -1.1 → -2) */
} np_round_t;

#define NP_MONEY_STRLEN 24 /* "-92233720368547758.07" + NUL fits */

/**
 * Parses yuan text into fen: optional '-', one or more digits, optionally '.' and one or two digits
 * ("1234", "1234.5", "1234.56", "-0.01"; leading zeros are accepted, "-0" is 0). Rejects "", "+1",
 * " 1", "1,234", "1.234", "1.", ".5", "abc" and values beyond ±INT64_MAX fen with NP_ERR_INVALID.
 */
np_err np_money_parse(const char *s, size_t n, int64_t *fen);

/** Formats fen as yuan with exactly two decimals ("1234.56", "-0.01", "0.00"); NP_MONEY_STRLEN always fits. */
np_err np_money_format(int64_t fen, char *buf, size_t cap);

/** Whole yuan → fen (× 100), overflow checked. */
np_err np_money_from_yuan(int64_t yuan, int64_t *fen);

/** fen → whole yuan, rounded with `mode` (e.g. 150 fen HALF_UP → 2). */
np_err np_money_to_yuan(int64_t fen, np_round_t mode, int64_t *yuan);

/** fen rounded to a whole number of yuan, still in fen (12345 HALF_UP → 12300, 12350 → 12400). */
np_err np_money_round_yuan(int64_t fen, np_round_t mode, int64_t *out_fen);

/** fen × bp / 10,000 (bp = basis points, 1 bp = 0.01 %), rounded to whole fen with `mode`. */
np_err np_money_mul_bp(int64_t fen, int64_t bp, np_round_t mode, int64_t *out);

/** fen × ppm / 1,000,000 (parts per million), rounded to whole fen with `mode`. */
np_err np_money_mul_ppm(int64_t fen, int64_t ppm, np_round_t mode, int64_t *out);

/** fen × num / den (den != 0, may be negative), rounded to whole fen with `mode`. */
np_err np_money_mul_ratio(int64_t fen, int64_t num, int64_t den, np_round_t mode, int64_t *out);

/** a + b with overflow detection. */
np_err np_money_add(int64_t a, int64_t b, int64_t *out);

/** a - b with overflow detection. */
np_err np_money_sub(int64_t a, int64_t b, int64_t *out);

/** Human name of a rounding mode ("half_up", "half_even", "down", "up"); NULL for an unknown value. */
const char *np_round_name(np_round_t mode);

#endif
