// SPDX-License-Identifier: GPL-2.0
/*
 * x509_logon_bench: certificate logons per second through the x509 package,
 * run in the VM by selftests/bench/x509-bench (make bench-x509).
 *
 *   ksspi-x509-logon-bench ENVFILE MODE SECONDS MAX
 *
 * ENVFILE is selftests/x509/vm-setup's DIR/env; MODE is rsa-file, ec-file
 * or rsa-keyring (alice's RSA-2048 or P-256 leaf, the key in a PEM file
 * the helper reads, or the RSA key in alice's keyring).  A child that has
 * become alice acquires the outbound credentials and hands the descriptor
 * back over SCM_RIGHTS; this process (root) acquires the inbound ones and
 * then runs whole logons, the four legs of Documentation/userspace-api/
 * x509.rst, for SECONDS or MAX logons, whichever comes first.  Each leg is
 * timed from user space; /sys/kernel/debug/ksspi/stats gives the upcalls
 * per logon and /proc/stat the guest's CPU (the helpers run outside this
 * process); the trace buffer is emptied after the warm-up logon, so that
 * x509-bench's ksspi_upcall_done events are the measured logons' only.  Prints figures, one "key value" line each; fails only on an
 * error, never on time.
 */
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <linux/ksspi.h>
#include "libksspi.h"

#define TARGET		"host/server.ksspi.test"
#define ALICE		2001
#define BIG		40000
#define LEGS		4

static char env_lines[128][512];
static int env_n;

static int env_load(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (env_n < 128 && fgets(env_lines[env_n], 512, f)) {
		env_lines[env_n][strcspn(env_lines[env_n], "\n")] = 0;
		env_n++;
	}
	fclose(f);
	return 0;
}

static const char *env_get(const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < env_n; i++)
		if (!strncmp(env_lines[i], name, len) &&
		    env_lines[i][len] == '=')
			return env_lines[i] + len + 1;
	fprintf(stderr, "x509-logon-bench: %s not in the environment file\n",
		name);
	exit(1);
}

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The ksspi upcall counter, or -1 without debugfs. */
static long long stat_upcalls(void)
{
	FILE *f = fopen("/sys/kernel/debug/ksspi/stats", "re");
	char name[64];
	long long v, r = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, "upcalls"))
			r = v;
	fclose(f);
	return r;
}

/* The guest's busy CPU time in seconds (all CPUs, user+nice+system+irq). */
static double guest_busy(void)
{
	unsigned long long u, n, s, idle, io, irq, sirq;
	FILE *f = fopen("/proc/stat", "re");
	double r = 0;

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &s,
		   &idle, &io, &irq, &sirq) == 7)
		r = (double)(u + n + s + irq + sirq) /
		    (double)sysconf(_SC_CLK_TCK);
	fclose(f);
	return r;
}

static int pem_chain_der(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t used = 0;
	X509 *x;

	if (!f)
		return -errno;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		int n = i2d_X509(x, NULL);
		unsigned char *p = buf + used;

		if (n <= 0 || used + n > size) {
			X509_free(x);
			fclose(f);
			return -E2BIG;
		}
		i2d_X509(x, &p);
		used += n;
		X509_free(x);
	}
	fclose(f);
	return used ? (int)used : -ENODATA;
}

/* In the child, as alice: outbound credentials; a descriptor or -errno. */
static int alice_acquire(const char *mode)
{
	static uint8_t chain[BIG], key[8192];
	const char *leaf = strcmp(mode, "ec-file") ? "ALICE_RSA" : "ALICE_EC";
	char name[64];
	int keyring = !strcmp(mode, "rsa-keyring");
	int32_t serial = 0;
	int dev, n = 0, fd;
	const char *chain_path;
	gid_t g = ALICE;

	snprintf(name, sizeof(name), "%s_CHAIN", leaf);
	chain_path = env_get(name);
	if (keyring) {
		n = pem_chain_der(chain_path, chain, sizeof(chain));
		if (n < 0)
			return n;
		snprintf(name, sizeof(name), "%s_KEY_DER", leaf);
		fd = open(env_get(name), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		serial = read(fd, key, sizeof(key));
		close(fd);
		if (serial <= 0)
			return -EIO;
	}
	if (setgroups(1, &g) || setresgid(ALICE, ALICE, ALICE) ||
	    setresuid(ALICE, ALICE, ALICE))
		return -EPERM;
	if (keyring) {
		serial = add_key("asymmetric", "ksspi-x509-bench", key, serial,
				 KEY_SPEC_PROCESS_KEYRING);
		if (serial < 0)
			return -errno;
	}
	dev = ksspi_open();
	if (dev < 0)
		return -errno;
	snprintf(name, sizeof(name), "%s_KEY", leaf);
	fd = ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND, NULL,
					    keyring ? NULL : chain_path,
					    keyring ? chain : NULL, n,
					    keyring ? NULL : env_get(name),
					    serial, NULL);
	return fd < 0 ? -errno : fd;
}

static int acquire_out(const char *mode)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	int err = 0, sv[2], fd = -1, st;
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = alice_acquire(mode);
		if (fd >= 0) {
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		} else {
			err = -fd;
		}
		_exit(sendmsg(sv[1], &mh, 0) < 0);
	}
	close(sv[1]);
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(sv[0], &mh, 0) != sizeof(err))
		err = EPROTO;
	cm = CMSG_FIRSTHDR(&mh);
	if (!err && cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	else if (!err)
		err = EPROTO;
	close(sv[0]);
	waitpid(pid, &st, 0);
	return err ? -err : fd;
}

static uint8_t tok[3][BIG];

/* One logon; adds each leg's seconds to @leg.  SEC_E_OK or the status. */
static int32_t logon(int icred, int acred, double leg[LEGS])
{
	size_t len[3] = { BIG, BIG, BIG };
	int ictx = -1, actx = -1;
	uint8_t out[256];
	size_t out_len = sizeof(out);
	uint32_t flags;
	int32_t st;
	double t0, t1;

	t0 = now_s(CLOCK_MONOTONIC);
	st = ksspi_initialize_security_context(icred, &ictx, TARGET,
					       ISC_REQ_CONNECTION, NULL, 0,
					       tok[0], &len[0], &flags);
	t1 = now_s(CLOCK_MONOTONIC);
	leg[0] += t1 - t0;
	if (st != SEC_I_CONTINUE_NEEDED)
		goto out;
	st = ksspi_accept_security_context(acred, &actx, ASC_REQ_CONNECTION,
					   tok[0], len[0], tok[1], &len[1],
					   &flags);
	t0 = now_s(CLOCK_MONOTONIC);
	leg[1] += t0 - t1;
	if (st != SEC_I_CONTINUE_NEEDED)
		goto out;
	st = ksspi_initialize_security_context(icred, &ictx, NULL, 0, tok[1],
					       len[1], tok[2], &len[2], &flags);
	t1 = now_s(CLOCK_MONOTONIC);
	leg[2] += t1 - t0;
	if (st != SEC_E_OK)
		goto out;
	st = ksspi_accept_security_context(acred, &actx, 0, tok[2], len[2],
					   out, &out_len, &flags);
	leg[3] += now_s(CLOCK_MONOTONIC) - t1;
out:
	if (ictx >= 0)
		close(ictx);
	if (actx >= 0)
		close(actx);
	return st;
}

int main(int argc, char **argv)
{
	static const char *const leg_names[LEGS] = {
		"isc1_hello", "asc1_challenge", "isc2_sign", "asc2_verify_map",
	};
	double leg[LEGS] = { 0 }, t0, wall, acq, busy0, busy;
	long long up0, up1;
	long max, n;
	int dev, icred, acred, i, fd;
	double secs;
	int32_t st;

	if (argc != 5) {
		fprintf(stderr,
			"usage: %s ENVFILE rsa-file|ec-file|rsa-keyring SECONDS MAX\n",
			argv[0]);
		return 2;
	}
	if (env_load(argv[1])) {
		perror(argv[1]);
		return 1;
	}
	secs = strtod(argv[3], NULL);
	max = strtol(argv[4], NULL, 10);

	t0 = now_s(CLOCK_MONOTONIC);
	icred = acquire_out(argv[2]);
	acq = now_s(CLOCK_MONOTONIC) - t0;
	if (icred < 0) {
		fprintf(stderr, "x509-logon-bench: %s: alice's acquire: %s\n",
			argv[2], strerror(-icred));
		return 1;
	}
	dev = ksspi_open();
	acred = dev < 0 ? -1 :
		ksspi_acquire_x509_credentials(dev, SECPKG_CRED_INBOUND,
					       TARGET, NULL, NULL, 0, NULL, 0,
					       NULL);
	if (acred < 0) {
		perror("x509-logon-bench: inbound credentials");
		return 1;
	}

	/* one warm-up logon: the page cache, the helper binary, the config */
	st = logon(icred, acred, leg);
	if (st != SEC_E_OK) {
		fprintf(stderr, "x509-logon-bench: %s: logon: %s\n", argv[2],
			ksspi_status_string(st));
		return 1;
	}
	memset(leg, 0, sizeof(leg));
	/*
	 * x509-bench reads the upcalls' durations from the trace: only the
	 * measured logons', not the acquire's or the (cold) warm-up's.
	 */
	fd = open("/sys/kernel/tracing/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);

	up0 = stat_upcalls();
	busy0 = guest_busy();
	t0 = now_s(CLOCK_MONOTONIC);
	for (n = 0; n < max && (n == 0 || now_s(CLOCK_MONOTONIC) - t0 < secs);
	     n++) {
		st = logon(icred, acred, leg);
		if (st != SEC_E_OK) {
			fprintf(stderr, "x509-logon-bench: %s: logon %ld: %s\n",
				argv[2], n, ksspi_status_string(st));
			return 1;
		}
	}
	wall = now_s(CLOCK_MONOTONIC) - t0;
	busy = guest_busy() - busy0;
	up1 = stat_upcalls();

	printf("mode %s\n", argv[2]);
	printf("acquire_out_ms %.1f\n", acq * 1e3);
	printf("logons %ld\n", n);
	printf("wall_s %.3f\n", wall);
	printf("logons_per_s %.2f\n", (double)n / wall);
	printf("us_per_logon %.0f\n", wall * 1e6 / (double)n);
	printf("guest_cpu_us_per_logon %.0f\n", busy * 1e6 / (double)n);
	for (i = 0; i < LEGS; i++)
		printf("leg_%s_us %.0f\n", leg_names[i],
		       leg[i] * 1e6 / (double)n);
	if (up0 >= 0 && up1 >= 0)
		printf("upcalls_per_logon %.2f\n",
		       (double)(up1 - up0) / (double)n);
	close(icred);
	close(acred);
	close(dev);
	return 0;
}
