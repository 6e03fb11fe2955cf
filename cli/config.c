/* config.c — the files `tcard login` writes and `tcard import` reads. The
 * token is a password: the file is created 0600 in a 0700 directory and
 * replaced through a temporary file, never left readable by others. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int config_dir(char *out, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int len;

	if (xdg != NULL && xdg[0] == '/')
		len = snprintf(out, size, "%s/tcard", xdg);
	else if (home != NULL && home[0] != '\0')
		len = snprintf(out, size, "%s/.config/tcard", home);
	else
		return -1;
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int config_path(const char *name, char *out, size_t size)
{
	char dir[4096];
	int len;

	if (config_dir(dir, sizeof(dir)) != 0)
		return -1;
	len = snprintf(out, size, "%s/%s", dir, name);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int config_read(const char *name, char *out, size_t size)
{
	char path[4096];
	FILE *f;
	size_t len;

	if (config_path(name, path, sizeof(path)) != 0)
		return -1;
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	len = fread(out, 1, size - 1, f);
	(void)fclose(f);
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' || out[len - 1] == ' '))
		out[--len] = '\0';
	return len > 0 ? 0 : -1;
}

/* mkdir -p for the config directory, the last level 0700. */
static int config_make_dir(const char *dir)
{
	char path[4096];
	char *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -1;
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	return chmod(path, 0700);
}

int config_write(const char *name, const char *value)
{
	char dir[4096], path[4200], tmp[4300];
	size_t len = strlen(value);
	int fd, rc = -1;

	if (config_dir(dir, sizeof(dir)) != 0 || config_make_dir(dir) != 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, value, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		(void)unlink(tmp);
	return rc;
}
