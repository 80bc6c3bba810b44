// SPDX-License-Identifier: GPL-2.0
/*
 * Kerberos acceptor benchmark: the same handshakes (MIT initiator in this
 * process, mutual authentication, one service) accepted by
 *
 *   mit       MIT GSSAPI in the acceptor process (the floor),
 *   gssproxy  MIT GSSAPI through gssproxy (GSS_USE_PROXY=yes), the
 *             server-side anchor knfsd uses,
 *   ksspi     the ksspi "kerberos" package (ioctl -> request-key upcall ->
 *             ksspi-upcall -> MIT GSSAPI),
 *
 * measured in one run, with 1 and 2 threads; then where the time of one
 * ksspi accept goes: a trivial request-key round trip, the helper's start,
 * and the Kerberos work itself (the MIT floor).
 *
 * Each acceptor runs in its own process (this program re-executed with
 * --serve) so that its GSSAPI library is set up the way the mode needs.
 * Run by selftests/bench/krb5-bench in the VM; never asserts on time.
 *
 * Usage: ksspi-krb5-bench [-n HANDSHAKES] [-h HELPER] [-m MODE,...] TARGET
 *   TARGET: host-based service name, e.g. host@ksspi-vm.ksspi.test
 *   -m: run only these acceptors (default all three; ratios need all)
 */
#include <errno.h>
#include <fcntl.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <keyutils.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ksspi.h>
#include "libksspi.h"

#define MAX_TOKEN	65536
#define MAX_THREADS	2

enum mode { MODE_MIT, MODE_GSSPROXY, MODE_KSSPI, MODE_NR };
static const char *const mode_names[MODE_NR] = { "mit", "gssproxy", "ksspi" };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void gss_die(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 ctx = 0, min;
	gss_buffer_desc msg;

	fprintf(stderr, "%s: GSS major 0x%x minor %u", what, major, minor);
	if (minor) {
		gss_display_status(&min, minor, GSS_C_MECH_CODE,
				   (gss_OID)gss_mech_krb5, &ctx, &msg);
		fprintf(stderr, " (%.*s)", (int)msg.length,
			(char *)msg.value);
		gss_release_buffer(&min, &msg);
	}
	fputc('\n', stderr);
	exit(1);
}

/* ---- length-prefixed messages over a socket ---- */

static int send_msg(int fd, const void *buf, uint32_t len)
{
	if (write(fd, &len, sizeof(len)) != sizeof(len))
		return -1;
	return len && write(fd, buf, len) != (ssize_t)len ? -1 : 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = read(fd, (char *)buf + done, len - done);
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

/* Returns the length, or -1 at end of stream or on error. */
static long recv_msg(int fd, void *buf, uint32_t size)
{
	uint32_t len;

	if (recv_all(fd, &len, sizeof(len)) || len > size)
		return -1;
	return recv_all(fd, buf, len) ? -1 : (long)len;
}

/* ---- the acceptor process ---- */

/*
 * One reply per token: [u64 accept ns][output token].  An empty output
 * means the accept failed (the client then stops).
 */
struct serve_arg {
	enum mode mode;
	int fd;
	int dev;
	int cred;
};

static void *serve(void *p)
{
	struct serve_arg *a = p;
	static __thread uint8_t in[MAX_TOKEN], out[8 + MAX_TOKEN];
	long len;

	while ((len = recv_msg(a->fd, in, sizeof(in))) >= 0) {
		uint64_t t0 = now_ns(), dt;
		uint32_t olen = 0;

		if (a->mode == MODE_KSSPI) {
			size_t outlen = MAX_TOKEN;
			uint32_t flags;
			int ctx = -1;
			int32_t st;

			st = ksspi_accept_security_context(a->cred, &ctx,
							   ASC_REQ_MUTUAL_AUTH,
							   in, len, out + 8,
							   &outlen, &flags);
			dt = now_ns() - t0;
			if (st == SEC_E_OK)
				olen = outlen;
			else
				fprintf(stderr, "ksspi accept: %s\n",
					ksspi_status_string(st));
			if (ctx >= 0)
				close(ctx);
		} else {
			gss_buffer_desc itok = { len, in }, otok = { 0 };
			gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
			OM_uint32 major, minor;

			major = gss_accept_sec_context(&minor, &ctx,
						       GSS_C_NO_CREDENTIAL,
						       &itok, NULL, NULL, NULL,
						       &otok, NULL, NULL, NULL);
			dt = now_ns() - t0;
			if (major == GSS_S_COMPLETE && otok.length &&
			    otok.length <= MAX_TOKEN) {
				memcpy(out + 8, otok.value, otok.length);
				olen = otok.length;
			} else if (major != GSS_S_COMPLETE) {
				gss_die("gss_accept_sec_context", major, minor);
			}
			gss_release_buffer(&minor, &otok);
			gss_delete_sec_context(&minor, &ctx, NULL);
		}
		memcpy(out, &dt, 8);
		if (send_msg(a->fd, out, olen ? 8 + olen : 0))
			break;
	}
	return NULL;
}

static int serve_main(enum mode mode, int nfds, char **fds)
{
	struct serve_arg args[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	int i, dev = -1, cred = -1;

	if (mode == MODE_GSSPROXY)
		setenv("GSS_USE_PROXY", "yes", 1);
	if (mode == MODE_KSSPI) {
		dev = ksspi_open();
		if (dev < 0)
			die("open " KSSPI_DEVICE_PATH);
		cred = ksspi_acquire_credentials(dev, "kerberos",
						 SECPKG_CRED_INBOUND, NULL,
						 NULL);
		if (cred < 0) {
			errno = -cred;
			die("acquire kerberos inbound credentials");
		}
	}
	for (i = 0; i < nfds; i++) {
		args[i] = (struct serve_arg){ .mode = mode, .fd = atoi(fds[i]),
						.dev = dev, .cred = cred };
		if (pthread_create(&th[i], NULL, serve, &args[i]))
			die("pthread_create");
	}
	for (i = 0; i < nfds; i++)
		pthread_join(th[i], NULL);
	return 0;
}

/* ---- the initiator side ---- */

struct client_arg {
	int fd;
	unsigned int n;
	gss_name_t target;
	uint64_t accept_ns;
	unsigned int done;
};

static void *client(void *p)
{
	struct client_arg *a = p;
	static __thread uint8_t buf[8 + MAX_TOKEN];
	unsigned int i;

	for (i = 0; i < a->n; i++) {
		gss_buffer_desc otok = { 0 }, itok;
		gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
		OM_uint32 major, minor;
		uint64_t dt;
		long len;

		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx,
					     a->target, (gss_OID)gss_mech_krb5,
					     GSS_C_MUTUAL_FLAG, 0, NULL, NULL,
					     NULL, &otok, NULL, NULL);
		if (major != GSS_S_CONTINUE_NEEDED)
			gss_die("gss_init_sec_context", major, minor);
		if (send_msg(a->fd, otok.value, otok.length))
			die("send");
		gss_release_buffer(&minor, &otok);
		len = recv_msg(a->fd, buf, sizeof(buf));
		if (len < 8) {
			fprintf(stderr, "acceptor failed at handshake %u\n", i);
			exit(1);
		}
		memcpy(&dt, buf, 8);
		a->accept_ns += dt;
		itok.length = len - 8;
		itok.value = buf + 8;
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx,
					     a->target, (gss_OID)gss_mech_krb5,
					     GSS_C_MUTUAL_FLAG, 0, NULL, &itok,
					     NULL, &otok, NULL, NULL);
		if (major != GSS_S_COMPLETE)
			gss_die("gss_init_sec_context (AP-REP)", major, minor);
		gss_release_buffer(&minor, &otok);
		gss_delete_sec_context(&minor, &ctx, NULL);
		a->done++;
	}
	return NULL;
}

struct result {
	double accept_us;
	double per_sec;
};

static struct result run_mode(enum mode mode, unsigned int threads,
			      unsigned int n, gss_name_t target)
{
	struct client_arg args[MAX_THREADS] = { 0 };
	char fdstr[MAX_THREADS][16], *argv[4 + MAX_THREADS];
	pthread_t th[MAX_THREADS];
	int sv[MAX_THREADS][2];
	struct result r;
	unsigned int i, total = 0;
	uint64_t t0, wall, acc = 0;
	pid_t pid;
	int status;

	for (i = 0; i < threads; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[i]))
			die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		argv[0] = "ksspi-krb5-bench";
		argv[1] = "--serve";
		argv[2] = (char *)mode_names[mode];
		for (i = 0; i < threads; i++) {
			close(sv[i][0]);
			/* The acceptor's end stays open across exec. */
			if (fcntl(sv[i][1], F_SETFD, 0))
				_exit(1);
			snprintf(fdstr[i], sizeof(fdstr[i]), "%d", sv[i][1]);
			argv[3 + i] = fdstr[i];
		}
		argv[3 + threads] = NULL;
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	for (i = 0; i < threads; i++)
		close(sv[i][1]);

	/* One warm-up handshake per thread (replay cache, connections). */
	for (i = 0; i < threads; i++) {
		args[i] = (struct client_arg){ .fd = sv[i][0], .n = 1,
						 .target = target };
		client(&args[i]);
		args[i].n = n;
		args[i].accept_ns = 0;
		args[i].done = 0;
	}
	t0 = now_ns();
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, client, &args[i]))
			die("pthread_create");
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	wall = now_ns() - t0;
	for (i = 0; i < threads; i++) {
		close(sv[i][0]);
		acc += args[i].accept_ns;
		total += args[i].done;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "%s acceptor failed\n", mode_names[mode]);
		exit(1);
	}
	r.accept_us = (double)acc / total / 1000.0;
	r.per_sec = total / (wall / 1e9);
	return r;
}

/* ---- where the time of one ksspi accept goes ---- */

/* A request-key round trip with a trivial handler (keyctl instantiate). */
static double request_key_us(unsigned int n)
{
	char desc[64];
	unsigned int i;
	uint64_t t0 = now_ns();
	key_serial_t key;

	for (i = 0; i < n; i++) {
		snprintf(desc, sizeof(desc), "ksspibench:%d:%u", getpid(), i);
		key = request_key("user", desc, "x", KEY_SPEC_THREAD_KEYRING);
		if (key < 0)
			die("request_key user ksspibench:* (is the request-key.d line there?)");
		keyctl_invalidate(key);
	}
	return (now_ns() - t0) / 1000.0 / n;
}

/* fork + exec + exit of the helper (dynamic loading of libkrb5 et al.). */
static double exec_us(const char *helper, unsigned int n)
{
	unsigned int i;
	uint64_t t0 = now_ns();
	int status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			execl(helper, helper, "--version", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			fprintf(stderr, "%s --version failed\n", helper);
	}
	return (now_ns() - t0) / 1000.0 / n;
}

int main(int argc, char **argv)
{
	const char *helper = "/usr/sbin/ksspi-upcall";
	struct result res[MODE_NR][MAX_THREADS];
	gss_buffer_desc tname;
	gss_name_t target;
	OM_uint32 major, minor;
	unsigned int n = 20, t;
	unsigned int modes = (1U << MODE_NR) - 1;
	double rk, ex;
	char *tok;
	int opt, m;

	if (argc >= 3 && !strcmp(argv[1], "--serve")) {
		for (m = 0; m < MODE_NR; m++)
			if (!strcmp(argv[2], mode_names[m]))
				return serve_main(m, argc - 3, argv + 3);
		return 2;
	}
	while ((opt = getopt(argc, argv, "n:h:m:")) != -1) {
		switch (opt) {
		case 'm':
			modes = 0;
			for (tok = strtok(optarg, ","); tok;
			     tok = strtok(NULL, ",")) {
				for (m = 0; m < MODE_NR; m++)
					if (!strcmp(tok, mode_names[m]))
						modes |= 1U << m;
				if (!modes)
					goto usage;
			}
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			helper = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !n)
		goto usage;

	tname.value = argv[optind];
	tname.length = strlen(argv[optind]);
	major = gss_import_name(&minor, &tname, GSS_C_NT_HOSTBASED_SERVICE,
				&target);
	if (major)
		gss_die("gss_import_name", major, minor);

	for (t = 1; t <= MAX_THREADS; t++)
		for (m = 0; m < MODE_NR; m++)
			if (modes & (1U << m))
				res[m][t - 1] = run_mode(m, t, n, target);

	printf("== Kerberos accept (krb5 mech, mutual auth), %u handshakes per thread\n",
	       n);
	printf("%-9s %14s %14s %14s\n", "acceptor", "accept (1 thr)",
	       "handshakes/s 1", "handshakes/s 2");
	for (m = 0; m < MODE_NR; m++)
		if (modes & (1U << m))
			printf("%-9s %11.0f us %14.1f %14.1f\n", mode_names[m],
			       res[m][0].accept_us, res[m][0].per_sec,
			       res[m][1].per_sec);
	if (modes != (1U << MODE_NR) - 1)
		goto out;
	rk = request_key_us(n);
	ex = exec_us(helper, n);
	printf("ratios (accept latency, 1 thread): ksspi/mit %.1fx, gssproxy/mit %.1fx, ksspi/gssproxy %.1fx\n",
	       res[MODE_KSSPI][0].accept_us / res[MODE_MIT][0].accept_us,
	       res[MODE_GSSPROXY][0].accept_us / res[MODE_MIT][0].accept_us,
	       res[MODE_KSSPI][0].accept_us / res[MODE_GSSPROXY][0].accept_us);
	printf("== where one ksspi accept goes (%.0f us)\n",
	       res[MODE_KSSPI][0].accept_us);
	printf("request-key round trip, trivial handler  %9.0f us  %4.0f%%\n",
	       rk, 100 * rk / res[MODE_KSSPI][0].accept_us);
	printf("helper fork+exec+exit (%s --version) %9.0f us  %4.0f%%\n",
	       helper, ex, 100 * ex / res[MODE_KSSPI][0].accept_us);
	printf("Kerberos accept work (the MIT floor)     %9.0f us  %4.0f%%\n",
	       res[MODE_MIT][0].accept_us,
	       100 * res[MODE_MIT][0].accept_us / res[MODE_KSSPI][0].accept_us);
out:
	gss_release_name(&minor, &target);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n HANDSHAKES] [-h HELPER] [-m MODE,...] TARGET\n",
		argv[0]);
	return 2;
}
