/* Audit log routes (auditor only): GET /api/v1/audit, /audit/logins, /audit/export, /audit/verify. */
#ifndef NP_AUDIT_API_H
#define NP_AUDIT_API_H
#include "http/http.h"

/** Registers the read-only audit routes (route action "audit.read"); every read is itself audited. */
void np_audit_api_register(np_http_t *h);

#endif
