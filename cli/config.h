/* config.h — what `tcard login` keeps for later commands: the token and the
 * server, one file each under $XDG_CONFIG_HOME/tcard (default ~/.config/tcard),
 * the directory 0700 and the files 0600. */
#ifndef TCARD_CLI_CONFIG_H
#define TCARD_CLI_CONFIG_H

#include <stddef.h>

/* Reads the stored value `name` ("token", "server") into out, trimmed:
 * 0, or -1 when there is none. */
int config_read(const char *name, char *out, size_t size);

/* Stores value as `name`, creating the directory; 0 or -1 (errno set). */
int config_write(const char *name, const char *value);

/* The path of `name`'s file, for messages: 0, or -1 when it does not fit. */
int config_path(const char *name, char *out, size_t size);

#endif
