// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-bench: `make bench` runs it in the VM, as root, with ksspi.ko and
 * ksspi_bench.ko loaded.  It prints per-operation costs and ratios measured
 * in this one run:
 *
 *  - the in-kernel pair (from ksspi_bench.ko) against override_creds/
 *    revert_creds and against a ksmbd-style per-request credential build;
 *  - the user ioctl pair (KSSPI_IOC_IMPERSONATE + KSSPI_IOC_REVERT) against
 *    the raw syscalls a user-space server uses to switch a thread today:
 *    setgroups(16) + setresgid + setresuid, and back.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libksspi.h"

#define CLIENT_UID	2001
#define NGROUPS		16
#define DEBUGFS_RUN	"/sys/kernel/debug/ksspi_bench/run"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void kernel_bench(unsigned int n)
{
	char buf[1024];
	ssize_t len;
	int fd;

	fd = open(DEBUGFS_RUN, O_RDWR);
	if (fd < 0)
		die(DEBUGFS_RUN);
	/* The module authenticates the writer: write as the client. */
	if (seteuid(CLIENT_UID))
		die("seteuid");
	len = snprintf(buf, sizeof(buf), "%u", n);
	if (write(fd, buf, len) != len)
		die("write " DEBUGFS_RUN);
	if (seteuid(0))
		die("seteuid");
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len < 0)
		die("read " DEBUGFS_RUN);
	buf[len] = 0;
	printf("== in-kernel API (ksspi_bench.ko)\n%s", buf);
	close(fd);
}

static void user_bench(unsigned int n)
{
	uint8_t a[4096], b[4096];
	size_t alen = sizeof(a), blen = sizeof(b);
	gid_t groups[NGROUPS];
	uint64_t t0, ioctl_ns, sys_ns;
	int dev, icred, acred, ictx = -1, actx = -1;
	uint32_t flags;
	unsigned int i;
	int32_t st;

	dev = ksspi_open();
	if (dev < 0)
		die("open /dev/ksspi");
	/*
	 * The client's credentials, acquired with real and effective uid the
	 * client's (user threads impersonate only such clients); the saved
	 * uid 0 brings the process back.
	 */
	if (setresuid(CLIENT_UID, CLIENT_UID, 0))
		die("setresuid");
	icred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_OUTBOUND,
					  NULL, NULL);
	if (setresuid(0, 0, 0))
		die("setresuid");
	acred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					  "bench/uid:0", NULL);
	if (icred < 0 || acred < 0)
		die("acquire");
	st = ksspi_initialize_security_context(icred, &ictx, "bench/uid:0", 0,
					       NULL, 0, a, &alen, &flags);
	if (st == SEC_E_OK)
		st = ksspi_accept_security_context(acred, &actx, 0, a, alen, b,
						   &blen, &flags);
	if (st != SEC_E_OK) {
		fprintf(stderr, "handshake: %s\n", ksspi_status_string(st));
		exit(1);
	}

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (ksspi_impersonate(actx) != SEC_E_OK ||
		    ksspi_revert(dev) != SEC_E_OK) {
			fprintf(stderr, "impersonate/revert failed\n");
			exit(1);
		}
	}
	ioctl_ns = now_ns() - t0;

	if (getgroups(NGROUPS, groups) != NGROUPS)
		die("getgroups");
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		/* Raw syscalls: glibc's wrappers would switch every thread. */
		if (syscall(SYS_setgroups, NGROUPS, groups) ||
		    syscall(SYS_setresgid, CLIENT_UID, CLIENT_UID, CLIENT_UID) ||
		    syscall(SYS_setresuid, CLIENT_UID, CLIENT_UID, 0) ||
		    syscall(SYS_setresuid, 0, 0, 0) ||
		    syscall(SYS_setresgid, 0, 0, 0) ||
		    syscall(SYS_setgroups, NGROUPS, groups))
			die("setres*id");
	}
	sys_ns = now_ns() - t0;

	printf("== user API (ioctl), iterations %u, supplementary groups %d\n",
	       n, NGROUPS);
	printf("ioctl    KSSPI_IOC_IMPERSONATE+REVERT       %6llu ns/op\n",
	       (unsigned long long)(ioctl_ns / n));
	printf("syscall  setgroups+setresgid+setresuid x2   %6llu ns/op  %.2fx the ioctl pair\n",
	       (unsigned long long)(sys_ns / n), (double)sys_ns / ioctl_ns);
	close(ictx);
	close(actx);
	close(icred);
	close(acred);
	close(dev);
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	gid_t groups[NGROUPS];
	int i;

	if (!n)
		n = 100000;
	for (i = 0; i < NGROUPS; i++)
		groups[i] = 3000 + i;
	/* The client: uid 2001 with 16 groups, saved uid 0 to come back. */
	if (setgroups(NGROUPS, groups) || setresgid(CLIENT_UID, CLIENT_UID, 0))
		die("setgroups");
	kernel_bench(n);
	user_bench(n / 10 ? n / 10 : 1);
	return 0;
}
