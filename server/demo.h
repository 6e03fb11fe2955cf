/* demo.h — the demo city: a believable municipality with counties, about 30
 * units and about 500 officers with valid national IDs and Chinese names, for
 * the first start of the embedded default and for trying tcard out. */
#ifndef TCARD_DEMO_H
#define TCARD_DEMO_H

#include "err.h"

#include <libpq-fe.h>

/* Loads the demo city through conn (the app role) in one transaction, into a
 * database that has no organisation yet; does nothing otherwise. The data are
 * the same on every run (fixed seed), national IDs sealed with pii.c.
 * Returns the number of officers loaded (0 when the database had data), or
 * -1 with err. */
int demo_load(PGconn *conn, struct err *err);

#endif
