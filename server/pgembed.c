/* pgembed.c — creates, starts and stops the embedded PostgreSQL 15 cluster (see pgembed.h).
 * Privilege boundary: as root we touch only <data_dir> and <data_dir>/pg itself; everything
 * beneath pg/ is created, written and removed by a forked child that has become the cluster
 * user, so whoever controls the `postgres` account cannot steer root through symlinks there. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "pgembed.h"

#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

#define PGEMBED_DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"
#define PGEMBED_CLUSTER_USER   "postgres" /* OS user when we are root; also the DB superuser */
#define PGEMBED_SOCKET_FILE    ".s.PGSQL.5432"
/* sizeof(((struct sockaddr_un *)0)->sun_path) on Linux: the socket path and its NUL. */
#define PGEMBED_SUN_PATH 108
/* PostgreSQL's MAXPGPATH is 1024; leave room for the longest file names under PGDATA. */
#define PGEMBED_ROOT_MAX       900
#define PGEMBED_READY_WAIT_MS  60000 /* matches pg_ctl -t 60 */
#define PGEMBED_ORPHAN_WAIT_MS 10000
#define PGEMBED_CONFIG_MAX     8192
#define PGEMBED_TAIL_BYTES     2048
#define PGEMBED_TAIL_LINES     3
/* Exit codes of our forked children before they exec (127 is "could not exec" by convention). */
#define PGEMBED_EXIT_SETUP 126
#define PGEMBED_EXIT_EXEC  127
/* pgembed_run's result when the program ran and failed (err says how). */
#define PGEMBED_RUN_FAILED -2

/* What a forked child does as the cluster user: a list of file operations, or an exec. */
enum pgembed_op {
	PGEMBED_OP_END = 0,
	PGEMBED_OP_TRAVERSE,    /* path and every parent must be searchable */
	PGEMBED_OP_MKDIR,       /* directory exists with exactly mode */
	PGEMBED_OP_UNLINK,      /* a missing file is fine */
	PGEMBED_OP_REMOVE_TREE, /* rm -rf; a missing path is fine */
	PGEMBED_OP_APPEND,      /* text appended to the existing file path, synced */
	PGEMBED_OP_REPLACE,     /* text written to path2, synced, renamed over path */
	PGEMBED_OP_RENAME,      /* path renamed to path2 */
	PGEMBED_OP_SYNC_DIR,
	/* reported only */
	PGEMBED_OP_BECOME_USER,
	PGEMBED_OP_CHDIR,
	PGEMBED_OP_OPEN,
	PGEMBED_OP_EXEC,
};

struct pgembed_fileop {
	enum pgembed_op op;
	const char *path;
	const char *path2;
	const char *text;
	mode_t mode;
};

struct pgembed_exec {
	char *const *argv;    /* argv[0] is the program's absolute path */
	const char *log_path; /* stdout and stderr are appended here */
};

/* Sent from a failing child to the parent through a pipe; op 0 means no failure. */
struct pgembed_report {
	int op;
	int errnum;
	char path[PGEMBED_PATH_MAX];
};

/* What postmaster.pid (or the socket lock file) tells us. */
enum pgembed_lock {
	PGEMBED_LOCK_NONE,       /* no lock file */
	PGEMBED_LOCK_STALE,      /* names no live postmaster of this cluster */
	PGEMBED_LOCK_OURS,       /* a live postmaster of this cluster */
	PGEMBED_LOCK_STANDALONE, /* a live single-user backend of this cluster */
};

/* ---- small helpers ---- */

/* Joins dir and name into out; -1 with err when it does not fit. */
static int pgembed_join(char *out, size_t outsize, const char *dir, const char *name,
                        struct err *err)
{
	int n = snprintf(out, outsize, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= outsize)
		return err_set(err, "path \"%s/%s\" is too long", dir, name);
	return 0;
}

static long long pgembed_now_ms(void)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void pgembed_sleep_ms(long ms)
{
	struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

/* Length of a libpq message without its trailing newline, for "%.*s". */
static int pgembed_trimmed(const char *message)
{
	size_t len = strlen(message);

	while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == ' '))
		len--;
	return len > INT_MAX ? INT_MAX : (int)len;
}

/* Describes a wait status for messages: "exited with status 1". */
static void pgembed_describe_status(int status, char *out, size_t outsize)
{
	if (WIFEXITED(status))
		(void)snprintf(out, outsize, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(out, outsize, "was terminated by signal %d", WTERMSIG(status));
	else
		(void)snprintf(out, outsize, "ended with wait status %d", status);
}

/* 1 when the path can be written into postgresql.conf strings, unix_socket_directories (a
 * comma-separated list that honours double quotes) and a libpq conninfo without escaping. */
static int pgembed_path_is_plain(const char *path)
{
	const unsigned char *c;

	for (c = (const unsigned char *)path; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '\'' || *c == '"' || *c == '\\' || *c == ',')
			return 0;
	return 1;
}

/* 1 for a plain lower-case SQL identifier, as our role names are. */
static int pgembed_role_is_plain(const char *role)
{
	size_t i;

	if (role == NULL || role[0] == '\0' || strlen(role) > 63 ||
	    (role[0] >= '0' && role[0] <= '9'))
		return 0;
	for (i = 0; role[i] != '\0'; i++)
		if (!((role[i] >= 'a' && role[i] <= 'z') || (role[i] >= '0' && role[i] <= '9') ||
		      role[i] == '_'))
			return 0;
	return 1;
}

/* Reads at most size - 1 bytes of a small file (not following a final symlink) into out and
 * NUL-terminates; returns the byte count or -1 with errno. Used as root on files the cluster
 * user controls, so it only ever reads. */
static ssize_t pgembed_read_small(const char *path, char *out, size_t size)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (got < size - 1) {
		n = read(fd, out + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	(void)close(fd);
	out[got] = '\0';
	return n < 0 ? -1 : (ssize_t)got;
}

/* Appends to out (joined by " | ") the last PGEMBED_TAIL_LINES non-empty lines of a log file,
 * with control characters blanked. Best effort: an unreadable file adds nothing. */
static void pgembed_file_tail(const char *path, char *out, size_t outsize)
{
	char chunk[PGEMBED_TAIL_BYTES + 1];
	const char *lines[PGEMBED_TAIL_LINES];
	struct buf text;
	struct stat st;
	ssize_t n = -1;
	size_t i, count = 0;
	char *line, *next;
	int fd;

	buf_init(&text, outsize > 0 ? outsize - 1 : 0);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size > PGEMBED_TAIL_BYTES)
			(void)lseek(fd, st.st_size - PGEMBED_TAIL_BYTES, SEEK_SET);
		n = read(fd, chunk, PGEMBED_TAIL_BYTES);
	}
	if (fd >= 0)
		(void)close(fd);
	if (n <= 0 || outsize == 0)
		goto cleanup;
	chunk[n] = '\0';
	for (line = chunk; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		if (count == PGEMBED_TAIL_LINES) {
			memmove(lines, lines + 1, sizeof(lines[0]) * (PGEMBED_TAIL_LINES - 1));
			count--;
		}
		lines[count++] = line;
	}
	for (i = 0; i < count; i++)
		if ((i > 0 && buf_puts(&text, " | ") != 0) || buf_puts(&text, lines[i]) != 0)
			break;
	if (text.data != NULL) {
		for (i = 0; i < text.len; i++)
			if ((unsigned char)text.data[i] < 0x20 || text.data[i] == 0x7f)
				text.data[i] = ' ';
		(void)snprintf(out, outsize, "%s", text.data);
	}
cleanup:
	buf_release(&text);
}

/* ---- children: fork, become the cluster user, run a task ---- */

static int pgembed_write_all(int fd, const void *bytes, size_t len)
{
	const char *p = bytes;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* In the child: records why it failed (errno and the path involved) for the parent. Only
 * async-signal-safe calls from here to _exit: the parent may have threads. */
static void pgembed_report_failure(struct pgembed_report *report, int op, const char *path,
                                   size_t len)
{
	report->errnum = errno;
	report->op = op;
	if (len >= sizeof(report->path))
		len = sizeof(report->path) - 1;
	memcpy(report->path, path, len);
	report->path[len] = '\0';
}

static int pgembed_fail(struct pgembed_report *report, int op, const char *path)
{
	pgembed_report_failure(report, op, path, strlen(path));
	return -1;
}

/* In the child: drops root for the cluster user (groups first, then gid, then uid) and makes
 * sure root cannot be regained. Also clears the signal mask the parent may have set. */
static int pgembed_become_cluster_user(const struct pgembed *pg)
{
	sigset_t none;

	(void)umask(077);
	(void)sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		return -1;
	if (!pg->as_other_user)
		return 0;
	if (setgroups((size_t)pg->ngroups, pg->groups) != 0 || setgid(pg->gid) != 0 ||
	    setuid(pg->uid) != 0)
		return -1;
	if (setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int pgembed_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int pgembed_write_file(const char *path, int flags, const char *text)
{
	int fd, rc = -1;

	fd = open(path, flags | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -1;
	if (pgembed_write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static int pgembed_sync_dir(const char *path)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/* In the child: one file operation; -1 with the report filled in. */
static int pgembed_fileop_run(const struct pgembed_fileop *op, struct pgembed_report *report)
{
	char prefix[PGEMBED_PATH_MAX];
	struct stat st;
	size_t len, i;

	switch (op->op) {
	case PGEMBED_OP_TRAVERSE:
		len = strlen(op->path);
		if (len >= sizeof(prefix)) {
			errno = ENAMETOOLONG;
			return pgembed_fail(report, op->op, op->path);
		}
		memcpy(prefix, op->path, len + 1);
		for (i = 1; i <= len; i++) {
			if (prefix[i] != '/' && prefix[i] != '\0')
				continue;
			prefix[i] = '\0';
			if (access(prefix, X_OK) != 0) {
				pgembed_report_failure(report, op->op, prefix, i);
				return -1;
			}
			prefix[i] = op->path[i];
		}
		return 0;
	case PGEMBED_OP_MKDIR:
		if (mkdir(op->path, op->mode) != 0 && errno != EEXIST)
			return pgembed_fail(report, op->op, op->path);
		if (lstat(op->path, &st) != 0)
			return pgembed_fail(report, op->op, op->path);
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return pgembed_fail(report, op->op, op->path);
		}
		if ((st.st_mode & 07777) != op->mode && chmod(op->path, op->mode) != 0)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	case PGEMBED_OP_UNLINK:
		if (unlink(op->path) != 0 && errno != ENOENT)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	case PGEMBED_OP_REMOVE_TREE:
		if (lstat(op->path, &st) != 0)
			return errno == ENOENT ? 0 : pgembed_fail(report, op->op, op->path);
		if (nftw(op->path, pgembed_remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	case PGEMBED_OP_APPEND:
		if (pgembed_write_file(op->path, O_APPEND, op->text) != 0)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	case PGEMBED_OP_REPLACE:
		if (pgembed_write_file(op->path2, O_CREAT | O_TRUNC, op->text) != 0)
			return pgembed_fail(report, op->op, op->path2);
		if (rename(op->path2, op->path) != 0)
			return pgembed_fail(report, PGEMBED_OP_RENAME, op->path2);
		return 0;
	case PGEMBED_OP_RENAME:
		if (rename(op->path, op->path2) != 0)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	case PGEMBED_OP_SYNC_DIR:
		if (pgembed_sync_dir(op->path) != 0)
			return pgembed_fail(report, op->op, op->path);
		return 0;
	default:
		errno = EINVAL;
		return pgembed_fail(report, op->op, "");
	}
}

/* Task: runs a PGEMBED_OP_END-terminated list of file operations, stopping at the first
 * failure. */
static int pgembed_fileops_task(const struct pgembed *pg, void *arg, struct pgembed_report *report)
{
	const struct pgembed_fileop *op;

	(void)pg;
	for (op = arg; op->op != PGEMBED_OP_END; op++)
		if (pgembed_fileop_run(op, report) != 0)
			return PGEMBED_EXIT_SETUP;
	return 0;
}

/* Task: execs a program in <data_dir>/pg with stdin from /dev/null, output appended to a log
 * file, no inherited descriptors beyond 0-2, default signal dispositions and a minimal
 * environment (no PG* variables of ours leak into pg_ctl or the server). */
static int pgembed_exec_task(const struct pgembed *pg, void *arg, struct pgembed_report *report)
{
	static char *const environment[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL};
	const struct pgembed_exec *exec = arg;
	int fd, sig;

	if (chdir(pg->root_dir) != 0) {
		(void)pgembed_fail(report, PGEMBED_OP_CHDIR, pg->root_dir);
		return PGEMBED_EXIT_SETUP;
	}
	fd = open("/dev/null", O_RDONLY | O_NOCTTY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0) {
		(void)pgembed_fail(report, PGEMBED_OP_OPEN, "/dev/null");
		return PGEMBED_EXIT_SETUP;
	}
	if (fd > STDERR_FILENO)
		(void)close(fd);
	fd = open(exec->log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		(void)pgembed_fail(report, PGEMBED_OP_OPEN, exec->log_path);
		return PGEMBED_EXIT_SETUP;
	}
	if (fd > STDERR_FILENO)
		(void)close(fd);
	/* CLOEXEC rather than close: the report pipe must survive until execve succeeds. */
	if (close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
		for (fd = STDERR_FILENO + 1; fd < 65536; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL); /* ignored signals would survive execve */
	(void)execve(exec->argv[0], exec->argv, environment);
	(void)pgembed_fail(report, PGEMBED_OP_EXEC, exec->argv[0]);
	return PGEMBED_EXIT_EXEC;
}

/* Turns a child's report into err. */
static int pgembed_report_error(const struct pgembed *pg, const struct pgembed_report *report,
                                struct err *err)
{
	const char *reason = strerror(report->errnum);

	switch (report->op) {
	case PGEMBED_OP_TRAVERSE:
		return err_set(err,
		               "directory \"%s\" is not accessible to user \"%s\", who runs the "
		               "database cluster: %s (it needs search permission, e.g. chmod o+x)",
		               report->path, pg->user, reason);
	case PGEMBED_OP_MKDIR:
		return err_set(err, "could not create directory \"%s\": %s", report->path, reason);
	case PGEMBED_OP_UNLINK:
		return err_set(err, "could not remove file \"%s\": %s", report->path, reason);
	case PGEMBED_OP_REMOVE_TREE:
		return err_set(err, "could not remove directory \"%s\": %s", report->path, reason);
	case PGEMBED_OP_APPEND:
	case PGEMBED_OP_REPLACE:
		return err_set(err, "could not write file \"%s\": %s", report->path, reason);
	case PGEMBED_OP_RENAME:
		return err_set(err, "could not rename \"%s\": %s", report->path, reason);
	case PGEMBED_OP_SYNC_DIR:
		return err_set(err, "could not fsync directory \"%s\": %s", report->path, reason);
	case PGEMBED_OP_BECOME_USER:
		return err_set(err, "could not switch to user \"%s\": %s", pg->user, reason);
	case PGEMBED_OP_CHDIR:
		return err_set(err, "could not change directory to \"%s\" as user \"%s\": %s",
		               report->path, pg->user, reason);
	case PGEMBED_OP_OPEN:
		return err_set(err, "could not open file \"%s\" as user \"%s\": %s", report->path,
		               pg->user, reason);
	case PGEMBED_OP_EXEC:
		return err_set(err, "could not execute \"%s\" as user \"%s\": %s", report->path,
		               pg->user, reason);
	default:
		return err_set(err, "child process failed: %s", reason);
	}
}

/* Runs task in a forked child that has become the cluster user (we are root) or stays
 * ourselves, and reaps it. Returns 0 when the child exited 0; -1 with err when it could not be
 * run or reported a failure; PGEMBED_RUN_FAILED with err when the program it ran failed.
 * *wstatus (may be NULL) gets the wait status, or -1 when there is none. */
static int pgembed_run(const struct pgembed *pg,
                       int (*task)(const struct pgembed *, void *, struct pgembed_report *),
                       void *arg, const char *what, int *wstatus, struct err *err)
{
	struct pgembed_report report;
	char description[64];
	int fds[2] = {-1, -1};
	int status = -1, rc = -1, code;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		err_set(err, "could not create pipe: %s", strerror(errno));
		goto cleanup;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, "could not fork for %s: %s", what, strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		memset(&report, 0, sizeof(report));
		if (pgembed_become_cluster_user(pg) != 0) {
			(void)pgembed_fail(&report, PGEMBED_OP_BECOME_USER, "");
			code = PGEMBED_EXIT_SETUP;
		} else {
			code = task(pg, arg, &report);
		}
		if (report.op != 0)
			(void)pgembed_write_all(fds[1], &report, sizeof(report));
		_exit(code);
	}
	(void)close(fds[1]);
	fds[1] = -1;
	/* EOF comes when the child exits or execs (the pipe is close-on-exec). */
	memset(&report, 0, sizeof(report));
	while (got < sizeof(report)) {
		n = read(fds[0], (char *)&report + got, sizeof(report) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err_set(err, "could not wait for %s (PID %ld): %s", what, (long)pid,
			        strerror(errno));
			status = -1;
			goto cleanup;
		}
	}
	if (got == sizeof(report) && report.op != 0) {
		pgembed_report_error(pg, &report, err);
		goto cleanup;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		pgembed_describe_status(status, description, sizeof(description));
		err_set(err, "%s %s", what, description);
		rc = PGEMBED_RUN_FAILED;
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (fds[0] >= 0)
		(void)close(fds[0]);
	if (fds[1] >= 0)
		(void)close(fds[1]);
	if (wstatus != NULL)
		*wstatus = status;
	return rc;
}

static int pgembed_fileops(const struct pgembed *pg, struct pgembed_fileop *ops, struct err *err)
{
	return pgembed_run(pg, pgembed_fileops_task, ops, "file operation", NULL, err) == 0 ? 0
	                                                                                    : -1;
}

/* ---- setup in the parent ---- */

static int pgembed_find_bindir(struct pgembed *pg, struct err *err)
{
	static const char *const programs[] = {"initdb", "pg_ctl", "postgres"};
	const char *bindir = getenv("TCARD_PG_BINDIR");
	char path[PGEMBED_PATH_MAX];
	struct stat st;
	size_t i;
	int n;

	if (bindir == NULL || bindir[0] == '\0')
		bindir = PGEMBED_DEFAULT_BINDIR;
	if (bindir[0] != '/')
		return err_set(err, "TCARD_PG_BINDIR \"%s\" is not an absolute path", bindir);
	n = snprintf(pg->bindir, sizeof(pg->bindir), "%s", bindir);
	if (n < 0 || (size_t)n >= sizeof(pg->bindir))
		return err_set(err, "TCARD_PG_BINDIR is too long");
	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		if (pgembed_join(path, sizeof(path), pg->bindir, programs[i], err) != 0)
			return -1;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
			return err_set(err,
			               "PostgreSQL program \"%s\" is missing or not executable; "
			               "install the Debian package postgresql-15 or set "
			               "TCARD_PG_BINDIR to a PostgreSQL 15 bin directory",
			               path);
	}
	return 0;
}

/* Who runs the cluster: the `postgres` system user when we are root (initdb, pg_ctl and
 * postgres refuse root), else ourselves. */
static int pgembed_find_user(struct pgembed *pg, struct err *err)
{
	const struct passwd *pw;
	int ngroups = PGEMBED_GROUPS;

	if (geteuid() != 0) {
		pg->as_other_user = 0;
		pg->uid = geteuid();
		pg->gid = getegid();
		pw = getpwuid(pg->uid);
		if (pw != NULL)
			(void)snprintf(pg->user, sizeof(pg->user), "%s", pw->pw_name);
		else
			(void)snprintf(pg->user, sizeof(pg->user), "%ld", (long)pg->uid);
		return 0;
	}
	pw = getpwnam(PGEMBED_CLUSTER_USER);
	if (pw == NULL)
		return err_set(err,
		               "system user \"%s\" does not exist; install the Debian package "
		               "postgresql-15, which creates it",
		               PGEMBED_CLUSTER_USER);
	if (pw->pw_uid == 0)
		return err_set(err, "system user \"%s\" must not have uid 0", PGEMBED_CLUSTER_USER);
	if (getgrouplist(pw->pw_name, pw->pw_gid, pg->groups, &ngroups) < 0)
		return err_set(err, "system user \"%s\" belongs to more than %d groups",
		               PGEMBED_CLUSTER_USER, PGEMBED_GROUPS);
	pg->as_other_user = 1;
	pg->uid = pw->pw_uid;
	pg->gid = pw->pw_gid;
	pg->ngroups = ngroups;
	(void)snprintf(pg->user, sizeof(pg->user), "%s", PGEMBED_CLUSTER_USER);
	return 0;
}

/* Fills in the paths from the resolved <data_dir> and checks what PostgreSQL can hold. */
static int pgembed_set_paths(struct pgembed *pg, const char *real, struct err *err)
{
	size_t socket_len;
	int n;

	n = snprintf(pg->root_dir, sizeof(pg->root_dir), "%s/pg",
	             strcmp(real, "/") == 0 ? "" : real);
	if (n < 0 || (size_t)n >= sizeof(pg->root_dir) || (size_t)n > PGEMBED_ROOT_MAX)
		return err_set(err, "data directory path \"%s\" is too long for PostgreSQL", real);
	if (!pgembed_path_is_plain(pg->root_dir))
		return err_set(err,
		               "data directory path \"%s\" contains a character the database "
		               "configuration cannot hold (quote, backslash, comma or control)",
		               real);
	if (pgembed_join(pg->data_dir, sizeof(pg->data_dir), pg->root_dir, "data", err) != 0 ||
	    pgembed_join(pg->socket_dir, sizeof(pg->socket_dir), pg->root_dir, "run", err) != 0 ||
	    pgembed_join(pg->log_dir, sizeof(pg->log_dir), pg->root_dir, "log", err) != 0)
		return -1;
	socket_len = strlen(pg->socket_dir) + 1 + strlen(PGEMBED_SOCKET_FILE);
	if (socket_len >= PGEMBED_SUN_PATH)
		return err_set(err,
		               "socket path \"%s/%s\" is too long (%zu bytes; a Unix socket path "
		               "holds at most %d): choose a shorter data directory",
		               pg->socket_dir, PGEMBED_SOCKET_FILE, socket_len,
		               PGEMBED_SUN_PATH - 1);
	return 0;
}

/* Creates <data_dir> (letting the cluster user through when we own it) and <data_dir>/pg,
 * owned by the cluster user, mode 0700. Everything below pg/ is left to children. */
static int pgembed_prepare_root(struct pgembed *pg, const char *data_dir, struct err *err)
{
	char real[PATH_MAX];
	struct stat st;
	int fd = -1, rc = -1;

	if (data_dir == NULL || data_dir[0] == '\0') {
		err_set(err, "no data directory given");
		goto cleanup;
	}
	if (fs_mkdirs(data_dir, 0700, err) != 0)
		goto cleanup;
	if (realpath(data_dir, real) == NULL) {
		err_set(err, "could not resolve data directory \"%s\": %s", data_dir,
		        strerror(errno));
		goto cleanup;
	}
	if (pgembed_set_paths(pg, real, err) != 0)
		goto cleanup;
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		err_set(err, "could not open data directory \"%s\": %s", real, strerror(errno));
		goto cleanup;
	}
	if (pg->as_other_user && st.st_uid == geteuid() && (st.st_mode & 0011) != 0011 &&
	    fchmod(fd, (st.st_mode & 07777) | 0011) != 0) {
		err_set(err, "could not change permissions of directory \"%s\": %s", real,
		        strerror(errno));
		goto cleanup;
	}
	(void)close(fd);
	fd = -1;

	if (mkdir(pg->root_dir, 0700) != 0 && errno != EEXIST) {
		err_set(err, "could not create directory \"%s\": %s", pg->root_dir,
		        strerror(errno));
		goto cleanup;
	}
	fd = open(pg->root_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		err_set(err, "could not open directory \"%s\": %s", pg->root_dir, strerror(errno));
		goto cleanup;
	}
	/* A root-owned pg/ is one we just made; anything owned by a third user is not ours to
	 * take over (its contents would still belong to that user). */
	if (pg->as_other_user && st.st_uid == 0 && fchown(fd, pg->uid, pg->gid) != 0) {
		err_set(err, "could not change owner of directory \"%s\": %s", pg->root_dir,
		        strerror(errno));
		goto cleanup;
	}
	if (st.st_uid != 0 && st.st_uid != pg->uid) {
		err_set(err, "directory \"%s\" belongs to uid %ld, not to user \"%s\"",
		        pg->root_dir, (long)st.st_uid, pg->user);
		goto cleanup;
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) != 0) {
		err_set(err, "could not change permissions of directory \"%s\": %s", pg->root_dir,
		        strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (fd >= 0)
		(void)close(fd);
	return rc;
}

/* As the cluster user: checks it can reach pg/ and creates run/ and log/ (0700). */
static int pgembed_prepare_subdirs(const struct pgembed *pg, struct err *err)
{
	struct pgembed_fileop ops[] = {
	        {.op = PGEMBED_OP_TRAVERSE, .path = pg->root_dir},
	        {.op = PGEMBED_OP_MKDIR, .path = pg->socket_dir, .mode = 0700},
	        {.op = PGEMBED_OP_MKDIR, .path = pg->log_dir, .mode = 0700},
	        {.op = PGEMBED_OP_END},
	};

	return pgembed_fileops(pg, ops, err);
}

/* ---- the cluster ---- */

/* Runs initdb into pg/data.initdb and renames it to pg/data once complete, so an interrupted
 * initdb never leaves a half-made PGDATA that looks like a cluster (initdb writes PG_VERSION
 * early). pg_hba.conf trusts local connections: safe because the only listener is a Unix socket
 * in a 0700 directory owned by the cluster user, so only that user and root can connect. TCP is
 * both switched off (listen_addresses) and rejected in pg_hba.conf should it ever be enabled. */
static int pgembed_initdb(const struct pgembed *pg, struct err *err)
{
	char program[PGEMBED_PATH_MAX], staging[PGEMBED_PATH_MAX], log_path[PGEMBED_PATH_MAX];
	char conf[PGEMBED_PATH_MAX], tail[256];
	char *argv[] = {program,
	                "-D",
	                staging,
	                "-U",
	                PGEMBED_CLUSTER_USER,
	                "--encoding=UTF8",
	                "--locale=C.UTF-8",
	                "--auth-local=trust",
	                "--auth-host=reject",
	                "--no-instructions",
	                NULL};
	struct pgembed_exec exec = {argv, log_path};
	struct pgembed_fileop clear[] = {
	        {.op = PGEMBED_OP_REMOVE_TREE, .path = staging},
	        {.op = PGEMBED_OP_END},
	};
	struct pgembed_fileop finish[] = {
	        {.op = PGEMBED_OP_APPEND,
	         .path = conf,
	         .text = "\n# tcard: settings tcardd writes at every start (server/pgembed.c);\n"
	                 "# add local overrides below this line.\n"
	                 "include 'tcard.conf'\n"},
	        {.op = PGEMBED_OP_RENAME, .path = staging, .path2 = pg->data_dir},
	        {.op = PGEMBED_OP_SYNC_DIR, .path = pg->root_dir},
	        {.op = PGEMBED_OP_END},
	};
	int rc;

	if (pgembed_join(program, sizeof(program), pg->bindir, "initdb", err) != 0 ||
	    pgembed_join(staging, sizeof(staging), pg->root_dir, "data.initdb", err) != 0 ||
	    pgembed_join(log_path, sizeof(log_path), pg->root_dir, "initdb.log", err) != 0 ||
	    pgembed_join(conf, sizeof(conf), staging, "postgresql.conf", err) != 0)
		return -1;
	/* leftovers of an initdb that was killed */
	if (pgembed_fileops(pg, clear, err) != 0)
		return -1;
	rc = pgembed_run(pg, pgembed_exec_task, &exec, "initdb", NULL, err);
	if (rc == PGEMBED_RUN_FAILED) {
		tail[0] = '\0';
		pgembed_file_tail(log_path, tail, sizeof(tail));
		return err_set(err, "initdb failed: %s (see \"%s\")", tail, log_path);
	}
	if (rc != 0)
		return -1;
	return pgembed_fileops(pg, finish, err);
}

/* Creates the cluster unless PGDATA holds one. */
static int pgembed_ensure_cluster(const struct pgembed *pg, struct err *err)
{
	char version[PGEMBED_PATH_MAX];
	struct stat st;

	if (lstat(pg->data_dir, &st) != 0) {
		if (errno != ENOENT)
			return err_set(err, "could not stat \"%s\": %s", pg->data_dir,
			               strerror(errno));
		return pgembed_initdb(pg, err);
	}
	if (pgembed_join(version, sizeof(version), pg->data_dir, "PG_VERSION", err) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || lstat(version, &st) != 0)
		return err_set(err,
		               "\"%s\" exists but is not a PostgreSQL data directory (no "
		               "PG_VERSION); move it away to have a new cluster created",
		               pg->data_dir);
	return 0;
}

/* Writes PGDATA/tcard.conf, included at the end of postgresql.conf. Rewritten at every start,
 * so the paths follow a moved <data_dir> and new tcardd versions bring their settings along.
 * The logging settings keep statement text and parameters (personal data) out of the server
 * log: SECURITY.md item 10. */
static int pgembed_write_config(const struct pgembed *pg, struct err *err)
{
	char conf[PGEMBED_PATH_MAX], temporary[PGEMBED_PATH_MAX];
	struct buf text;
	struct pgembed_fileop ops[] = {
	        {.op = PGEMBED_OP_REPLACE, .path = conf, .path2 = temporary},
	        {.op = PGEMBED_OP_SYNC_DIR, .path = pg->data_dir},
	        {.op = PGEMBED_OP_END},
	};
	int rc = -1;

	buf_init(&text, PGEMBED_CONFIG_MAX);
	if (pgembed_join(conf, sizeof(conf), pg->data_dir, "tcard.conf", err) != 0 ||
	    pgembed_join(temporary, sizeof(temporary), pg->data_dir, "tcard.conf.tmp", err) != 0)
		goto cleanup;
	if (buf_printf(&text,
	               "# tcard.conf: written by tcardd at every start (server/pgembed.c); edits "
	               "here are lost.\n"
	               "# Override a setting after the include line at the end of "
	               "postgresql.conf.\n"
	               "\n"
	               "# Unix socket only, in a 0700 directory owned by the cluster user.\n"
	               "listen_addresses = ''\n"
	               "port = %d\n"
	               "unix_socket_directories = '%s'\n"
	               "unix_socket_permissions = 0700\n"
	               "max_connections = 100\n"
	               "shared_buffers = 128MB\n"
	               "\n"
	               "# Durability: tcardd refuses to be ready without it (SECURITY.md item 7).\n"
	               "fsync = on\n"
	               "synchronous_commit = on\n"
	               "full_page_writes = on\n"
	               "\n"
	               "# Logging: no statement text, no parameters (SECURITY.md item 10).\n"
	               "logging_collector = on\n"
	               "log_destination = 'stderr'\n"
	               "log_directory = '%s'\n"
	               "log_filename = 'postgresql-%%a.log'\n"
	               "log_file_mode = 0600\n"
	               "log_rotation_age = 1d\n"
	               "log_rotation_size = 0\n"
	               "log_truncate_on_rotation = on\n"
	               "# An ERROR's own text can quote the rejected value (invalid input syntax "
	               "...\n"
	               "# \"<value>\"), so client errors stay out; tcardd logs them by SQLSTATE.\n"
	               "log_min_messages = log\n"
	               "log_error_verbosity = terse\n"
	               "log_min_error_statement = panic\n"
	               "log_statement = 'none'\n"
	               "log_min_duration_statement = -1\n"
	               "log_parameter_max_length = 0\n"
	               "log_parameter_max_length_on_error = 0\n"
	               "\n"
	               "timezone = 'Asia/Shanghai'\n"
	               "log_timezone = 'Asia/Shanghai'\n",
	               pg->port, pg->socket_dir, pg->log_dir) != 0) {
		err_set(err, "database configuration is too long");
		goto cleanup;
	}
	ops[0].text = text.data;
	rc = pgembed_fileops(pg, ops, err);
cleanup:
	buf_release(&text);
	return rc;
}

/* 1 when pid is alive and a postmaster (or single-user backend) of this cluster: its argv[0]
 * is postgres and its -D or its working directory (the postmaster chdirs to PGDATA) is our
 * PGDATA. A zombie, or a recycled PID now used by another program, gives 0. */
static int pgembed_is_our_postgres(const struct pgembed *pg, long pid)
{
	char path[64], cmdline[8192], cwd[PGEMBED_PATH_MAX];
	const char *arg, *end, *name;
	ssize_t n;
	int after_d = 0;

	if (pid <= 0 || pid > INT_MAX)
		return 0;
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	n = pgembed_read_small(path, cmdline, sizeof(cmdline));
	if (n <= 0)
		return 0;
	end = cmdline + n;
	name = strrchr(cmdline, '/');
	name = name != NULL ? name + 1 : cmdline;
	if (strcmp(name, "postgres") != 0 && strcmp(name, "postmaster") != 0)
		return 0;
	for (arg = cmdline + strlen(cmdline) + 1; arg < end; arg += strlen(arg) + 1) {
		if (after_d && strcmp(arg, pg->data_dir) == 0)
			return 1;
		after_d = strcmp(arg, "-D") == 0;
		if (strncmp(arg, "-D", 2) == 0 && strcmp(arg + 2, pg->data_dir) == 0)
			return 1;
	}
	(void)snprintf(path, sizeof(path), "/proc/%ld/cwd", pid);
	n = readlink(path, cwd, sizeof(cwd) - 1);
	if (n <= 0)
		return 0;
	cwd[n] = '\0';
	return strcmp(cwd, pg->data_dir) == 0;
}

/* Reads a PostgreSQL lock file (postmaster.pid, .s.PGSQL.5432.lock): its first line is the
 * postmaster's PID, negative for a single-user backend. */
static enum pgembed_lock pgembed_lock_state(const struct pgembed *pg, const char *path, long *pid)
{
	char text[128];
	char *end;
	long value;

	*pid = 0;
	if (pgembed_read_small(path, text, sizeof(text)) < 0)
		return errno == ENOENT ? PGEMBED_LOCK_NONE : PGEMBED_LOCK_STALE;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || (*end != '\n' && *end != '\0') || value == 0 ||
	    value == LONG_MIN)
		return PGEMBED_LOCK_STALE;
	*pid = value < 0 ? -value : value;
	if (!pgembed_is_our_postgres(pg, *pid))
		return PGEMBED_LOCK_STALE;
	return value < 0 ? PGEMBED_LOCK_STANDALONE : PGEMBED_LOCK_OURS;
}

/* A process of this cluster still alive, or 0. After kill -9 of a postmaster its backends and
 * auxiliary processes linger until they notice, and PostgreSQL will not start while they hold
 * the old shared memory. Processes of other users are invisible to a non-root tcardd: fine. */
static long pgembed_find_cluster_process(const struct pgembed *pg)
{
	char path[300], link[PGEMBED_PATH_MAX];
	const struct dirent *entry;
	const char *name;
	long found = 0;
	ssize_t n;
	DIR *proc;

	proc = opendir("/proc");
	if (proc == NULL)
		return 0;
	while (found == 0 && (entry = readdir(proc)) != NULL) {
		if (entry->d_name[0] < '1' || entry->d_name[0] > '9' ||
		    strspn(entry->d_name, "0123456789") != strlen(entry->d_name))
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%s/cwd", entry->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, pg->data_dir) != 0)
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%s/exe", entry->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		name = strrchr(link, '/');
		name = name != NULL ? name + 1 : link;
		if (strncmp(name, "postgres", 8) == 0)
			found = strtol(entry->d_name, NULL, 10);
	}
	(void)closedir(proc);
	return found;
}

static int pgembed_wait_for_orphans(const struct pgembed *pg, struct err *err)
{
	long long deadline = pgembed_now_ms() + PGEMBED_ORPHAN_WAIT_MS;
	long pid;

	while ((pid = pgembed_find_cluster_process(pg)) != 0) {
		if (pgembed_now_ms() >= deadline)
			return err_set(
			        err,
			        "process %ld of an earlier server for \"%s\" is still running; "
			        "stop it and start again",
			        pid, pg->data_dir);
		pgembed_sleep_ms(100);
	}
	return 0;
}

/* Waits until the postmaster pid accepts connections. Returns 0 when it does, 1 when it exited
 * meanwhile, -1 with err on timeout. */
static int pgembed_wait_ready(const struct pgembed *pg, long pid, struct err *err)
{
	char port[16];
	const char *keys[] = {"host", "port", "dbname", "user", "connect_timeout", NULL};
	const char *values[] = {pg->socket_dir, port, "postgres", PGEMBED_CLUSTER_USER, "2", NULL};
	long long deadline = pgembed_now_ms() + PGEMBED_READY_WAIT_MS;

	(void)snprintf(port, sizeof(port), "%d", pg->port);
	for (;;) {
		if (PQpingParams(keys, values, 0) == PQPING_OK)
			return 0;
		if (!pgembed_is_our_postgres(pg, pid))
			return 1;
		if (pgembed_now_ms() >= deadline)
			return err_set(
			        err,
			        "database server (PID %ld) for \"%s\" is running but did not "
			        "accept connections within %d s",
			        pid, pg->data_dir, PGEMBED_READY_WAIT_MS / 1000);
		pgembed_sleep_ms(200);
	}
}

/* Deals with a postmaster left by an earlier tcardd. Returns 1 when one is running for this
 * cluster and accepts connections (tcardd crashed; we adopt it), 0 when none runs and stale
 * lock files are gone, -1 with err. A stale postmaster.pid names a dead process, a zombie, or
 * after a reboot or container restart a recycled PID; PostgreSQL itself refuses to start over
 * the last two, so we remove the file. */
static int pgembed_adopt_postmaster(const struct pgembed *pg, struct err *err)
{
	char pid_file[PGEMBED_PATH_MAX], socket_lock[PGEMBED_PATH_MAX];
	struct pgembed_fileop ops[3] = {
	        {.op = PGEMBED_OP_UNLINK, .path = pid_file},
	        {.op = PGEMBED_OP_END},
	        {.op = PGEMBED_OP_END},
	};
	enum pgembed_lock state;
	long pid;
	int ready;

	if (pgembed_join(pid_file, sizeof(pid_file), pg->data_dir, "postmaster.pid", err) != 0 ||
	    pgembed_join(socket_lock, sizeof(socket_lock), pg->socket_dir,
	                 PGEMBED_SOCKET_FILE ".lock", err) != 0)
		return -1;
	state = pgembed_lock_state(pg, pid_file, &pid);
	if (state == PGEMBED_LOCK_STANDALONE)
		return err_set(err, "a single-user postgres (PID %ld) is using \"%s\"", pid,
		               pg->data_dir);
	if (state == PGEMBED_LOCK_OURS) {
		ready = pgembed_wait_ready(pg, pid, err);
		if (ready <= 0)
			return ready == 0 ? 1 : -1;
		/* it exited while we waited: start afresh */
	}
	/* The socket lock is stale too unless it names a live server of ours (then the start
	 * fails with PostgreSQL's own clear message). */
	if (pgembed_lock_state(pg, socket_lock, &pid) == PGEMBED_LOCK_STALE)
		ops[1] = (struct pgembed_fileop){.op = PGEMBED_OP_UNLINK, .path = socket_lock};
	if (pgembed_fileops(pg, ops, err) != 0)
		return -1;
	return pgembed_wait_for_orphans(pg, err);
}

/* Appends to out the tail of the server log written since `since`: the newest file in pg/log
 * (startup.log before the logging collector runs, postgresql-*.log after), else pg_ctl.log. */
static void pgembed_server_log_tail(const struct pgembed *pg, const struct timespec *since,
                                    char *out, size_t outsize)
{
	char newest[256] = "pg_ctl.log", path[PGEMBED_PATH_MAX];
	struct timespec best = *since;
	const struct dirent *entry;
	struct stat st;
	DIR *dir;

	dir = opendir(pg->log_dir);
	if (dir != NULL) {
		while ((entry = readdir(dir)) != NULL) {
			if (entry->d_name[0] == '.' || strcmp(entry->d_name, "pg_ctl.log") == 0 ||
			    fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			if (st.st_mtim.tv_sec > best.tv_sec ||
			    (st.st_mtim.tv_sec == best.tv_sec &&
			     st.st_mtim.tv_nsec >= best.tv_nsec)) {
				best = st.st_mtim;
				(void)snprintf(newest, sizeof(newest), "%s", entry->d_name);
			}
		}
		(void)closedir(dir);
	}
	if (pgembed_join(path, sizeof(path), pg->log_dir, newest, NULL) == 0)
		pgembed_file_tail(path, out, outsize);
}

static int pgembed_start_server(const struct pgembed *pg, struct err *err)
{
	char program[PGEMBED_PATH_MAX], startup_log[PGEMBED_PATH_MAX], log_path[PGEMBED_PATH_MAX];
	char tail[320];
	char *argv[] = {program, "-D", (char *)pg->data_dir, "-w",    "-t",
	                "60",    "-l", startup_log,          "start", NULL};
	struct pgembed_exec exec = {argv, log_path};
	/* startup.log holds what the server says before its logging collector runs: keep only
	 * this start's, so a failure's tail is about this start */
	struct pgembed_fileop clear[] = {
	        {.op = PGEMBED_OP_UNLINK, .path = startup_log},
	        {.op = PGEMBED_OP_END},
	};
	struct timespec since;
	int rc;

	if (pgembed_join(program, sizeof(program), pg->bindir, "pg_ctl", err) != 0 ||
	    pgembed_join(startup_log, sizeof(startup_log), pg->log_dir, "startup.log", err) != 0 ||
	    pgembed_join(log_path, sizeof(log_path), pg->log_dir, "pg_ctl.log", err) != 0)
		return -1;
	if (pgembed_fileops(pg, clear, err) != 0)
		return -1;
	(void)clock_gettime(CLOCK_REALTIME, &since);
	since.tv_sec -= 1; /* file times may lag the clock slightly */
	rc = pgembed_run(pg, pgembed_exec_task, &exec, "pg_ctl start", NULL, err);
	if (rc == PGEMBED_RUN_FAILED) {
		tail[0] = '\0';
		pgembed_server_log_tail(pg, &since, tail, sizeof(tail));
		return err_set(err, "could not start database server: %s (logs in \"%s\")", tail,
		               pg->log_dir);
	}
	return rc;
}

static int pgembed_pg_ctl_stop(const struct pgembed *pg, int immediate, struct err *err)
{
	char program[PGEMBED_PATH_MAX], log_path[PGEMBED_PATH_MAX];
	char *argv[] = {program,
	                "-D",
	                (char *)pg->data_dir,
	                "-m",
	                immediate ? "immediate" : "fast",
	                "-w",
	                "-t",
	                "60",
	                "stop",
	                NULL};
	struct pgembed_exec exec = {argv, log_path};

	if (pgembed_join(program, sizeof(program), pg->bindir, "pg_ctl", err) != 0 ||
	    pgembed_join(log_path, sizeof(log_path), pg->log_dir, "pg_ctl.log", err) != 0)
		return -1;
	return pgembed_run(pg, pgembed_exec_task, &exec, "pg_ctl stop", NULL, err) == 0 ? 0 : -1;
}

/* ---- roles and database, over libpq as the superuser ---- */

/* tcard's roles (SECURITY.md item 2): none is a superuser or bypasses row-level security. */
static const struct {
	const char *name;
	const char *create;
} pgembed_roles[] = {
        {"tcard_owner", "CREATE ROLE tcard_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                        "NOCREATEROLE NOREPLICATION"},
        {"tcard_app", "CREATE ROLE tcard_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                      "NOCREATEROLE NOREPLICATION"},
        {"tcard_ro", "CREATE ROLE tcard_ro LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                     "NOCREATEROLE NOREPLICATION"},
};

enum pgembed_sql {
	PGEMBED_SQL_ICU,
	PGEMBED_SQL_ROLE,
	PGEMBED_SQL_DATABASE,
	PGEMBED_SQL_CREATE_DATABASE,
};

static const char *const pgembed_sql[] = {
        [PGEMBED_SQL_ICU] = "SELECT count(*) FROM pg_catalog.pg_collation WHERE collname = $1",
        /* one row when the role exists; true when it holds an attribute tcard forbids */
        [PGEMBED_SQL_ROLE] = "SELECT rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole "
                             "OR rolreplication OR NOT rolcanlogin "
                             "FROM pg_catalog.pg_roles WHERE rolname = $1",
        [PGEMBED_SQL_DATABASE] = "SELECT r.rolname, pg_catalog.pg_encoding_to_char(d.encoding) "
                                 "FROM pg_catalog.pg_database d "
                                 "JOIN pg_catalog.pg_roles r ON r.oid = d.datdba "
                                 "WHERE d.datname = $1",
        [PGEMBED_SQL_CREATE_DATABASE] = "CREATE DATABASE " PGEMBED_DATABASE " OWNER tcard_owner "
                                        "ENCODING 'UTF8' TEMPLATE template0",
};

/* Runs sql with at most one parameter; returns the result when its status is expected, else
 * NULL with err. Caller PQclears. */
static PGresult *pgembed_query(PGconn *conn, enum pgembed_sql sql, const char *param,
                               ExecStatusType expected, struct err *err)
{
	PGresult *result;

	result = PQexecParams(conn, pgembed_sql[sql], param != NULL ? 1 : 0, NULL,
	                      param != NULL ? &param : NULL, NULL, NULL, 0);
	if (PQresultStatus(result) != expected) {
		err_set(err, "embedded database setup failed: %.*s",
		        pgembed_trimmed(PQerrorMessage(conn)), PQerrorMessage(conn));
		PQclear(result);
		return NULL;
	}
	return result;
}

static int pgembed_command(PGconn *conn, const char *sql, struct err *err)
{
	PGresult *result = PQexec(conn, sql);
	int rc = 0;

	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		rc = err_set(err, "embedded database setup failed: %.*s",
		             pgembed_trimmed(PQerrorMessage(conn)), PQerrorMessage(conn));
	PQclear(result);
	return rc;
}

/* Checks ICU and creates whatever of the roles and the database is missing. Idempotent, so a
 * crash between initdb and here is repaired by the next start. Sets pg->created when the
 * database is created now. */
static int pgembed_setup_database(struct pgembed *pg, struct err *err)
{
	char port[16];
	const char *keys[] = {
	        "host", "port", "dbname", "user", "connect_timeout", "application_name", NULL};
	const char *values[] = {pg->socket_dir,   port, "postgres", PGEMBED_CLUSTER_USER, "10",
	                        "tcardd-pgembed", NULL};
	PGconn *conn = NULL;
	PGresult *result = NULL;
	size_t i;
	int rc = -1;

	(void)snprintf(port, sizeof(port), "%d", pg->port);
	conn = PQconnectdbParams(keys, values, 0);
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, "could not connect to the embedded database server: %.*s",
		        pgembed_trimmed(PQerrorMessage(conn)), PQerrorMessage(conn));
		goto cleanup;
	}

	result = pgembed_query(conn, PGEMBED_SQL_ICU, "zh-x-icu", PGRES_TUPLES_OK, err);
	if (result == NULL)
		goto cleanup;
	if (strcmp(PQgetvalue(result, 0, 0), "1") != 0) {
		err_set(err, "ICU collation \"zh-x-icu\" is missing; tcard needs a PostgreSQL 15 "
		             "built with ICU, such as the Debian package postgresql-15");
		goto cleanup;
	}
	PQclear(result);
	result = NULL;

	for (i = 0; i < sizeof(pgembed_roles) / sizeof(pgembed_roles[0]); i++) {
		result = pgembed_query(conn, PGEMBED_SQL_ROLE, pgembed_roles[i].name,
		                       PGRES_TUPLES_OK, err);
		if (result == NULL)
			goto cleanup;
		if (PQntuples(result) == 0) {
			if (pgembed_command(conn, pgembed_roles[i].create, err) != 0)
				goto cleanup;
		} else if (strcmp(PQgetvalue(result, 0, 0), "f") != 0) {
			err_set(err,
			        "role \"%s\" has an attribute tcard forbids (SUPERUSER, BYPASSRLS, "
			        "CREATEDB, CREATEROLE, REPLICATION or NOLOGIN)",
			        pgembed_roles[i].name);
			goto cleanup;
		}
		PQclear(result);
		result = NULL;
	}

	result = pgembed_query(conn, PGEMBED_SQL_DATABASE, PGEMBED_DATABASE, PGRES_TUPLES_OK, err);
	if (result == NULL)
		goto cleanup;
	if (PQntuples(result) == 0) {
		if (pgembed_command(conn, pgembed_sql[PGEMBED_SQL_CREATE_DATABASE], err) != 0)
			goto cleanup;
		pg->created = 1;
	} else if (strcmp(PQgetvalue(result, 0, 0), "tcard_owner") != 0 ||
	           strcmp(PQgetvalue(result, 0, 1), "UTF8") != 0) {
		err_set(err,
		        "database \"%s\" exists but is owned by \"%s\" with encoding %s, not by "
		        "\"tcard_owner\" with UTF8",
		        PGEMBED_DATABASE, PQgetvalue(result, 0, 0), PQgetvalue(result, 0, 1));
		goto cleanup;
	}
	rc = 0;
cleanup:
	PQclear(result);
	PQfinish(conn);
	return rc;
}

/* Row-level security hides a column's statistics from the planner unless the
 * policy's operators are LEAKPROOF (schema/014_scope_estimates.sql). ltree's
 * ancestor tests raise no error whatever their input, so they leak nothing;
 * only a superuser may say so. The extension is created here, as the
 * superuser, before the migrations (whose CREATE EXTENSION IF NOT EXISTS then
 * does nothing). Idempotent. */
static const char pgembed_leakproof_sql[] =
        "CREATE EXTENSION IF NOT EXISTS ltree;"
        "ALTER FUNCTION ltree_isparent(ltree, ltree) LEAKPROOF;"
        "ALTER FUNCTION ltree_risparent(ltree, ltree) LEAKPROOF;";

static int pgembed_setup_leakproof(struct pgembed *pg, struct err *err)
{
	char port[16];
	const char *keys[] = {
	        "host", "port", "dbname", "user", "connect_timeout", "application_name", NULL};
	const char *values[] = {
	        pg->socket_dir,   port, PGEMBED_DATABASE, PGEMBED_CLUSTER_USER, "10",
	        "tcardd-pgembed", NULL};
	PGconn *conn;
	int rc;

	(void)snprintf(port, sizeof(port), "%d", pg->port);
	conn = PQconnectdbParams(keys, values, 0);
	if (PQstatus(conn) != CONNECTION_OK)
		rc = err_set(err, "could not connect to the embedded database: %.*s",
		             pgembed_trimmed(PQerrorMessage(conn)), PQerrorMessage(conn));
	else
		rc = pgembed_command(conn, pgembed_leakproof_sql, err);
	PQfinish(conn);
	return rc;
}

/* ---- public ---- */

int pgembed_start(struct pgembed *pg, const char *data_dir, struct err *err)
{
	int rc = -1, running;

	memset(pg, 0, sizeof(*pg));
	pg->port = PGEMBED_PORT;
	if (pgembed_find_bindir(pg, err) != 0 || pgembed_find_user(pg, err) != 0 ||
	    pgembed_prepare_root(pg, data_dir, err) != 0 || pgembed_prepare_subdirs(pg, err) != 0 ||
	    pgembed_ensure_cluster(pg, err) != 0 || pgembed_write_config(pg, err) != 0)
		goto cleanup;
	running = pgembed_adopt_postmaster(pg, err);
	if (running < 0 || (running == 0 && pgembed_start_server(pg, err) != 0))
		goto cleanup;
	/* An adopted postmaster is ours too: it was left by a tcardd that crashed. */
	pg->started_by_us = 1;
	if (pgembed_setup_database(pg, err) != 0 || pgembed_setup_leakproof(pg, err) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc != 0) {
		pgembed_stop(pg);
		pg->created = 0;
	}
	return rc;
}

int pgembed_conninfo(const struct pgembed *pg, const char *role, char *out, size_t outsize)
{
	const char *quote;
	int n;

	if (outsize == 0)
		return -1;
	out[0] = '\0';
	if (pg->socket_dir[0] == '\0' || !pgembed_role_is_plain(role))
		return -1;
	/* pgembed_set_paths admitted no quote or backslash, so quoting needs no escapes */
	quote = strchr(pg->socket_dir, ' ') != NULL ? "'" : "";
	n = snprintf(out, outsize, "host=%s%s%s port=%d dbname=%s user=%s connect_timeout=2", quote,
	             pg->socket_dir, quote, pg->port, PGEMBED_DATABASE, role);
	if (n < 0 || (size_t)n >= outsize) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

void pgembed_stop(struct pgembed *pg)
{
	struct err ignored;
	char pid_file[PGEMBED_PATH_MAX];
	long pid;

	if (pg == NULL || !pg->started_by_us)
		return;
	pg->started_by_us = 0;
	if (pgembed_pg_ctl_stop(pg, 0, &ignored) == 0)
		return;
	/* A fast shutdown that did not finish in 60 s: do not leave the server behind. */
	if (pgembed_join(pid_file, sizeof(pid_file), pg->data_dir, "postmaster.pid", &ignored) ==
	            0 &&
	    pgembed_lock_state(pg, pid_file, &pid) == PGEMBED_LOCK_OURS)
		(void)pgembed_pg_ctl_stop(pg, 1, &ignored);
}
