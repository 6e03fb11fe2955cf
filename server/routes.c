/* routes.c — the route table: method, pattern, handler, roles admitted, body
 * kind. The router, the OpenAPI document and the role × route matrix test all
 * read this one table; adding an endpoint is adding a row. */
#include "routes.h"

#include "api.h"
#include "api_assessments.h"
#include "api_attendance.h"
#include "api_audit.h"
#include "api_auth.h"
#include "api_card.h"
#include "api_cards.h"
#include "api_certificates.h"
#include "api_dashboard.h"
#include "api_exemptions.h"
#include "api_flags.h"
#include "api_imports.h"
#include "api_meta.h"
#include "api_officers.h"
#include "api_orgs.h"
#include "api_policies.h"
#include "api_public.h"
#include "api_qr.h"
#include "api_reports.h"
#include "api_sessions.h"
#include "api_users.h"
#include "api_verify.h"
#include "api_years.h"
#include "audit.h"
#include "auth.h"
#include "hours_store.h"

#define JSON   ROUTE_BODY_JSON
#define NONE   ROUTE_BODY_NONE
#define STREAM ROUTE_BODY_STREAM

const struct route routes_table[] = {
        /* method      pattern                              handler                roles */
        {HTTP_GET, "/healthz", api_meta_healthz, ROLE_PUBLIC, NONE, "The process is up"},
        {HTTP_GET, "/readyz", api_meta_readyz, ROLE_PUBLIC, NONE, "The database answers"},
        /* For a Prometheus scraper holding an admin's or auditor's API token. */
        {HTTP_GET, "/metrics", api_meta_metrics, ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "Prometheus metrics: requests and latency per route, connections, imports"},
        {HTTP_GET, "/api/v1/openapi.json", api_meta_openapi, ROLE_PUBLIC, NONE,
         "This API as OpenAPI 3.1"},

        {HTTP_POST, "/api/v1/login", api_auth_login, ROLE_PUBLIC, JSON,
         "Log in: sets the session cookie, returns the CSRF token"},
        {HTTP_POST, "/api/v1/logout", api_auth_logout, ROLE_ANY_USER, NONE,
         "Log out: revokes the session"},
        {HTTP_GET, "/api/v1/session", api_auth_session, ROLE_ANY_USER, NONE,
         "Who is logged in, and the session's CSRF token"},
        {HTTP_POST, "/api/v1/session/password", api_auth_password, ROLE_ANY_USER, JSON,
         "Change one's own password"},
        {HTTP_GET, "/api/v1/tokens", api_auth_token_list, ROLE_ANY_USER, NONE,
         "One's own API tokens"},
        {HTTP_POST, "/api/v1/tokens", api_auth_token_create, ROLE_ANY_USER, JSON,
         "Create an API token (shown once)"},
        {HTTP_DELETE, "/api/v1/tokens/{id}", api_auth_token_revoke, ROLE_ANY_USER, NONE,
         "Revoke one's own API token"},

        {HTTP_GET, "/api/v1/users", api_users_list, ROLE_ADMIN, NONE, "List accounts"},
        {HTTP_POST, "/api/v1/users", api_users_create, ROLE_ADMIN, JSON,
         "Create an account (returns a one-time password)"},
        {HTTP_GET, "/api/v1/users/{id}", api_users_get, ROLE_ADMIN, NONE, "Read an account"},
        {HTTP_PATCH, "/api/v1/users/{id}", api_users_update, ROLE_ADMIN, JSON,
         "Change an account's name, role, scope or disable it (If-Match)"},
        {HTTP_POST, "/api/v1/users/{id}/password-reset", api_users_reset_password, ROLE_ADMIN, NONE,
         "Give an account a new one-time password"},

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
        {HTTP_GET, "/api/v1/officers/{id}/card", api_card_get, ROLE_ANY_USER, NONE,
         "An officer's training registration card for a year (?year=)"},
        {HTTP_GET, "/api/v1/officers/{id}/exemptions", api_exemptions_list, ROLE_STAFF, NONE,
         "An officer's exemptions, by year"},
        {HTTP_PUT, "/api/v1/officers/{id}/exemptions/{year}", api_exemptions_put,
         ROLE_ADMIN | ROLE_AUDITOR, JSON,
         "Record an officer's exemption for a year: waive or reduce (If-Match)"},
        {HTTP_POST, "/api/v1/officers/{id}/exemptions/{year}/revoke", api_exemptions_revoke,
         ROLE_ADMIN | ROLE_AUDITOR, JSON, "Withdraw an officer's exemption for a year"},
        {HTTP_GET, "/api/v1/orgs/{id}/policies/{year}", api_policies_get, ROLE_STAFF, NONE,
         "The hours policy that applies to an organisation in a year"},
        {HTTP_PUT, "/api/v1/orgs/{id}/policies/{year}", api_policies_put, ROLE_ADMIN, JSON,
         "Set an organisation's own hours policy for a year (If-Match)"},
        {HTTP_DELETE, "/api/v1/orgs/{id}/policies/{year}", api_policies_delete, ROLE_ADMIN, NONE,
         "Remove an organisation's own policy: the ancestor's applies again (If-Match)"},

        {HTTP_GET, "/api/v1/sessions", api_sessions_list, ROLE_STAFF, NONE,
         "List training sessions (filters: org, year, category, q on the title)"},
        {HTTP_POST, "/api/v1/sessions", api_sessions_create, ROLE_ADMIN | ROLE_HR, JSON,
         "Register a training session"},
        {HTTP_GET, "/api/v1/sessions/{id}", api_sessions_get, ROLE_STAFF, NONE,
         "Read a training session"},
        {HTTP_PATCH, "/api/v1/sessions/{id}", api_sessions_update, ROLE_ADMIN | ROLE_HR, JSON,
         "Correct a training session; its records' hours follow (If-Match)"},
        {HTTP_GET, "/api/v1/sessions/{id}/attendance", api_attendance_list, ROLE_STAFF, NONE,
         "The attendance records of a session"},
        {HTTP_POST, "/api/v1/sessions/{id}/attendance", api_attendance_register,
         ROLE_ADMIN | ROLE_HR, JSON, "Register officers on a session, many at once"},
        {HTTP_PATCH, "/api/v1/attendance/{id}", api_attendance_update, ROLE_ADMIN | ROLE_HR, JSON,
         "Credit partial hours to a record, or revoke or restore it (If-Match)"},

        {HTTP_GET, "/api/v1/certificates", api_certificates_list, ROLE_STAFF, NONE,
         "Certificates (filters: org, status, officer, domain, expiring_within days, q)"},
        {HTTP_POST, "/api/v1/certificates", api_certificates_create, ROLE_ADMIN | ROLE_HR, JSON,
         "Issue a certificate to an active officer on an enforcement post"},
        {HTTP_GET, "/api/v1/certificates/{id}", api_certificates_get, ROLE_ANY_USER, NONE,
         "A certificate with the history of its status"},
        {HTTP_PATCH, "/api/v1/certificates/{id}", api_certificates_update, ROLE_ADMIN | ROLE_HR,
         JSON, "Correct a certificate's issuer, domain, area, dates or custody (If-Match)"},
        {HTTP_POST, "/api/v1/certificates/{id}/status", api_certificates_status, ROLE_STAFF, JSON,
         "Suspend, reinstate, withdraw or cancel a certificate, with the reason"},
        {HTTP_GET, "/api/v1/certificates/{id}/qr.svg", api_qr_svg, ROLE_ANY_USER, NONE,
         "The certificate's signed QR code as SVG (?size=&margin=)"},
        {HTTP_GET, "/api/v1/certificates/{id}/qr.png", api_qr_png, ROLE_ANY_USER, NONE,
         "The certificate's signed QR code as PNG (?size=&margin=)"},
        {HTTP_GET, "/api/v1/officers/{id}/certificates", api_certificates_of_officer, ROLE_ANY_USER,
         NONE, "An officer's certificates"},
        {HTTP_GET, "/api/v1/orgs/{id}/certificate-policy", api_certificate_policy_get, ROLE_STAFF,
         NONE, "What leaving the post does to certificates below an organisation"},
        {HTTP_PUT, "/api/v1/orgs/{id}/certificate-policy", api_certificate_policy_put, ROLE_ADMIN,
         JSON, "Cancel certificates at once or after review when officers leave (If-Match)"},
        {HTTP_GET, "/api/v1/officers/{id}/assessments", api_assessments_list, ROLE_ANY_USER, NONE,
         "An officer's annual assessments"},
        {HTTP_PUT, "/api/v1/officers/{id}/assessments/{year}", api_assessments_put,
         ROLE_ADMIN | ROLE_HR, JSON, "Record an officer's annual assessment for a year (If-Match)"},

        {HTTP_POST, "/api/v1/years/{year}/close", api_years_close, ROLE_ADMIN | ROLE_AUDITOR, JSON,
         "Close a training year for a subtree: evaluate and raise withdrawal flags"},
        {HTTP_GET, "/api/v1/years/{year}/close-preview", api_years_preview,
         ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "The flags closing the year would raise, writing nothing"},
        {HTTP_GET, "/api/v1/years/{year}/closings", api_years_closings, ROLE_STAFF, NONE,
         "The closings of a year that cover the reader's units"},
        {HTTP_GET, "/api/v1/flags", api_flags_list, ROLE_STAFF, NONE,
         "Withdrawal flags (filters: org, year, reason, state)"},
        {HTTP_GET, "/api/v1/flags/summary", api_flags_summary, ROLE_STAFF, NONE,
         "Open withdrawal flags counted by unit and reason"},
        {HTTP_GET, "/api/v1/flags/{id}", api_flags_get, ROLE_STAFF, NONE,
         "A withdrawal flag with its history"},
        {HTTP_POST, "/api/v1/flags/{id}/confirm", api_flags_confirm, ROLE_ADMIN | ROLE_AUDITOR,
         JSON, "Confirm a flag: suspend, withdraw or cancel the certificates"},
        {HTTP_POST, "/api/v1/flags/{id}/dismiss", api_flags_dismiss, ROLE_ADMIN | ROLE_AUDITOR,
         JSON, "Dismiss a flag with a reason"},

        {HTTP_GET, "/api/v1/keys", api_keys_list, ROLE_PUBLIC, NONE,
         "The public keys that sign QR codes, old ones included"},
        {HTTP_GET, "/api/v1/verify/{token}", api_verify_json, ROLE_PUBLIC, NONE,
         "Verify a QR token: the certificate's live status, masked (no login)"},
        {HTTP_GET, "/v/{token}", api_verify_page, ROLE_PUBLIC, NONE,
         "The verification page a phone opens after scanning (no login)"},
        {HTTP_GET, "/cards/{officer}/{year}", api_cards_print, ROLE_ANY_USER, NONE,
         "The printable training registration card of an officer's year (A4)"},
        {HTTP_GET, "/public/cancelled-certificates", api_public_cancelled, ROLE_PUBLIC, NONE,
         "Published cancellations: number, masked name, unit, date, reason (no login)"},
        {HTTP_GET, "/public/cancelled-certificates.csv", api_public_cancelled_csv, ROLE_PUBLIC,
         NONE, "The published cancellations as CSV"},

        {HTTP_GET, "/api/v1/reports/compliance", api_reports_compliance, ROLE_STAFF, NONE,
         "Officers of a subtree and year, worst first (?org=&year=&status=)"},
        {HTTP_GET, "/api/v1/reports/compliance.csv", api_reports_compliance_csv, ROLE_STAFF, NONE,
         "The same list as CSV for Excel (audited export)"},
        {HTTP_GET, "/api/v1/reports/compliance.xlsx", api_reports_compliance_xlsx, ROLE_STAFF, NONE,
         "The same list as an XLSX workbook (audited export)"},
        {HTTP_GET, "/api/v1/reports/orgs", api_reports_orgs, ROLE_STAFF, NONE,
         "Per unit below org: officers, met, short, at risk, percent met, average hours"},
        {HTTP_GET, "/api/v1/reports/dashboard", api_reports_dashboard, ROLE_STAFF, NONE,
         "A year of a subtree at a glance: status totals, officers by hours (10 h bins),"
         " records per month (?org=&year=)"},
        {HTTP_GET, "/api/v1/reports/anomalies", api_reports_anomalies, ROLE_STAFF, NONE,
         "Records kept but suspect: overlaps, over 24 h a day, before hire, after leaving"},
        {HTTP_GET, "/api/v1/reports/uncertified", api_certificates_uncertified, ROLE_STAFF, NONE,
         "Active officers on enforcement posts without a valid certificate"},

        {HTTP_GET, "/api/v1/audit", api_audit_list, ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "The audit log within the reader's scope"},
        {HTTP_GET, "/api/v1/audit/verify", api_audit_verify, ROLE_ADMIN | ROLE_AUDITOR, NONE,
         "Re-check the audit hash chain and its checkpoints"},

        {HTTP_POST, "/api/v1/imports/{kind}", api_imports_post, ROLE_ADMIN | ROLE_HR, STREAM,
         "Bulk import of a streamed CSV in one transaction (attendance, assessments)"},
};

const size_t routes_count = sizeof(routes_table) / sizeof(routes_table[0]);

const struct db_stmt_table *const routes_statements[] = {
        &api_statements,
        &auth_statements,
        &api_auth_statements,
        &api_users_statements,
        &api_orgs_statements,
        &api_officers_statements,
        &audit_statements,
        &api_audit_statements,
        &hours_store_statements,
        &api_sessions_statements,
        &api_attendance_statements,
        &api_card_statements,
        &api_policies_statements,
        &api_exemptions_statements,
        &api_reports_statements,
        &api_dashboard_statements,
        &api_certificates_statements,
        &api_public_statements,
        &api_assessments_statements,
        &api_flags_statements,
        &api_years_statements,
        &api_qr_statements,
        &api_cards_statements,
        &api_verify_statements,
};

const size_t routes_statement_tables = sizeof(routes_statements) / sizeof(routes_statements[0]);
