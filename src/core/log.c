#include "core/log.h"
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static np_log_level min_level = NP_LOG_INFO;
static FILE *log_out;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char tl_rid[40];

void np_log_setup(np_log_level min, FILE *out) {
  min_level = min;
  log_out = out;
}

void np_log_set_request_id(const char *rid) {
  if (!rid) rid = "";
  size_t n = strlen(rid);
  if (n >= sizeof tl_rid) n = sizeof tl_rid - 1;
  memcpy(tl_rid, rid, n);
  tl_rid[n] = '\0';
}

const char *np_log_request_id(void) {
  return tl_rid;
}

/* JSON-escape src into dst (always NUL-terminated); control bytes become \u00XX. */
static void escape(char *dst, size_t cap, const char *src) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)src; *p && o + 7 < cap; p++) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      dst[o++] = '\\';
      dst[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", c);
    } else {
      dst[o++] = (char)c;
    }
  }
  dst[o] = '\0';
}

void np_log(np_log_level lvl, const char *event, const char *fmt, ...) {
  static const char *const lv[] = {"debug", "info", "warn", "error"};
  if (lvl < min_level) return;
  char msg[2048], emsg[4096], ev[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  escape(emsg, sizeof emsg, msg);
  escape(ev, sizeof ev, event ? event : "");
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char when[40];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  FILE *f = log_out ? log_out : stderr;
  pthread_mutex_lock(&log_mu);
  fprintf(f, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"event\":\"%s\",\"rid\":\"%s\",\"msg\":\"%s\"}\n", when,
          ts.tv_nsec / 1000000, lv[lvl], ev, tl_rid, emsg);
  fflush(f);
  pthread_mutex_unlock(&log_mu);
}
