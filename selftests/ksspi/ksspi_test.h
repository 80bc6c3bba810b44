/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the ksspi selftests.  Tests run as root inside the VM
 * (selftests/vm/run) with the module loaded; they create throwaway users
 * by uid alone (the kernel needs no passwd entry) and switch to them in
 * forked children.
 */
#ifndef KSSPI_TEST_H
#define KSSPI_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libksspi.h"

/* Test identities: no passwd entries are needed by the kernel. */
#define ALICE_UID	2001
#define BOB_UID		2002
#define CAROL_UID	2003
#define STAFF_GID	2100	/* alice and carol */
#define ALICE_GID	2001
#define BOB_GID		2002
#define CAROL_GID	2003
#define SERVER_UID	2050
#define SERVER_GID	2050

#define TOKBUF		4096

/*
 * Become @uid/@gid with @groups, dropping every capability (the raw
 * syscalls change only the calling thread: callers are single-threaded
 * children).  Returns 0 or -errno.
 */
static inline int become(uid_t uid, gid_t gid, const gid_t *groups, int n)
{
	if (setgroups(n, groups))
		return -errno;
	if (setresgid(gid, gid, gid))
		return -errno;
	if (setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

static inline int become_alice(void)
{
	const gid_t g[] = { STAFF_GID };

	return become(ALICE_UID, ALICE_GID, g, 1);
}

static inline int become_bob(void)
{
	return become(BOB_UID, BOB_GID, NULL, 0);
}

static inline int become_server(void)
{
	return become(SERVER_UID, SERVER_GID, NULL, 0);
}

/* Reads exactly @len bytes; returns 0 or -1. */
static inline int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Length-prefixed token framing over a stream socket. */
static inline int send_token(int sock, const void *tok, uint32_t len)
{
	if (write_full(sock, &len, sizeof(len)))
		return -1;
	return write_full(sock, tok, len);
}

static inline int recv_token(int sock, void *tok, uint32_t size,
			     uint32_t *len)
{
	if (read_full(sock, len, sizeof(*len)) || *len > size)
		return -1;
	return read_full(sock, tok, *len);
}

/* The principal the local package gives uid @uid by default. */
static inline void uid_principal(char *buf, size_t size, const char *svc,
				 uid_t uid)
{
	if (svc)
		snprintf(buf, size, "%s/uid:%u", svc, uid);
	else
		snprintf(buf, size, "uid:%u", uid);
}

/* Sets a module parameter; returns 0 or -errno. */
/* Replaces PATH with TEXT (mode MODE) by renaming a written copy over it. */
static inline int write_file_atomic(const char *path, const char *text,
				    mode_t mode)
{
	char tmp[PATH_MAX + 8];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write_full(fd, text, strlen(text)) || fchmod(fd, mode)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return rename(tmp, path) ? -errno : 0;
}

/* Reads a small text file (a sysfs value, a saved setting): its first line. */
static inline int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static inline int set_param(const char *name, const char *value)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/ksspi/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Runs @fn in a forked child and returns its exit status (or 128 + signal).
 */
static inline int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * A whole local handshake inside one process: @icred initiates towards
 * @target, @acred accepts.  Returns the acceptor's final status; the
 * contexts are left in *ictx / *actx (-1 when none).
 */
static inline int32_t local_handshake(int icred, int acred, const char *target,
				      uint32_t isc_req, uint32_t asc_req,
				      int *ictx, int *actx)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen = sizeof(a), blen;
	uint32_t flags;
	int32_t st, ast;

	*ictx = -1;
	*actx = -1;
	st = ksspi_initialize_security_context(icred, ictx, target, isc_req,
					       NULL, 0, a, &alen, &flags);
	if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
		return st;
	blen = sizeof(b);
	ast = ksspi_accept_security_context(acred, actx, asc_req, a, alen, b,
					    &blen, &flags);
	if (ast != SEC_E_OK || st == SEC_E_OK)
		return ast;
	alen = sizeof(a);
	return ksspi_initialize_security_context(icred, ictx, NULL, 0, b, blen,
						 a, &alen, &flags);
}

/*
 * Hiding the helper from request-key, for tests of what happens when no
 * helper answers (whatever an earlier test configured): an empty tmpfs over
 * /etc/request-key.d, and a bind-mounted copy of /etc/request-key.conf
 * without its ksspi lines, if it has any.  In the VM /etc is a tmpfs
 * overlay and the mounts go with the guest; ksspi_unhide_helper() undoes
 * them.
 */
#define KSSPI_RKD	"/etc/request-key.d"
#define KSSPI_RKCONF	"/etc/request-key.conf"

struct ksspi_hidden_helper {
	bool rkd;
	bool rkconf;
	char copy[64];
};

static inline int ksspi_hide_helper(struct ksspi_hidden_helper *h)
{
	char line[1024];
	bool has = false;
	FILE *in, *out;
	int fd;

	memset(h, 0, sizeof(*h));
	if (!access(KSSPI_RKD, F_OK)) {
		if (mount("ksspi-test", KSSPI_RKD, "tmpfs",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k"))
			return -errno;
		h->rkd = true;
	}
	in = fopen(KSSPI_RKCONF, "re");
	if (!in)
		return 0;
	strcpy(h->copy, "/run/ksspi-test-rkconf.XXXXXX");
	fd = mkstemp(h->copy);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		if (fd >= 0)
			close(fd);
		fclose(in);
		return -errno;
	}
	while (fgets(line, sizeof(line), in)) {
		char op[32], type[64];

		if (sscanf(line, "%31s %63s", op, type) == 2 &&
		    !strcmp(type, "ksspi")) {
			has = true;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	if (has) {
		if (mount(h->copy, KSSPI_RKCONF, NULL, MS_BIND, NULL))
			return -errno;
		h->rkconf = true;
	}
	return 0;
}

static inline void ksspi_unhide_helper(struct ksspi_hidden_helper *h)
{
	if (h->rkd)
		umount2(KSSPI_RKD, MNT_DETACH);
	if (h->rkconf)
		umount2(KSSPI_RKCONF, MNT_DETACH);
	if (h->copy[0])
		unlink(h->copy);
	memset(h, 0, sizeof(*h));
}

/*
 * Writes @value to a sysfs/debugfs/tracefs file (opened with @flags added
 * to O_WRONLY, e.g. O_TRUNC to clear tracefs's "trace"); 0 or -errno.
 */
static inline int write_text(const char *path, const char *value, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

#endif /* KSSPI_TEST_H */
