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
#include <limits.h>
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of N samples in ns, in us (sorts them). */
static double median_us(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) / 1000.0;
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
			/* libksspi returns -errno (or -1 with errno set). */
			if (cred < -1)
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
	uint64_t *samples;	/* each accept's time, ns */
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
		if (a->samples)
			a->samples[a->done] = dt;
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
	double accept_us;	/* median */
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
	uint64_t t0, wall, acc = 0, *samples;
	pid_t pid;
	int status;

	samples = calloc((size_t)threads * n, sizeof(*samples));
	if (!samples)
		die("calloc");
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
		args[i].samples = samples + i * n;
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
	(void)acc;
	r.accept_us = median_us(samples, total);
	free(samples);
	r.per_sec = total / (wall / 1e9);
	return r;
}

/*
 * ---- where the time of one ksspi accept goes ----
 *
 * Each piece is timed once per round, the rounds interleave all pieces
 * (so that the load of a shared machine hits them alike), and medians are
 * reported.
 */

/*
 * A request-key round trip with a trivial handler: the kernel's key
 * construction, the fork+exec of /sbin/request-key (which reads its
 * configuration) and its exec of /bin/keyctl instantiate.
 */
static uint64_t request_key_once(unsigned int i)
{
	char desc[64];
	uint64_t t0 = now_ns(), dt;
	key_serial_t key;

	snprintf(desc, sizeof(desc), "ksspibench:%d:%u", getpid(), i);
	key = request_key("user", desc, "x", KEY_SPEC_THREAD_KEYRING);
	dt = now_ns() - t0;
	if (key < 0)
		die("request_key user ksspibench:* (is the request-key.d line there?)");
	keyctl_invalidate(key);
	return dt;
}

/*
 * Runs ARGV with stdin from IN and stdout to OUT (NULL: /dev/null),
 * stderr appended to ERR; returns its exit status (-1 if it did not exit)
 * and adds the time from fork to reaping to *NS.
 */
static int run(char *const argv[], const char *in, const char *out,
	       const char *err, uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		fd = open(in ? in : "/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		fd = open(out ? out : "/dev/null",
			  O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(err ? err : "/dev/null",
			  O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (ns)
		*ns += now_ns() - t0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* fork + exec + exit of ARGV (dynamic loading, no work). */
static uint64_t exec_once(char *const argv[])
{
	uint64_t ns = 0;

	if (run(argv, NULL, NULL, NULL, &ns)) {
		fprintf(stderr, "%s %s failed\n", argv[0], argv[1]);
		exit(1);
	}
	return ns;
}

/*
 * fork + exit + wait of this process (linked with libgssapi_krb5 and
 * with its GSSAPI set up): what the helper's privilege-separation child
 * costs to start and reap, apart from the work it does.
 */
static uint64_t fork_once(void)
{
	uint64_t t0 = now_ns();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return now_ns() - t0;
}

static int file_has(const char *path, const char *text)
{
	char buf[8192];
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return 0;
	buf[len] = 0;
	return strstr(buf, text) != NULL;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd))
		die(path);
}

/* The helper's "ms=N" (its time from main() on) in the last line of PATH. */
static long helper_ms(const char *path)
{
	char buf[65536], *p, *last = NULL;
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	for (p = buf; (p = strstr(p, " ms=")); p += 4)
		last = p;
	return last ? strtol(last + 4, NULL, 10) : -1;
}

/* A fresh AP-REQ from alice's ticket cache, in BUF (MAX_TOKEN). */
static size_t make_ap_req(gss_name_t target, void *buf)
{
	gss_buffer_desc otok = { 0 };
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;
	size_t len;

	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx,
				     target, (gss_OID)gss_mech_krb5,
				     GSS_C_MUTUAL_FLAG, 0, NULL, NULL,
				     NULL, &otok, NULL, NULL);
	if (major != GSS_S_CONTINUE_NEEDED)
		gss_die("gss_init_sec_context", major, minor);
	if (otok.length > MAX_TOKEN) {
		fprintf(stderr, "AP-REQ too long\n");
		exit(1);
	}
	memcpy(buf, otok.value, otok.length);
	len = otok.length;
	gss_release_buffer(&minor, &otok);
	gss_delete_sec_context(&minor, &ctx, NULL);
	return len;
}

struct helper_run {
	const char *helper;
	char tok[PATH_MAX], req[PATH_MAX], resp[PATH_MAX], show[PATH_MAX];
	char err[PATH_MAX], id[32];
};

static void helper_failed(struct helper_run *h, const char *what)
{
	char *cat[] = { "/bin/cat", h->err, h->show, NULL };

	fprintf(stderr, "%s: %s failed\n", h->helper, what);
	run(cat, NULL, "/dev/stderr", NULL, NULL);
	exit(1);
}

/* An accept request (the acceptor is root) for a fresh AP-REQ, in h->req. */
static void make_accept_request(struct helper_run *h, gss_name_t target,
				unsigned int i)
{
	static uint8_t tok[MAX_TOKEN];
	char *mk[] = { (char *)h->helper, "--make-request", "accept",
		       "--uid", "0", "--gid", "0", "--flags", "mutual",
		       "--id", h->id, "--input", h->tok, NULL };

	snprintf(h->id, sizeof(h->id), "0x%x%04x", (unsigned int)getpid(),
		 i);
	write_file(h->tok, tok, make_ap_req(target, tok));
	if (run(mk, NULL, h->req, h->err, NULL))
		helper_failed(h, "--make-request");
}

static void check_response(struct helper_run *h)
{
	char *sh[] = { (char *)h->helper, "--show-response", h->resp, NULL };

	if (run(sh, NULL, h->show, h->err, NULL) ||
	    !file_has(h->show, "status=SEC_E_OK\n"))
		helper_failed(h, "accept");
}

static void helper_run_init(struct helper_run *h, const char *helper,
			    const char *dir)
{
	h->helper = helper;
	snprintf(h->tok, sizeof(h->tok), "%s/ap-req", dir);
	snprintf(h->req, sizeof(h->req), "%s/accept.req", dir);
	snprintf(h->resp, sizeof(h->resp), "%s/accept.resp", dir);
	snprintf(h->show, sizeof(h->show), "%s/accept.show", dir);
	snprintf(h->err, sizeof(h->err), "%s/helper.err", dir);
}

/*
 * The helper's whole process for one accept, without the kernel and
 * request-key: ksspi-upcall -D (its hand-run debug mode) on an accept
 * request built with its own --make-request.  Everything the helper does
 * in an upcall (start-up, configuration, krb5 context, privilege-
 * separation child, GSS accept, becoming the client) except reading the
 * request from and instantiating the key.  *INNER gets the helper's own
 * figure (its log's ms=, from main() on), in ns.
 */
static uint64_t helper_debug_once(struct helper_run *h, gss_name_t target,
				  unsigned int i, uint64_t *inner)
{
	char *dbg[] = { (char *)h->helper, "-D", NULL };
	uint64_t ns = 0;
	long ms;

	make_accept_request(h, target, i);
	unlink(h->err);
	if (run(dbg, h->req, h->resp, h->err, &ns))
		helper_failed(h, "-D accept");
	ms = helper_ms(h->err);
	if (ms < 0)
		helper_failed(h, "-D accept (no ms= in its log)");
	*inner = ms * 1000000ULL;
	check_response(h);
	return ns;
}

/*
 * The same accept through a real request-key upcall, without the module:
 * request_key("user", "ksspi;ID") with the request as callout info, served
 * by the helper's test key type (use-helper --test-keys).  The kernel's key
 * construction, /sbin/request-key and the helper as in a ksspi upcall.
 */
static uint64_t helper_upcall_once(struct helper_run *h, gss_name_t target,
				   unsigned int i)
{
	static char text[2 * 65536];
	char desc[64];
	uint64_t t0, dt;
	key_serial_t key;
	void *resp;
	ssize_t len;
	long rlen;
	int fd;

	make_accept_request(h, target, i);
	fd = open(h->req, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(h->req);
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len <= 0)
		die(h->req);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	text[len] = 0;
	snprintf(desc, sizeof(desc), "ksspi;%s", h->id + 2);
	t0 = now_ns();
	key = request_key("user", desc, text, KEY_SPEC_THREAD_KEYRING);
	dt = now_ns() - t0;
	if (key < 0) {
		perror("request_key user ksspi;* (use-helper --test-keys?)");
		helper_failed(h, "request-key accept");
	}
	rlen = keyctl_read_alloc(key, &resp);
	if (rlen < 0)
		die("keyctl_read user ksspi;*");
	write_file(h->resp, resp, rlen);
	free(resp);
	keyctl_invalidate(key);
	check_response(h);
	return dt;
}

/* One ksspi accept of a fresh AP-REQ, in this process. */
static uint64_t ksspi_once(int cred, gss_name_t target)
{
	static uint8_t in[MAX_TOKEN], out[MAX_TOKEN];
	size_t inlen = make_ap_req(target, in), outlen = sizeof(out);
	uint64_t t0 = now_ns(), dt;
	uint32_t flags;
	int ctx = -1;
	int32_t st;

	st = ksspi_accept_security_context(cred, &ctx, ASC_REQ_MUTUAL_AUTH,
					   in, inlen, out, &outlen, &flags);
	dt = now_ns() - t0;
	if (st != SEC_E_OK) {
		fprintf(stderr, "ksspi accept: %s\n", ksspi_status_string(st));
		exit(1);
	}
	if (ctx >= 0)
		close(ctx);
	return dt;
}

/*
 * The first MIT accept in a fresh process (this program re-executed with
 * --cold-accept FILE): what MIT GSSAPI itself costs a process that starts
 * per request (mechanism configuration, krb5 context, keytab, replay
 * cache), the accept included.  Prints the ns on stdout.
 */
static int cold_accept_main(const char *file)
{
	static uint8_t in[MAX_TOKEN];
	gss_buffer_desc itok = { 0, in }, otok = { 0 };
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;
	uint64_t t0;
	ssize_t len;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(file);
	len = read(fd, in, sizeof(in));
	close(fd);
	if (len <= 0)
		die(file);
	itok.length = len;
	t0 = now_ns();
	major = gss_accept_sec_context(&minor, &ctx, GSS_C_NO_CREDENTIAL,
				       &itok, NULL, NULL, NULL, &otok, NULL,
				       NULL, NULL);
	if (major != GSS_S_COMPLETE)
		gss_die("gss_accept_sec_context (cold)", major, minor);
	printf("%llu\n", (unsigned long long)(now_ns() - t0));
	return 0;
}

static uint64_t mit_cold_once(struct helper_run *h, gss_name_t target)
{
	static uint8_t tok[MAX_TOKEN];
	char *argv[] = { "/proc/self/exe", "--cold-accept", h->tok, NULL };
	char buf[64];
	ssize_t len;
	int fd;

	write_file(h->tok, tok, make_ap_req(target, tok));
	if (run(argv, NULL, h->show, h->err, NULL))
		helper_failed(h, "cold MIT accept (not the helper)");
	fd = open(h->show, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(h->show);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		die(h->show);
	buf[len] = 0;
	return strtoull(buf, NULL, 10);
}

/* One MIT accept of a fresh AP-REQ, in this process (warm). */
static uint64_t mit_once(gss_name_t target)
{
	static uint8_t in[MAX_TOKEN];
	gss_buffer_desc itok = { make_ap_req(target, in), in }, otok = { 0 };
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;
	uint64_t t0 = now_ns(), dt;

	major = gss_accept_sec_context(&minor, &ctx, GSS_C_NO_CREDENTIAL,
				       &itok, NULL, NULL, NULL, &otok, NULL,
				       NULL, NULL);
	dt = now_ns() - t0;
	if (major != GSS_S_COMPLETE)
		gss_die("gss_accept_sec_context", major, minor);
	gss_release_buffer(&minor, &otok);
	gss_delete_sec_context(&minor, &ctx, NULL);
	return dt;
}

enum piece { P_KSSPI, P_MIT, P_MIT_COLD, P_RK, P_KEYCTL, P_HELPER_EXEC, P_FORK,
	     P_DEBUG, P_DEBUG_INNER, P_UPCALL, P_NR };

/* Medians over N interleaved rounds, in us, into M[P_NR]. */
static void breakdown(const char *helper, const char *dir, gss_name_t target,
		      unsigned int n, double *m)
{
	char *keyctl_v[] = { "/bin/keyctl", "--version", NULL };
	char *helper_v[] = { (char *)helper, "--version", NULL };
	struct helper_run h;
	uint64_t *v;
	unsigned int i, p;
	int dev, cred;

	v = calloc((size_t)P_NR * n, sizeof(*v));
	if (!v)
		die("calloc");
	dev = ksspi_open();
	if (dev < 0)
		die("open " KSSPI_DEVICE_PATH);
	cred = ksspi_acquire_credentials(dev, "kerberos", SECPKG_CRED_INBOUND,
					 NULL, NULL);
	if (cred < 0) {
		if (cred < -1)
			errno = -cred;
		die("acquire kerberos inbound credentials");
	}
	helper_run_init(&h, helper, dir);
	mit_once(target);	/* warm up: replay cache, keytab */
	for (i = 0; i < n; i++) {
		v[P_KSSPI * n + i] = ksspi_once(cred, target);
		v[P_MIT * n + i] = mit_once(target);
		v[P_MIT_COLD * n + i] = mit_cold_once(&h, target);
		v[P_RK * n + i] = request_key_once(i);
		v[P_KEYCTL * n + i] = exec_once(keyctl_v);
		v[P_HELPER_EXEC * n + i] = exec_once(helper_v);
		v[P_FORK * n + i] = fork_once();
		v[P_DEBUG * n + i] = helper_debug_once(&h, target, 2 * i,
							&v[P_DEBUG_INNER * n + i]);
		v[P_UPCALL * n + i] = helper_upcall_once(&h, target,
							  2 * i + 1);
	}
	for (p = 0; p < P_NR; p++)
		m[p] = median_us(v + p * n, n);
	close(cred);
	close(dev);
	free(v);
}

static void ratio_line(const char *what, const struct result *a,
		       const struct result *b)
{
	printf("%-16s latency %6.1fx   handshakes/s 1 thr %6.2fx   2 thr %6.2fx\n",
	       what, a[0].accept_us / b[0].accept_us,
	       a[0].per_sec / b[0].per_sec, a[1].per_sec / b[1].per_sec);
}

static void part(const char *what, double us, double total)
{
	printf("  %-54s %9.0f %5.1f%%\n", what, us, 100 * us / total);
}

int main(int argc, char **argv)
{
	const char *helper = "/usr/sbin/ksspi-upcall", *dir = "/tmp";
	struct result res[MODE_NR][MAX_THREADS];
	gss_buffer_desc tname;
	gss_name_t target;
	OM_uint32 major, minor;
	unsigned int n = 10, t;
	unsigned int modes = (1U << MODE_NR) - 1;
	double total, mit, hin, rk_own, kernel, startup, daemon, pm[P_NR];
	char *tok;
	int opt, m;

	if (argc == 3 && !strcmp(argv[1], "--cold-accept"))
		return cold_accept_main(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "--serve")) {
		for (m = 0; m < MODE_NR; m++)
			if (!strcmp(argv[2], mode_names[m]))
				return serve_main(m, argc - 3, argv + 3);
		return 2;
	}
	while ((opt = getopt(argc, argv, "n:h:m:d:")) != -1) {
		switch (opt) {
		case 'm':
			modes = 0;
			for (tok = strtok(optarg, ","); tok;
			     tok = strtok(NULL, ",")) {
				for (m = 0; m < MODE_NR; m++)
					if (!strcmp(tok, mode_names[m]))
						break;
				if (m == MODE_NR)
					goto usage;
				modes |= 1U << m;
			}
			if (!modes)
				goto usage;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			helper = optarg;
			break;
		case 'd':
			dir = optarg;
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

	printf("== Kerberos accept (krb5 mech, mutual auth, alice -> host/), %u handshakes per thread, same realm/ticket/keytab\n",
	       n);
	printf("%-9s %16s %16s %16s\n", "acceptor", "accept (1 thr)",
	       "handshakes/s 1t", "handshakes/s 2t");
	for (m = 0; m < MODE_NR; m++)
		if (modes & (1U << m))
			printf("%-9s %13.0f us %16.1f %16.1f\n", mode_names[m],
			       res[m][0].accept_us, res[m][0].per_sec,
			       res[m][1].per_sec);
	if (modes != (1U << MODE_NR) - 1)
		goto out;
	printf("== ratios (same run; latency: higher is slower, handshakes/s: higher is faster)\n");
	ratio_line("ksspi/mit", res[MODE_KSSPI], res[MODE_MIT]);
	ratio_line("gssproxy/mit", res[MODE_GSSPROXY], res[MODE_MIT]);
	ratio_line("ksspi/gssproxy", res[MODE_KSSPI], res[MODE_GSSPROXY]);

	/* Where one ksspi accept goes: each piece timed on its own. */
	breakdown(helper, dir, target, n, pm);
	total = pm[P_KSSPI];
	mit = pm[P_MIT];
	hin = pm[P_DEBUG_INNER];
	rk_own = pm[P_RK] - pm[P_KEYCTL];
	printf("== where one ksspi accept goes: medians of %u interleaved rounds, us\n",
	       n);
	printf("  ksspi accept %.0f; MIT accept in-process %.0f, first in a fresh process %.0f\n"
	       "  request-key + trivial handler %.0f; /bin/keyctl --version exec %.0f\n"
	       "  helper --version exec %.0f; fork+wait %.0f\n"
	       "  helper -D accept (whole process, no kernel) %.0f, of which in main() (its log's ms=) %.0f\n"
	       "  request-key upcall to the helper (accept, \"user\" test key, no module; not used below) %.0f\n",
	       total, mit, pm[P_MIT_COLD], pm[P_RK], pm[P_KEYCTL], pm[P_HELPER_EXEC], pm[P_FORK],
	       pm[P_DEBUG], hin, pm[P_UPCALL]);
	printf("  %-54s %9s %6s\n", "share of the ksspi accept", "us", "%");
	part("key construction + /sbin/request-key fork/exec", rk_own, total);
	part("helper start-up + exit (exec, dynamic loading)",
	     pm[P_DEBUG] - hin, total);
	part("helper privilege-separation child (fork+wait)", pm[P_FORK],
	     total);
	part("krb5: GSS accept itself (the MIT floor, warm)", mit, total);
	part("krb5: MIT's first-call set-up in a fresh process",
	     pm[P_MIT_COLD] - mit, total);
	part("helper's own work (config, NSS mapping, setuid, codec)",
	     hin - pm[P_FORK] - pm[P_MIT_COLD], total);
	kernel = total - rk_own - pm[P_DEBUG];
	part("kernel: module, key type, key read/instantiate; rest",
	     kernel, total);
	startup = rk_own + (pm[P_DEBUG] - hin) + (pm[P_MIT_COLD] - mit);
	printf("  process start-up (request-key + helper exec + MIT first-call set-up): %.0f us = %.1f%% of the accept\n",
	       startup, 100 * startup / total);
	/*
	 * A persistent helper (the key type handing requests to a daemon)
	 * saves /sbin/request-key, the helper's exec and its per-process
	 * set-up; it keeps the kernel's part, the privilege-separation fork,
	 * the GSS work, and adds one round trip to a daemon: together the
	 * gssproxy latency (MIT work plus a daemon round trip, an upper
	 * bound).  The helper's own per-request work is left out: what of it
	 * is per-process (NSS and plugin loading) goes with the exec.
	 */
	daemon = kernel > 0 ? kernel : 0;
	daemon += pm[P_FORK] + res[MODE_GSSPROXY][0].accept_us;
	printf("  estimate with a persistent helper daemon: ~%.0f us per accept (%.1fx faster than now, %.1fx the MIT floor)\n",
	       daemon, total / daemon, daemon / mit);
out:
	gss_release_name(&minor, &target);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n HANDSHAKES] [-h HELPER] [-d TMPDIR] [-m MODE,...] TARGET\n",
		argv[0]);
	return 2;
}
