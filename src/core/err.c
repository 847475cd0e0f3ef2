#include "core/err.h"
#include <stdio.h>
#include <string.h>

static const char *const names[NP_ERR__COUNT] = {
  [NP_OK] = "ok", [NP_ERR_INVALID] = "invalid", [NP_ERR_NOT_FOUND] = "not_found",
  [NP_ERR_CONFLICT] = "conflict", [NP_ERR_UNAUTHORIZED] = "unauthorized",
  [NP_ERR_FORBIDDEN] = "forbidden", [NP_ERR_TOO_LARGE] = "too_large",
  [NP_ERR_RATE_LIMIT] = "rate_limited", [NP_ERR_NOMEM] = "out_of_memory", [NP_ERR_IO] = "io",
  [NP_ERR_STORE] = "store", [NP_ERR_BUSY] = "busy", [NP_ERR_SCHEMA] = "schema",
  [NP_ERR_ENCODING] = "encoding", [NP_ERR_UNSUPPORTED] = "unsupported",
  [NP_ERR_CRYPTO] = "crypto", [NP_ERR_INTERNAL] = "internal",
};

const char *np_err_name(np_err e) {
  if ((unsigned)e >= NP_ERR__COUNT || !names[e]) return "internal";
  return names[e];
}

void np_errdetail_clear(np_errdetail_t *d) {
  if (d) memset(d, 0, sizeof *d);
}

np_err np_fail(np_errdetail_t *d, np_err e, const char *code, const char *field, const char *fmt, ...) {
  if (!d) return e;
  snprintf(d->code, sizeof d->code, "%s", code ? code : np_err_name(e));
  snprintf(d->field, sizeof d->field, "%s", field ? field : "");
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
  } else {
    d->message[0] = '\0';
  }
  return e;
}
