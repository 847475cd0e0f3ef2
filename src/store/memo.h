/*
 * Result memo: a small, bounded, thread-safe cache of int64 results (list totals) keyed by text and
 * tagged with the change-feed sequence they were computed at. An entry is only returned for the same
 * sequence, so any committed write anywhere (every mutation appends to the change feed) retires every
 * entry at once: the memo can make a repeated count cheap, never stale.
 *
 * Read the sequence BEFORE computing the value: the value then reflects at least that sequence, and a
 * write that commits in between moves the sequence on, so the entry is never read again.
 *
 * The connections of one pool share one memo (np_store_memo()); a connection opened alone has its own.
 */
#ifndef NP_STORE_MEMO_H
#define NP_STORE_MEMO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct np_memo np_memo_t;

/** A memo with room for `slots` entries (rounded up to a power of two, at least 16); NULL on no memory. */
np_memo_t *np_memo_new(size_t slots);

/** Frees a memo and its keys. NULL allowed. */
void np_memo_free(np_memo_t *m);

/** True and *out set when key was put at exactly this seq. Keys longer than 4 KiB are never kept. */
bool np_memo_get(np_memo_t *m, const char *key, size_t klen, int64_t seq, int64_t *out);

/** Remembers value for key at seq (replacing what the key's slot held). Ignored when out of memory. */
void np_memo_put(np_memo_t *m, const char *key, size_t klen, int64_t seq, int64_t value);

/** Hits and misses since creation (for /api/v1/health-style counters and tests). */
void np_memo_stats(np_memo_t *m, uint64_t *hits, uint64_t *misses);

#endif
