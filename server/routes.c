/* routes.c — the route table: method, pattern, handler, roles admitted, body
 * kind. The router, the OpenAPI document and the role × route matrix test all
 * read this one table; adding an endpoint is adding a row. */
#include "routes.h"

#include "api_audit.h"
#include "api_meta.h"
#include "api_officers.h"
#include "api_orgs.h"
#include "audit.h"

#define JSON ROUTE_BODY_JSON
#define NONE ROUTE_BODY_NONE

const struct route routes_table[] = {
        /* method      pattern                              handler                roles */
        {HTTP_GET, "/healthz", api_meta_healthz, ROLE_PUBLIC, NONE, "The process is up"},
        {HTTP_GET, "/readyz", api_meta_readyz, ROLE_PUBLIC, NONE, "The database answers"},
        {HTTP_GET, "/api/v1/openapi.json", api_meta_openapi, ROLE_PUBLIC, NONE,
         "This API as OpenAPI 3.1"},

        {HTTP_GET, "/api/v1/orgs", api_orgs_list, ROLE_ANY_USER, NONE, "List organisations"},
        {HTTP_POST, "/api/v1/orgs", api_orgs_create, ROLE_ADMIN, JSON, "Create an organisation"},
        {HTTP_GET, "/api/v1/orgs/{id}", api_orgs_get, ROLE_ANY_USER, NONE, "Read an organisation"},
        {HTTP_PATCH, "/api/v1/orgs/{id}", api_orgs_update, ROLE_ADMIN, JSON,
         "Change or move an organisation (If-Match)"},

        {HTTP_GET, "/api/v1/officers", api_officers_list, ROLE_STAFF, NONE, "List officers"},
        {HTTP_POST, "/api/v1/officers", api_officers_create, ROLE_ADMIN | ROLE_HR, JSON,
         "Register an officer"},
        {HTTP_GET, "/api/v1/officers/{id}", api_officers_get, ROLE_ANY_USER, NONE,
         "Read an officer"},
        {HTTP_PATCH, "/api/v1/officers/{id}", api_officers_update, ROLE_ADMIN | ROLE_HR, JSON,
         "Correct, move or change the status of an officer (If-Match)"},
        {HTTP_GET, "/api/v1/officers/{id}/history", api_officers_history, ROLE_STAFF, NONE,
         "An officer's history of changes"},

        {HTTP_GET, "/api/v1/audit", api_audit_list, ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "The audit log within the reader's scope"},
        {HTTP_GET, "/api/v1/audit/verify", api_audit_verify, ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "Re-check the audit hash chain and its checkpoints"},
};

const size_t routes_count = sizeof(routes_table) / sizeof(routes_table[0]);

const struct db_stmt_table *const routes_statements[] = {
        &api_orgs_statements,
        &api_officers_statements,
        &audit_statements,
        &api_audit_statements,
};

const size_t routes_statement_tables = sizeof(routes_statements) / sizeof(routes_statements[0]);
