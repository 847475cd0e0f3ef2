/*
 * Sessions: a 256-bit random token (base64url, 43 characters) handed to the client once; the
 * database keeps only its SHA-256. Idle timeout and absolute lifetime come from the settings;
 * last_seen_at is written at most once a minute, so a busy client does not write per request.
 */
#ifndef NP_AUTH_SESSIONS_H
#define NP_AUTH_SESSIONS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/err.h"
#include "http/principal.h"
#include "store/store.h"

#define NP_SESSION_TOKEN_LEN 44   /* 43 base64url characters + NUL */
#define NP_SESSION_PUBLIC_LEN 17  /* 16 hex digits + NUL */
#define NP_SESSION_TOUCH_SECONDS 60

typedef struct np_session_new {
  char token[NP_SESSION_TOKEN_LEN];
  char public_id[NP_SESSION_PUBLIC_LEN];
  int64_t created_at, expires_at;
} np_session_new_t;

/**
 * Opens a session for user_id (inside the caller's transaction when one is open). mfa_pending:
 * only the enrolment routes work until the factor is confirmed. ip / user_agent may be NULL
 * (the user agent is cut to 256 bytes).
 */
np_err np_session_create(np_store_t *s, int64_t user_id, const char *ip, const char *user_agent, bool mfa_pending,
                         np_session_new_t *out, np_errdetail_t *err);

/**
 * Resolves a token into a principal with one indexed query (session joined with its user):
 * NP_ERR_UNAUTHORIZED (code "unauthorized") when unknown, revoked, idle too long, past its
 * absolute end, or when the user is locked or disabled. Updates last_seen_at when older than a
 * minute.
 */
np_err np_session_resolve(np_store_t *s, const char *token, np_principal_t *out, np_errdetail_t *err);

/** Revokes the session of this token (logout). NP_ERR_NOT_FOUND when none is live. */
np_err np_session_revoke_token(np_store_t *s, const char *token, np_errdetail_t *err);

/** Revokes a session by public id (force logout); *user_id (may be NULL) gets its owner. */
np_err np_session_revoke_public(np_store_t *s, const char *public_id, int64_t *user_id, np_errdetail_t *err);

/** Revokes every live session of a user (lock, disable, password reset); except_public may be NULL. */
np_err np_session_revoke_user(np_store_t *s, int64_t user_id, const char *except_public, np_errdetail_t *err);

/** Clears mfa_pending on the user's sessions (after enrolment is confirmed). */
np_err np_session_clear_mfa_pending(np_store_t *s, int64_t user_id, np_errdetail_t *err);

/**
 * Live sessions (online users), newest first, as a JSON array of
 * {id,user_id,username,role,ip,user_agent,created_at,last_seen_at,expires_at}; at most limit items.
 */
np_err np_session_list(np_store_t *s, int limit, json_t **out, np_errdetail_t *err);

/** Hex SHA-256 of a token (what the database keeps). */
void np_session_token_hash(const char *token, char out[65]);

#endif
