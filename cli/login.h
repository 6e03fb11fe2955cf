/* login.h — `tcard login`: signs in once with a password and stores an API
 * token for later commands (config.h). */
#ifndef TCARD_CLI_LOGIN_H
#define TCARD_CLI_LOGIN_H

/* Runs `tcard login --server URL --user NAME`; argv[0] is "login". The
 * password comes from the terminal without echo, or from stdin. Returns 0,
 * 64 usage, 69 server unreachable, 77 refused, 73 token not storable. */
int login_command(int argc, char **argv);

#endif
