/*
 * A fixed-size pool of store connections: a stack of free connections under a mutex, a condition
 * variable (on the monotonic clock) for waiters. Released connections come back with no open
 * transaction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "core/log.h"
#include "store/memo.h"
#include "store/store.h"

#define POOL_MAX 1024

struct np_store_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int size;
  int nfree;
  np_store_t **all;  /* every connection, for close and ownership checks */
  np_store_t **free; /* stack of idle connections */
  np_memo_t *memo;   /* shared by every connection */
};

np_err np_store_pool_open(const char *url, int size, np_store_pool_t **out, np_errdetail_t *err) {
  *out = NULL;
  if (size < 1 || size > POOL_MAX)
    return np_fail(err, NP_ERR_INVALID, "bad_pool_size", "size", "pool size must be 1..%d", POOL_MAX);
  np_store_pool_t *p = calloc(1, sizeof *p);
  if (!p) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err e = NP_OK;
  bool mu = false, cv = false;
  p->all = calloc((size_t)size, sizeof *p->all);
  p->free = calloc((size_t)size, sizeof *p->free);
  if (!p->all || !p->free) {
    e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto fail;
  }
  if (pthread_mutex_init(&p->mu, NULL) != 0) {
    e = np_fail(err, NP_ERR_INTERNAL, "pool", "", "mutex init failed");
    goto fail;
  }
  mu = true;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  int rc = pthread_cond_init(&p->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (rc != 0) {
    e = np_fail(err, NP_ERR_INTERNAL, "pool", "", "condition variable init failed");
    goto fail;
  }
  cv = true;
  for (int i = 0; i < size; i++) {
    e = np_store_open(url, &p->all[i], err);
    if (e) goto fail;
    p->free[i] = p->all[i];
    p->size = i + 1;
  }
  p->memo = np_memo_new(256);
  if (!p->memo) {
    e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto fail;
  }
  for (int i = 0; i < size; i++) np_store_share_memo(p->all[i], p->memo);
  p->nfree = size;
  *out = p;
  return NP_OK;
fail:
  for (int i = 0; i < p->size; i++) np_store_close(p->all[i]);
  if (cv) pthread_cond_destroy(&p->cv);
  if (mu) pthread_mutex_destroy(&p->mu);
  free(p->all);
  free(p->free);
  free(p);
  return e;
}

np_err np_store_pool_acquire(np_store_pool_t *p, int timeout_ms, np_store_t **out) {
  *out = NULL;
  struct timespec deadline;
  if (timeout_ms > 0) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000L;
    }
  }
  pthread_mutex_lock(&p->mu);
  while (p->nfree == 0) {
    if (timeout_ms == 0) break;
    int rc = timeout_ms < 0 ? pthread_cond_wait(&p->cv, &p->mu) : pthread_cond_timedwait(&p->cv, &p->mu, &deadline);
    if (rc == ETIMEDOUT) break;
  }
  if (p->nfree == 0) {
    pthread_mutex_unlock(&p->mu);
    return NP_ERR_BUSY;
  }
  *out = p->free[--p->nfree];
  pthread_mutex_unlock(&p->mu);
  return NP_OK;
}

void np_store_pool_release(np_store_pool_t *p, np_store_t *s) {
  if (!p || !s) return;
  bool ours = false;
  for (int i = 0; i < p->size && !ours; i++) ours = p->all[i] == s;
  if (!ours) {
    np_log_error("store.pool", "release of a connection that is not from this pool");
    return;
  }
  if (np_store_in_tx(s)) {
    np_log_warn("store.pool", "connection released with an open transaction: rolled back");
    while (np_store_in_tx(s)) np_store_rollback(s);
  }
  pthread_mutex_lock(&p->mu);
  for (int i = 0; i < p->nfree; i++)
    if (p->free[i] == s) { /* released twice: keep the stack consistent */
      pthread_mutex_unlock(&p->mu);
      np_log_error("store.pool", "connection released twice");
      return;
    }
  p->free[p->nfree++] = s;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

void np_store_pool_close(np_store_pool_t *p) {
  if (!p) return;
  if (p->nfree != p->size) np_log_warn("store.pool", "closing with %d connections still in use", p->size - p->nfree);
  for (int i = 0; i < p->size; i++) np_store_close(p->all[i]);
  np_memo_free(p->memo);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  free(p->all);
  free(p->free);
  free(p);
}
