/* accounts.h — accounts made by tcardd itself rather than through the API:
 * the first administrator and the demo city's accounts. */
#ifndef TCARD_ACCOUNTS_H
#define TCARD_ACCOUNTS_H

#include "err.h"

#include <libpq-fe.h>

/* 16 characters from an alphabet without look-alikes, + NUL. */
#define ACCOUNTS_PASSWORD_BYTES 17

void accounts_one_time_password(char out[ACCOUNTS_PASSWORD_BYTES]);

/* Creates the admin username, or gives it a new password; either way the
 * password (into password) is one-time: it must be changed at the first
 * login. Needs auth_init. 0 or -1 with err. */
int accounts_create_admin(PGconn *conn, const char *username,
                          char password[ACCOUNTS_PASSWORD_BYTES], struct err *err);

/* 1 when any account exists, 0 when none, -1 with err. */
int accounts_has_users(PGconn *conn, struct err *err);

struct accounts_demo {
	char hr_password[ACCOUNTS_PASSWORD_BYTES];      /* hr.meijiang: HR of 梅江区 */
	char auditor_password[ACCOUNTS_PASSWORD_BYTES]; /* auditor.meizhou: all of 梅州市 */
	char officer_password[ACCOUNTS_PASSWORD_BYTES]; /* officer.demo: one officer's own card */
	char officer_name[64];
};

/* Creates (or resets) one account per role over the demo city. 0 or -1. */
int accounts_create_demo(PGconn *conn, struct accounts_demo *demo, struct err *err);

#endif
