/* Structured logging: one JSON object per line on stderr (or a file), with the request id. */
#ifndef NP_CORE_LOG_H
#define NP_CORE_LOG_H
#include <stdio.h>

typedef enum np_log_level { NP_LOG_DEBUG = 0, NP_LOG_INFO, NP_LOG_WARN, NP_LOG_ERROR } np_log_level;

/** Sets the minimum level written and the stream (NULL = stderr). Not thread-safe; call at start. */
void np_log_setup(np_log_level min, FILE *out);

/** Sets the request id that this thread's log lines carry ("" or NULL clears it). */
void np_log_set_request_id(const char *rid);

/** The current thread's request id, or "". */
const char *np_log_request_id(void);

/**
 * Writes {"ts":…,"level":…,"event":event,"rid":…,"msg":…} where msg is printf-formatted.
 * `event` is a short dotted name ("http.access", "store.open"). Personal data must already be masked.
 */
void np_log(np_log_level lvl, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define np_log_info(ev, ...) np_log(NP_LOG_INFO, ev, __VA_ARGS__)
#define np_log_warn(ev, ...) np_log(NP_LOG_WARN, ev, __VA_ARGS__)
#define np_log_error(ev, ...) np_log(NP_LOG_ERROR, ev, __VA_ARGS__)
#define np_log_debug(ev, ...) np_log(NP_LOG_DEBUG, ev, __VA_ARGS__)

#endif
