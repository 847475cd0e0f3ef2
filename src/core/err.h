/* One error-code type for the whole code base, and a detail record for the caller who needs one. */
#ifndef NP_CORE_ERR_H
#define NP_CORE_ERR_H
#include <stdarg.h>

typedef enum np_err {
  NP_OK = 0,
  NP_ERR_INVALID,      /* input failed validation (HTTP 400/422) */
  NP_ERR_NOT_FOUND,    /* no such thing, or not visible to the caller (404) */
  NP_ERR_CONFLICT,     /* duplicate, or state does not allow it (409) */
  NP_ERR_UNAUTHORIZED, /* no or bad credentials (401) */
  NP_ERR_FORBIDDEN,    /* authenticated but not allowed (403) */
  NP_ERR_TOO_LARGE,    /* over a size limit (413) */
  NP_ERR_RATE_LIMIT,   /* too many attempts, locked (429) */
  NP_ERR_NOMEM,        /* allocation failed or a size computation overflowed */
  NP_ERR_IO,           /* file or network I/O */
  NP_ERR_STORE,        /* database error */
  NP_ERR_BUSY,         /* database locked, try again */
  NP_ERR_SCHEMA,       /* database schema newer than this binary, or broken */
  NP_ERR_ENCODING,     /* bad UTF-8, bad charset */
  NP_ERR_UNSUPPORTED,  /* feature or engine not available */
  NP_ERR_CRYPTO,       /* key missing, MAC mismatch */
  NP_ERR_INTERNAL,     /* a bug */
  NP_ERR__COUNT
} np_err;

/** Stable lower-case name of an error code ("invalid", "not_found" …), used as the API error code. */
const char *np_err_name(np_err e);

/** Field-level detail: a machine code, the offending field (may be empty) and a readable message. */
typedef struct np_errdetail {
  char code[48];
  char field[96];
  char message[384];
} np_errdetail_t;

/** Fills d (when not NULL) and returns e, so callers can write `return np_fail(d, NP_ERR_INVALID, …)`. */
np_err np_fail(np_errdetail_t *d, np_err e, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** Clears a detail record. */
void np_errdetail_clear(np_errdetail_t *d);

#endif
