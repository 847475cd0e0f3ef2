/*
 * Bounded growable byte buffer. Contents are kept NUL-terminated (the NUL is not counted in len and
 * not counted against max). A failed append leaves the buffer as it was.
 */
#ifndef NP_CORE_BUF_H
#define NP_CORE_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include "core/err.h"

#define NP_BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

typedef struct np_buf {
  char *data; /* NULL until the first append; then NUL-terminated */
  size_t len; /* bytes of content */
  size_t cap; /* bytes allocated (content + NUL room) */
  size_t max; /* content limit */
} np_buf_t;

/** Initialises an empty buffer whose content may not exceed max bytes (0 = NP_BUF_DEFAULT_MAX). */
void np_buf_init(np_buf_t *b, size_t max);

/** Makes room for `extra` more bytes: NP_ERR_TOO_LARGE over max (or size_t overflow), NP_ERR_NOMEM on OOM. */
np_err np_buf_reserve(np_buf_t *b, size_t extra);

/** Appends n bytes of p. */
np_err np_buf_append(np_buf_t *b, const void *p, size_t n);

/** Appends a NUL-terminated string. */
np_err np_buf_append_str(np_buf_t *b, const char *s);

/** Appends one byte. */
np_err np_buf_append_char(np_buf_t *b, char c);

/** Appends printf-formatted text (vsnprintf). */
np_err np_buf_appendf(np_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** va_list form of np_buf_appendf. */
np_err np_buf_vappendf(np_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/**
 * Appends s[0..n) escaped for the inside of a JSON string (no surrounding quotes): " \ and control
 * characters are escaped (\n \r \t \b \f, others \u00XX), U+2028/U+2029 as \u2028/\u2029, other
 * UTF-8 passes through. Invalid UTF-8 → NP_ERR_ENCODING (nothing appended).
 */
np_err np_buf_append_json_escaped(np_buf_t *b, const char *s, size_t n);

/** Appends s[0..n) as a quoted JSON string ("…"), escaped as np_buf_append_json_escaped. */
np_err np_buf_append_json_string(np_buf_t *b, const char *s, size_t n);

/** Content as a C string ("" when nothing was appended). Valid until the next append/free. */
const char *np_buf_cstr(const np_buf_t *b);

/** Empties the buffer but keeps its memory. */
void np_buf_reset(np_buf_t *b);

/** Shrinks the content to len bytes (no-op when len >= b->len). */
void np_buf_truncate(np_buf_t *b, size_t len);

/** Hands the malloc'd NUL-terminated content to the caller (free() it) and empties the buffer. */
char *np_buf_steal(np_buf_t *b, size_t *len);

/** Frees the memory; the buffer is left empty and may be reused (same max). */
void np_buf_free(np_buf_t *b);

#endif
