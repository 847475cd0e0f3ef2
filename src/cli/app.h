/* The application: wires every capability's routes and the auth hooks into the HTTP server. */
#ifndef NP_CLI_APP_H
#define NP_CLI_APP_H
#include "http/http.h"

/**
 * Registers every module's routes (np_<module>_api_register(h)) and sets the authn/authz hooks.
 * The one place where capabilities are wired into the server; the built-in health and OpenAPI
 * routes are registered by np_http_new itself.
 */
void np_app_register_routes(np_http_t *h);

#endif
