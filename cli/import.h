/* import.h — `tcard import KIND FILE`: streams a CSV file to
 * POST /api/v1/imports/KIND (doc/import.md) and reports the outcome. */
#ifndef TCARD_CLI_IMPORT_H
#define TCARD_CLI_IMPORT_H

/* Runs the command; argv[0] is "import". Returns the exit status: 0 imported
 * (or a clean dry run), 64 usage, 65 data errors (nothing written), 69 server
 * unreachable, 77 not allowed. */
int import_command(int argc, char **argv);

#endif
