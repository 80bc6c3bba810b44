// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-msg-bench: per-message protection throughput and latency, in one
 * run (make bench, in the VM; selftests/bench/msg-bench sets it up):
 *
 *   kernel  the exported kernel API (ksspi_encrypt_message() ...) on an
 *           in-kernel acceptor's context, timed in the kernel by
 *           selftests/kapi/ksspi_kapi.ko (its MIT peer initiates);
 *   ioctl   the KSSPI_IOC_*_MESSAGE ioctls through libksspi on a user
 *           initiator's context (its MIT peer accepts), timed here;
 *   MIT     gss_wrap() and gss_get_mic() in the user initiator's MIT peer
 *           (build/gss-peer --msg), on the same context keys.
 *
 * Wrap/unwrap are sealed (confidentiality).  Unwrap and verify consume
 * tokens the peer made beforehand, in order.  Wrap and MIC run in five
 * interleaved rounds per path; the median is printed.  Prints figures and
 * ratios;
 * fails only on errors, never on time.
 *
 * Usage: ksspi-msg-bench GSS_PEER SERVICE HOST CCACHE KAPI_FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libksspi.h"

#define BIGTOK	(1 << 17)
#define READY	"KSSPI-MSG-READY!"

struct kapi_req {
	char package[KSSPI_PACKAGE_NAME_MAX];
	char path[256];
	char path2[256];
	uint32_t asc_req;
	uint32_t in_len;
};

struct kapi_res {
	int32_t acquire_err, status;
	uint32_t ret_flags, out_len, state, level, uid, fsuid;
	int32_t impersonate_err, open_err, open2_err;
	char name[256], token_name[256];
};

struct kapi_bench {
	uint32_t op, size, iters, toklen;
	uint64_t tokens, ns;
	int32_t status;
	uint32_t reserved;
};

#define KAPI_IOC_BENCH	_IOWR('k', 2, struct kapi_bench)

enum { OP_SIGN, OP_VERIFY, OP_WRAP, OP_UNWRAP };
static const char *const op_name[] = { "MIC", "verify", "wrap", "unwrap" };

static const char *peer_path, *service, *host, *ccache, *kapi_file;

static void die(const char *what)
{
	fprintf(stderr, "msg-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void full(int w, int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = w ? write(fd, p, len) : read(fd, p, len);

		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			die("peer i/o");
		}
		p += n;
		len -= n;
	}
}

static void send_frame(int fd, const void *a, uint32_t alen, const void *b,
		       uint32_t blen)
{
	uint32_t len = alen + blen;

	full(1, fd, &len, 4);
	if (alen)
		full(1, fd, (void *)a, alen);
	if (blen)
		full(1, fd, (void *)b, blen);
}

static uint32_t recv_frame(int fd, uint8_t *buf, uint32_t size)
{
	uint32_t len;

	full(0, fd, &len, 4);
	if (len > size) {
		errno = EMSGSIZE;
		die("peer frame");
	}
	full(0, fd, buf, len);
	return len;
}

static void wait_ready(int fd)
{
	static uint8_t buf[BIGTOK];
	uint32_t len;

	do
		len = recv_frame(fd, buf, sizeof(buf));
	while (len != 16 || memcmp(buf, READY, 16));
}

/* A peer request; the answer's major status must be 0.  Returns its length. */
static uint32_t peer_call(int fd, uint8_t op, const void *a, uint32_t alen,
			  uint8_t *ans, uint32_t size)
{
	uint32_t len = 1 + alen, major;
	static uint8_t buf[BIGTOK + 64];

	full(1, fd, &len, 4);
	full(1, fd, &op, 1);
	if (alen)
		full(1, fd, (void *)a, alen);
	len = recv_frame(fd, buf, sizeof(buf));
	memcpy(&major, buf, 4);
	if (len < 4 || major) {
		fprintf(stderr, "msg-bench: peer op %c: major %#x\n", op, major);
		exit(1);
	}
	if (len - 4 > size) {
		errno = EMSGSIZE;
		die("peer answer");
	}
	memcpy(ans, buf + 4, len - 4);
	return len - 4;
}

static pid_t spawn_peer(int fd, int init)
{
	char fdstr[16], target[256];
	pid_t pid;

	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	snprintf(target, sizeof(target), "%s@%s", service, host);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	if (!freopen("/dev/null", "w", stdout))
		_exit(4);
	setenv("KRB5CCNAME", ccache, 1);
	if (init)
		execl(peer_path, peer_path, "init", "--fd", fdstr, "--msg",
		      target, (char *)NULL);
	else
		execl(peer_path, peer_path, "accept", "--fd", fdstr, "--msg",
		      (char *)NULL);
	_exit(127);
}

static int pair(int *peer_end)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	*peer_end = sv[1];
	return sv[0];
}

/* The user initiator (as the ccache's owner) and its MIT acceptor. */
static int user_context(int *sock, pid_t *pid, uint32_t *enctype)
{
	static uint8_t in[BIGTOK], out[BIGTOK];
	uint32_t in_len = 0, flags, want = ISC_REQ_CONFIDENTIALITY |
		 ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
		 ISC_REQ_SEQUENCE_DETECT;
	int dev, cred, ctx = -1, pe;
	char target[256], ccpath[512];
	struct stat st;
	size_t out_len;
	int32_t s;
	uint8_t key[64];

	*sock = pair(&pe);
	*pid = spawn_peer(pe, 0);
	close(pe);
	dev = ksspi_open();
	if (dev < 0)
		die("open /dev/ksspi");
	snprintf(ccpath, sizeof(ccpath), "%s", ccache + 5);	/* FILE: */
	if (stat(ccpath, &st))
		die("ccache");
	if (setresgid(st.st_gid, st.st_gid, 0) ||
	    setresuid(st.st_uid, st.st_uid, 0))
		die("setresuid");
	cred = ksspi_acquire_credentials_from(dev, "kerberos",
					      SECPKG_CRED_OUTBOUND, NULL,
					      ccache, NULL, NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0))
		die("setresuid back");
	if (cred < 0)
		die("acquire");
	snprintf(target, sizeof(target), "%s/%s", service, host);
	for (;;) {
		out_len = sizeof(out);
		s = ksspi_initialize_security_context(cred, &ctx, target, want,
						      in_len ? in : NULL,
						      in_len, out, &out_len,
						      &flags);
		if (s != SEC_E_OK && s != SEC_I_CONTINUE_NEEDED) {
			fprintf(stderr, "msg-bench: initiate: %s\n",
				ksspi_status_string(s));
			exit(1);
		}
		if (out_len)
			send_frame(*sock, out, out_len, NULL, 0);
		if (s == SEC_E_OK)
			break;
		in_len = recv_frame(*sock, in, sizeof(in));
	}
	wait_ready(*sock);
	if (ksspi_query_session_key(ctx, key, sizeof(key), enctype) < 0)
		die("session key");
	close(cred);
	close(dev);
	return ctx;
}

/* MIT initiates, the in-kernel acceptor accepts. */
static int kernel_context(int *sock, pid_t *pid)
{
	static uint8_t buf[sizeof(struct kapi_req) + BIGTOK];
	static uint8_t rbuf[sizeof(struct kapi_res) + BIGTOK];
	struct kapi_req *req = (void *)buf;
	struct kapi_res *kr = (void *)rbuf;
	int kfd, pe;
	uint32_t len;

	*sock = pair(&pe);
	*pid = spawn_peer(pe, 1);
	close(pe);
	kfd = open(kapi_file, O_RDWR | O_CLOEXEC);
	if (kfd < 0)
		die(kapi_file);
	for (;;) {
		len = recv_frame(*sock, buf + sizeof(*req), BIGTOK);
		memset(req, 0, sizeof(*req));
		strcpy(req->package, "kerberos");
		req->asc_req = ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY |
			       ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT;
		req->in_len = len;
		if (write(kfd, buf, sizeof(*req) + len) !=
		    (ssize_t)(sizeof(*req) + len) ||
		    read(kfd, rbuf, sizeof(rbuf)) < (ssize_t)sizeof(*kr))
			die("kernel accept");
		if (kr->acquire_err || (kr->status != SEC_E_OK &&
					kr->status != SEC_I_CONTINUE_NEEDED)) {
			fprintf(stderr, "msg-bench: kernel accept: %d %s\n",
				kr->acquire_err,
				ksspi_status_string(kr->status));
			exit(1);
		}
		if (kr->out_len)
			send_frame(*sock, kr + 1, kr->out_len, NULL, 0);
		if (kr->status == SEC_E_OK)
			break;
	}
	wait_ready(*sock);
	return kfd;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* @n tokens of op (w: sealed wrap, m: MIC) on @size bytes from a peer. */
static uint8_t *peer_tokens(int sock, uint8_t op, uint32_t size, uint32_t n,
			    uint32_t *toklen, const uint8_t *data)
{
	static uint8_t req[BIGTOK + 1], tok[BIGTOK + 256];
	uint8_t *all = NULL;
	uint32_t i, len, off = op == 'm' ? size : 0;

	for (i = 0; i < n; i++) {
		if (op == 'w') {
			req[0] = 1;
			memcpy(req + 1, data, size);
			len = peer_call(sock, 'w', req, size + 1, tok,
					sizeof(tok));
		} else {
			len = peer_call(sock, 'm', data, size, tok,
					sizeof(tok));
		}
		if (!all) {
			*toklen = len;
			all = malloc(off + (size_t)n * len);
			if (!all)
				die("malloc");
			memcpy(all, data, off);
		}
		if (len != *toklen) {
			fprintf(stderr, "msg-bench: token lengths vary\n");
			exit(1);
		}
		memcpy(all + off + (size_t)i * len, tok, len);
	}
	return all;
}

static double kernel_op(int kfd, int ksock, int op, uint32_t size,
			uint32_t n, const uint8_t *data)
{
	struct kapi_bench b = { .op = op, .size = size, .iters = n };
	uint8_t *toks = NULL;

	if (op == OP_UNWRAP || op == OP_VERIFY) {
		toks = peer_tokens(ksock, op == OP_UNWRAP ? 'w' : 'm', size, n,
				   &b.toklen, data);
		b.tokens = (uintptr_t)toks;
	}
	if (ioctl(kfd, KAPI_IOC_BENCH, &b))
		die("KAPI_IOC_BENCH");
	free(toks);
	if (b.status) {
		fprintf(stderr, "msg-bench: kernel %s: %s\n", op_name[op],
			ksspi_status_string(b.status));
		exit(1);
	}
	return (double)b.ns / n;
}

static double ioctl_op(int ctx, int usock, int op, uint32_t size, uint32_t n,
		       const uint8_t *data)
{
	static uint8_t buf[BIGTOK + 512];
	struct ksspi_sec_buffer sb[2];
	uint32_t i, toklen = 0;
	uint8_t *toks = NULL;
	uint64_t t0, t;
	int32_t s = SEC_E_OK;

	if (op == OP_UNWRAP || op == OP_VERIFY)
		toks = peer_tokens(usock, op == OP_UNWRAP ? 'w' : 'm', size, n,
				   &toklen, data);
	memcpy(buf + 256, data, size);
	t0 = now_ns();
	for (i = 0; i < n && s == SEC_E_OK; i++) {
		switch (op) {
		case OP_SIGN:
			sb[0] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, size,
							   (uintptr_t)(buf + 256) };
			sb[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 256,
							   (uintptr_t)buf };
			s = ksspi_make_signature(ctx, 0, sb, 2, 0);
			break;
		case OP_WRAP:
			sb[0] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 256,
							   (uintptr_t)buf };
			sb[1] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, size,
							   (uintptr_t)(buf + 256) };
			s = ksspi_encrypt_message(ctx, 0, sb, 2, 0);
			break;
		case OP_VERIFY:
			sb[0] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, size,
							   (uintptr_t)toks };
			sb[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, toklen,
				(uintptr_t)(toks + size + (size_t)i * toklen) };
			s = ksspi_verify_signature(ctx, sb, 2, 0, NULL);
			break;
		case OP_UNWRAP:
			sb[0] = (struct ksspi_sec_buffer){ SECBUFFER_STREAM, toklen,
				(uintptr_t)(toks + (size_t)i * toklen) };
			sb[1] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, 0, 0 };
			s = ksspi_decrypt_message(ctx, sb, 2, 0, NULL);
			break;
		}
	}
	t = now_ns() - t0;
	free(toks);
	if (s) {
		fprintf(stderr, "msg-bench: ioctl %s: %s\n", op_name[op],
			ksspi_status_string(s));
		exit(1);
	}
	return (double)t / n;
}

static double mit_op(int usock, int op, uint32_t size, uint32_t n)
{
	uint8_t req[9], ans[8];
	uint64_t ns;

	req[0] = op == OP_SIGN ? 'm' : 'w';
	memcpy(req + 1, &size, 4);
	memcpy(req + 5, &n, 4);
	if (peer_call(usock, 'b', req, 9, ans, sizeof(ans)) != 8)
		die("MIT bench answer");
	memcpy(&ns, ans, 8);
	return (double)ns / n;
}

#define ROUNDS	5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp_double);
	return v[ROUNDS / 2];
}

static void line(const char *path, const char *op, uint32_t size, double ns)
{
	printf("msg-bench %-6s %-6s %6u B  %9.2f us/call  %8.1f MB/s\n", path,
	       op, size, ns / 1000, size ? size * 1000.0 / ns : 0.0);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 64, 1024, 16384, 65536 };
	static const uint32_t iters[] = { 1000, 500, 100, 25 };
	static uint8_t data[65536];
	int usock, ksock, ctx, kfd, op, st;
	pid_t upid, kpid;
	uint32_t enctype = 0, i;
	double k[4][4], u[4][4], m[4][4];

	if (argc != 6) {
		fprintf(stderr, "usage: ksspi-msg-bench GSS_PEER SERVICE HOST CCACHE KAPI_FILE\n");
		return 2;
	}
	peer_path = argv[1];
	service = argv[2];
	host = argv[3];
	ccache = argv[4];
	kapi_file = argv[5];
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + (i >> 8);

	ctx = user_context(&usock, &upid, &enctype);
	kfd = kernel_context(&ksock, &kpid);
	printf("msg-bench: service %s, enctype %u (shared, loaded machine: figures vary between runs)\n",
	       service, enctype);
	/*
	 * Unwrap and verify first, on tokens the peers made in order; then
	 * wrap and MIC by all three paths interleaved in ROUNDS rounds, the
	 * median per call kept (the machine is shared: a round can stall).
	 */
	for (i = 0; i < 4; i++) {
		for (op = OP_VERIFY; op <= OP_UNWRAP; op += OP_UNWRAP - OP_VERIFY) {
			k[i][op] = kernel_op(kfd, ksock, op, sizes[i], iters[i],
					     data);
			line("kernel", op_name[op], sizes[i], k[i][op]);
			u[i][op] = ioctl_op(ctx, usock, op, sizes[i], iters[i],
					    data);
			line("ioctl", op_name[op], sizes[i], u[i][op]);
		}
	}
	for (i = 0; i < 4; i++) {
		for (op = OP_SIGN; op <= OP_WRAP; op += OP_WRAP - OP_SIGN) {
			double rk[ROUNDS], ru[ROUNDS], rm[ROUNDS];
			uint32_t n = iters[i] / ROUNDS ?: 1, r;

			for (r = 0; r < ROUNDS; r++) {
				rk[r] = kernel_op(kfd, ksock, op, sizes[i], n,
						  data);
				ru[r] = ioctl_op(ctx, usock, op, sizes[i], n,
						 data);
				rm[r] = mit_op(usock, op, sizes[i], n);
			}
			k[i][op] = median(rk);
			u[i][op] = median(ru);
			m[i][op] = median(rm);
			line("kernel", op_name[op], sizes[i], k[i][op]);
			line("ioctl", op_name[op], sizes[i], u[i][op]);
			line("MIT", op_name[op], sizes[i], m[i][op]);
		}
	}
	printf("msg-bench ratios (time per call / MIT's; < 1 is faster than MIT userspace):\n");
	for (i = 0; i < 4; i++)
		printf("msg-bench %6u B  wrap: kernel %.2f ioctl %.2f   MIC: kernel %.2f ioctl %.2f\n",
		       sizes[i], k[i][OP_WRAP] / m[i][OP_WRAP],
		       u[i][OP_WRAP] / m[i][OP_WRAP],
		       k[i][OP_SIGN] / m[i][OP_SIGN],
		       u[i][OP_SIGN] / m[i][OP_SIGN]);
	printf("msg-bench targets at 16 KiB: kernel wrap <= 1.00x MIT: %s; ioctl wrap <= 1.25x MIT: %s\n",
	       k[2][OP_WRAP] <= m[2][OP_WRAP] ? "met" : "NOT met",
	       u[2][OP_WRAP] <= 1.25 * m[2][OP_WRAP] ? "met" : "NOT met");

	send_frame(usock, "q", 1, NULL, 0);
	send_frame(ksock, "q", 1, NULL, 0);
	close(usock);
	close(ksock);
	waitpid(upid, &st, 0);
	waitpid(kpid, &st, 0);
	close(ctx);
	close(kfd);
	return 0;
}
