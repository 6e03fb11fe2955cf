/* fs.c — small file-system helpers shared by start-up code. */
#include "fs.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

int fs_mkdirs(const char *path, mode_t mode, struct err *err)
{
	char partial[PATH_MAX];
	size_t len = strlen(path), i;
	char saved;

	if (len == 0 || len >= sizeof(partial))
		return err_set(err, "directory path \"%s\" is empty or too long", path);
	memcpy(partial, path, len + 1);
	while (len > 1 && partial[len - 1] == '/')
		partial[--len] = '\0';
	for (i = 1; i <= len; i++) {
		if (partial[i] != '/' && partial[i] != '\0')
			continue;
		saved = partial[i];
		partial[i] = '\0';
		if (mkdir(partial, i == len ? mode : 0755) != 0 && errno != EEXIST)
			return err_set(err, "could not create directory \"%s\": %s", partial,
			               strerror(errno));
		partial[i] = saved;
	}
	return 0;
}
