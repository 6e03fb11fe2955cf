/* fs.h — small file-system helpers shared by start-up code (data directory,
 * keys, the embedded cluster). */
#ifndef TCARD_FS_H
#define TCARD_FS_H

#include "err.h"

#include <sys/types.h>

/* mkdir -p: creates missing parents with mode 0755 and path itself with mode
 * (existing directories are left as they are). Returns 0 or -1 with err. */
int fs_mkdirs(const char *path, mode_t mode, struct err *err);

#endif
