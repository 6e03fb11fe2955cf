/* verify.h — `tcard verify`: checks a certificate's QR token offline, with
 * the published public keys and no server (doc/qr-token.md). */
#ifndef TCARD_CLI_VERIFY_H
#define TCARD_CLI_VERIFY_H

#include <stdio.h>

/* Runs `tcard verify TOKEN-or-URL --key FILE [--key FILE …]`; argv[0] is
 * "verify". Prints the verdict on out (errors on err) and returns the exit
 * status: 0 valid, 1 invalid, 64 usage, 66 a key file unreadable. */
int verify_command(int argc, char **argv, FILE *out, FILE *err);

#endif
