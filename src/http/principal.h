/* Who is calling: the authenticated user with role and jurisdiction. Filled by the authn hook. */
#ifndef NP_HTTP_PRINCIPAL_H
#define NP_HTTP_PRINCIPAL_H
#include <stdbool.h>
#include <stdint.h>

typedef enum np_role {
  NP_ROLE_NONE = 0,
  NP_ROLE_SYS_ADMIN,      /* users and settings, no business data */
  NP_ROLE_SECURITY_ADMIN, /* security settings, locks */
  NP_ROLE_AUDITOR,        /* reads the audit log only */
  NP_ROLE_PROVINCE_STAFF,
  NP_ROLE_CITY_STAFF,
  NP_ROLE_COUNTY_STAFF,
  NP_ROLE_SPECIALIST,
  NP_ROLE_ENTERPRISE,
  NP_ROLE_BANK,
  NP_ROLE_SEEKER,
  NP_ROLE_PARTNER, /* a partner site's API key */
  NP_ROLE__COUNT
} np_role;

typedef struct np_principal {
  int64_t user_id;
  char username[64];
  char display_name[96];
  np_role role;
  char region_code[16];   /* jurisdiction region ("370000", "370100", "370102"), "" if none */
  int64_t enterprise_id;  /* jurisdiction enterprise, 0 if none */
  char bank[64];          /* jurisdiction bank, "" if none */
  bool must_change_password;
  bool mfa_enrolment_required; /* role needs a second factor, none enrolled yet: only enrolment routes */
  bool can_unmask;        /* holds the unmask grant for personal data */
  char session_id[32];    /* public id of the session (for logout / online users) */
} np_principal_t;

#endif
