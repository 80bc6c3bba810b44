// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes of ksspi objects and of the descriptors that hold them: closing
 * in every order, objects outliving the descriptors they were made from,
 * dup(), SCM_RIGHTS, fork() and execve(), module unload while descriptors
 * are open, many objects at once, and the local package's ticket quotas.
 *
 * Leaks are measured with the live-object counters of
 * /sys/kernel/debug/ksspi/stats (contexts_live, tokens_live,
 * local_tickets_live) and the module's reference count.
 */
#include <dirent.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>

#include "ksspi_test.h"

#define SERVICE		"life"
#define STATS		"/sys/kernel/debug/ksspi/stats"
#define PARAMS		"/sys/module/ksspi/parameters/"

static long kio(int fd, unsigned long cmd, const void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static long kion(int fd, unsigned long cmd, unsigned long arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* A counter of the debugfs stats file, or -1. */
static long stat_value(const char *name)
{
	size_t n = strlen(name);
	char line[128];
	long v = -1;
	FILE *f;

	f = fopen(STATS, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Wait up to 10 s for the reaper to free records of dead threads. */
static int settle_impersonations(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (stat_value("impersonating_threads") == 0)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

/* One line of a small file, without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

static long module_refcnt(void)
{
	char buf[32];

	if (read_line("/sys/module/ksspi/refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Acquires local credentials as @uid/@gid/@groups, then comes back to root;
 * returns the descriptor or -errno.
 */
static int acquire_as(int dev, uid_t uid, gid_t gid, const gid_t *groups,
		      int ngroups, uint32_t use, const char *principal)
{
	int fd = -EPERM;

	/*
	 * Real ids too (saved uid 0 to come back): user threads can only
	 * impersonate a client whose real and effective uid agree.
	 */
	if (!setgroups(ngroups, groups) && !setresgid(gid, gid, 0) &&
	    !setresuid(uid, uid, 0))
		fd = ksspi_acquire_credentials(dev, "local", use, principal,
					       NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0) || setgroups(0, NULL))
		abort();
	return fd;
}

static int acquire_alice(int dev)
{
	const gid_t staff[] = { STAFF_GID };

	return acquire_as(dev, ALICE_UID, ALICE_GID, staff, 1,
			  SECPKG_CRED_OUTBOUND, NULL);
}

static int acquire_server(int dev, const char *target)
{
	return acquire_as(dev, SERVER_UID, SERVER_GID, NULL, 0,
			  SECPKG_CRED_INBOUND, target);
}

/* The objects of one established local handshake, alice to the server. */
struct hs {
	int dev;
	int icred;
	int acred;
	int ictx;
	int actx;
	int tok;
};

static void hs_close(struct hs *h)
{
	int *fds[] = { &h->tok, &h->actx, &h->ictx, &h->acred, &h->icred,
		       &h->dev };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Returns the acceptor's status; every member is an fd or -1. */
static int32_t establish(struct hs *h, const char *target, uint32_t isc_req)
{
	int32_t st;

	h->icred = h->acred = h->ictx = h->actx = h->tok = -1;
	h->dev = ksspi_open();
	if (h->dev < 0)
		return SEC_E_INTERNAL_ERROR;
	h->icred = acquire_alice(h->dev);
	h->acred = acquire_server(h->dev, target);
	if (h->icred < 0 || h->acred < 0)
		return SEC_E_INTERNAL_ERROR;
	st = local_handshake(h->icred, h->acred, target, isc_req, 0, &h->ictx,
			     &h->actx);
	if (st)
		return st;
	h->tok = kion(h->actx, KSSPI_IOC_GET_TOKEN, 0);
	return h->tok < 0 ? SEC_E_INTERNAL_ERROR : SEC_E_OK;
}

static uint32_t ctx_state(int ctx)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };

	if (ioctl(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci))
		return ~0U;
	return ci.state;
}

/* The client's name as a context or a token tells it; "" on failure. */
static const char *ctx_name(int ctx, char *buf, size_t size)
{
	if (ksspi_query_names(ctx, buf, size))
		buf[0] = 0;
	return buf;
}

static uint32_t token_uid(int tok, char *name, size_t size)
{
	struct ksspi_token_info ti = {
		.name = (uintptr_t)name,
		.name_size = size,
	};
	uint32_t groups[8];

	ti.groups = (uintptr_t)groups;
	ti.ngroups = 8;
	name[0] = 0;
	if (ksspi_query_token(tok, &ti))
		return ~0U;
	return ti.uid;
}

/*
 * Runs @fn in a forked child that fills @n results in shared memory.
 * Returns the child's exit status (0: it ran to its end).
 */
static int in_child_results(int (*fn)(long *res, void *arg), void *arg,
			    long *res, int n)
{
	long *shared = mmap(NULL, n * sizeof(long), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st, i;
	pid_t pid;

	if (shared == MAP_FAILED)
		return -1;
	for (i = 0; i < n; i++)
		shared[i] = 0x7fffffff;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(shared, arg));
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	memcpy(res, shared, n * sizeof(long));
	munmap(shared, n * sizeof(long));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

FIXTURE(life) {
	char target[64];
	struct hs h;
};

FIXTURE_SETUP(life)
{
	uid_principal(self->target, sizeof(self->target), SERVICE, SERVER_UID);
	self->h.dev = self->h.icred = self->h.acred = -1;
	self->h.ictx = self->h.actx = self->h.tok = -1;
	/* The leak checks read the module's live-object counters. */
	ASSERT_LE(0, stat_value("contexts_live"))
		TH_LOG("%s is not readable (debugfs not mounted?)", STATS);
	/*
	 * A thread that died impersonating leaves its record, and the token
	 * it holds, to the module's reaper (kmod/impersonate.c, every 2 s).
	 * The counters below are global: wait for an earlier test's records.
	 */
	ASSERT_EQ(0, settle_impersonations())
		TH_LOG("impersonation records not reaped in 10 s");
}

FIXTURE_TEARDOWN(life)
{
	hs_close(&self->h);
}

/* ---- closing in every order ---- */

enum { O_DEV, O_CRED, O_CTX, O_TOK, O_NR };
static const char *const o_names[] = { "device", "credentials", "context",
				       "token" };

/* What is still open keeps working after the others were closed. */
static void check_open(struct __test_metadata *_metadata, const int *fds,
		       const bool *open_, const char *when)
{
	char name[64];
	int fd;

	if (open_[O_DEV]) {
		EXPECT_EQ(KSSPI_ABI_VERSION,
			  kion(fds[O_DEV], KSSPI_IOC_GET_ABI_VERSION, 0))
			TH_LOG("%s", when);
	}
	if (open_[O_CRED]) {
		fd = ksspi_new_context(fds[O_CRED], KSSPI_CONTEXT_ACCEPT, NULL,
				       0);
		EXPECT_LE(0, fd) TH_LOG("%s", when);
		if (fd >= 0)
			close(fd);
	}
	if (open_[O_CTX]) {
		EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(fds[O_CTX]))
			TH_LOG("%s", when);
		EXPECT_STREQ("uid:2001", ctx_name(fds[O_CTX], name,
						  sizeof(name)))
			TH_LOG("%s", when);
		fd = kion(fds[O_CTX], KSSPI_IOC_GET_TOKEN, 0);
		EXPECT_LE(0, fd) TH_LOG("%s", when);
		if (fd >= 0)
			close(fd);
	}
	if (open_[O_TOK]) {
		EXPECT_EQ(ALICE_UID, token_uid(fds[O_TOK], name, sizeof(name)))
			TH_LOG("%s", when);
		EXPECT_STREQ("uid:2001", name) TH_LOG("%s", when);
	}
}

/*
 * The device, the acceptor's credentials, its established context and the
 * client's token, closed in each of the 24 orders: what is left works after
 * each close, nothing is left behind, and a new handshake works after all.
 */
TEST_F_TIMEOUT(life, close_in_every_order, 120)
{
	int perm, k, fds[O_NR];
	bool open_[O_NR];
	char when[128];

	for (perm = 0; perm < 24; perm++) {
		long ctx0 = stat_value("contexts_live");
		long tok0 = stat_value("tokens_live");
		long ref0 = module_refcnt();
		int order[O_NR], avail[O_NR] = { 0, 1, 2, 3 }, navail = O_NR;
		int code = perm, f = 6, i;

		/* The perm-th permutation, in the factorial number system. */
		for (k = 0; k < O_NR; k++) {
			int pick = code / f;

			code %= f;
			if (k < O_NR - 1)
				f /= O_NR - 1 - k;
			order[k] = avail[pick];
			for (i = pick; i < navail - 1; i++)
				avail[i] = avail[i + 1];
			navail--;
		}

		ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
		/* Only the acceptor's side takes part in the permutation. */
		close(self->h.ictx);
		close(self->h.icred);
		self->h.ictx = self->h.icred = -1;
		fds[O_DEV] = self->h.dev;
		fds[O_CRED] = self->h.acred;
		fds[O_CTX] = self->h.actx;
		fds[O_TOK] = self->h.tok;
		for (k = 0; k < O_NR; k++)
			open_[k] = true;
		EXPECT_EQ(ctx0 + 1, stat_value("contexts_live"));
		EXPECT_EQ(tok0 + 1, stat_value("tokens_live"));

		for (k = 0; k < O_NR; k++) {
			snprintf(when, sizeof(when),
				 "order %s,%s,%s,%s: after closing the %s",
				 o_names[order[0]], o_names[order[1]],
				 o_names[order[2]], o_names[order[3]],
				 o_names[order[k]]);
			EXPECT_EQ(0, close(fds[order[k]])) TH_LOG("%s", when);
			open_[order[k]] = false;
			check_open(_metadata, fds, open_, when);
		}
		self->h.dev = self->h.acred = self->h.actx = self->h.tok = -1;
		EXPECT_EQ(ctx0, stat_value("contexts_live")) TH_LOG("%s", when);
		EXPECT_EQ(tok0, stat_value("tokens_live")) TH_LOG("%s", when);
		/* Exited threads' records may be reaped meanwhile: at most. */
		EXPECT_GE(ref0, module_refcnt()) TH_LOG("%s", when);
	}
	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target,
				      ISC_REQ_MUTUAL_AUTH));
}

/* ---- objects outliving their makers ---- */

/*
 * A context needs neither its credentials' descriptor nor the device's:
 * both sides of a mutual handshake run with only the context fds open.
 */
TEST_F(life, context_outlives_cred_and_device)
{
	uint8_t a[TOKBUF], b[TOKBUF], c[TOKBUF];
	long ctx0 = stat_value("contexts_live");
	char name[64], cname[64], sname[64];
	struct ksspi_step st;
	int ictx, actx, tok;

	self->h.dev = ksspi_open();
	ASSERT_LE(0, self->h.dev);
	self->h.icred = acquire_alice(self->h.dev);
	ASSERT_LE(0, self->h.icred);
	self->h.acred = acquire_server(self->h.dev, self->target);
	ASSERT_LE(0, self->h.acred);
	ictx = ksspi_new_context(self->h.icred, KSSPI_CONTEXT_INITIATE,
				 self->target, ISC_REQ_MUTUAL_AUTH);
	ASSERT_LE(0, ictx);
	actx = ksspi_new_context(self->h.acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, actx);
	hs_close(&self->h);
	self->h.ictx = ictx;
	self->h.actx = actx;
	EXPECT_EQ(ctx0 + 2, stat_value("contexts_live"));

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.out_token = (uintptr_t)a;
	st.out_size = sizeof(a);
	ASSERT_EQ(0, ksspi_step(ictx, &st));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED, st.status);
	st.in_token = (uintptr_t)a;
	st.in_len = st.out_len;
	st.out_token = (uintptr_t)b;
	st.out_size = sizeof(b);
	ASSERT_EQ(0, ksspi_step(actx, &st));
	ASSERT_EQ(SEC_E_OK, st.status);
	st.in_token = (uintptr_t)b;
	st.in_len = st.out_len;
	st.out_token = (uintptr_t)c;
	st.out_size = sizeof(c);
	ASSERT_EQ(0, ksspi_step(ictx, &st));
	ASSERT_EQ(SEC_E_OK, st.status);
	EXPECT_TRUE(st.ret_flags & ISC_RET_MUTUAL_AUTH);

	EXPECT_STREQ("uid:2001", ctx_name(actx, name, sizeof(name)));
	ASSERT_EQ(0, ksspi_query_native_names(ictx, cname, sizeof(cname),
					      sname, sizeof(sname)));
	EXPECT_STREQ("uid:2001", cname);
	EXPECT_STREQ(self->target, sname);
	tok = kion(actx, KSSPI_IOC_GET_TOKEN, 0);
	ASSERT_LE(0, tok);
	EXPECT_EQ(ALICE_UID, token_uid(tok, name, sizeof(name)));
	close(tok);
	hs_close(&self->h);
	EXPECT_EQ(ctx0, stat_value("contexts_live"));
}

/*
 * A token needs no context: with every other descriptor closed, both
 * contexts are gone, the token still answers and can be impersonated.
 */
TEST_F(life, token_outlives_context)
{
	long ctx0 = stat_value("contexts_live"), tok0 = stat_value("tokens_live");
	struct ksspi_impersonate im = { .size = sizeof(im) };
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	uint32_t groups[8];
	char name[64];
	int tok, dev;

	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
	tok = self->h.tok;
	self->h.tok = -1;
	hs_close(&self->h);
	self->h.tok = tok;
	EXPECT_EQ(ctx0, stat_value("contexts_live"));
	EXPECT_EQ(tok0 + 1, stat_value("tokens_live"));

	EXPECT_EQ(ALICE_UID, token_uid(tok, name, sizeof(name)));
	EXPECT_STREQ("uid:2001", name);
	ASSERT_EQ(0, kio(tok, KSSPI_IOC_IMPERSONATE, &im));
	ASSERT_EQ(SEC_E_OK, im.status);
	EXPECT_EQ(ALICE_UID, geteuid());
	dev = ksspi_open();
	EXPECT_LE(0, dev);
	ti.groups = (uintptr_t)groups;
	ti.ngroups = ARRAY_SIZE(groups);
	EXPECT_EQ(0, kio(dev, KSSPI_IOC_WHOAMI, &ti));
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(1, ti.ngroups);
	EXPECT_EQ(STAFF_GID, groups[0]);
	close(dev);
	ASSERT_EQ(0, kio(tok, KSSPI_IOC_REVERT, &im));
	EXPECT_EQ(SEC_E_OK, im.status);
	EXPECT_EQ(0, geteuid());
	hs_close(&self->h);
	EXPECT_EQ(tok0, stat_value("tokens_live"));
}

/* ---- dup ---- */

/* Two descriptors, one context: a leg on one is seen through the other. */
TEST_F(life, dup_shares_context)
{
	long ctx0 = stat_value("contexts_live");
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen = sizeof(a), blen = sizeof(b);
	struct ksspi_context_info ci = {};
	uint32_t flags;
	int ictx, d, d2, actx = -1;

	self->h.dev = ksspi_open();
	ASSERT_LE(0, self->h.dev);
	self->h.icred = acquire_alice(self->h.dev);
	ASSERT_LE(0, self->h.icred);
	self->h.acred = acquire_server(self->h.dev, self->target);
	ASSERT_LE(0, self->h.acred);
	ictx = ksspi_new_context(self->h.icred, KSSPI_CONTEXT_INITIATE,
				 self->target, ISC_REQ_MUTUAL_AUTH);
	ASSERT_LE(0, ictx);
	d = dup(ictx);
	ASSERT_LE(0, d);
	ASSERT_NE(ictx, d);
	/* dup() makes no new object, and drops close-on-exec. */
	EXPECT_EQ(ctx0 + 1, stat_value("contexts_live"));
	EXPECT_EQ(FD_CLOEXEC, fcntl(ictx, F_GETFD));
	EXPECT_EQ(0, fcntl(d, F_GETFD));
	d2 = fcntl(ictx, F_DUPFD_CLOEXEC, 0);
	ASSERT_LE(0, d2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(d2, F_GETFD));

	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(d));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  ksspi_initialize_security_context(-1, &ictx, NULL, 0, NULL, 0,
						    a, &alen, &flags));
	EXPECT_EQ(KSSPI_STATE_IN_PROGRESS, ctx_state(d));
	EXPECT_EQ(KSSPI_STATE_IN_PROGRESS, ctx_state(d2));
	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->h.acred, &actx, 0, a,
						alen, b, &blen, &flags));
	alen = sizeof(a);
	ASSERT_EQ(SEC_E_OK,
		  ksspi_initialize_security_context(-1, &d, NULL, 0, b, blen,
						    a, &alen, &flags));
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_FLAGS);
	ASSERT_EQ(0, ksspi_query_context(ictx, &ci));
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci.state);
	EXPECT_TRUE(ci.ctx_flags & ISC_RET_MUTUAL_AUTH);
	/* The leg taken through d is spent for ictx too. */
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_INVALID_HANDLE,
		  ksspi_initialize_security_context(-1, &ictx, NULL, 0, b, blen,
						    a, &alen, &flags));
	/* Closing one descriptor leaves the context to the others. */
	EXPECT_EQ(0, close(ictx));
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(d));
	EXPECT_EQ(0, close(d));
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(d2));
	EXPECT_EQ(ctx0 + 2, stat_value("contexts_live"));
	EXPECT_EQ(0, close(d2));
	close(actx);
	EXPECT_EQ(ctx0, stat_value("contexts_live"));
}

/* ---- SCM_RIGHTS ---- */

static int send_fds(int sock, const int *fds, int n)
{
	char data = 'k';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Returns how many descriptors came. */
static int recv_fds(int sock, int *fds, int max)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int n;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return 0;
	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (n > max)
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return n;
}

enum { R_N, R_TOK_RET, R_TOK_UID, R_TOK_NAME, R_CTX_STATE, R_CTX_NAME,
       R_CLOEXEC, R_IMP_STATUS, R_EUID, R_NR };

/*
 * bob receives alice's token and the server's context: he can query both
 * (a passed descriptor is a capability), but impersonating is still
 * decided by his own credentials: refused.
 */
static int receiver(long *res, void *arg)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };
	int sock = *(int *)arg, fds[4] = { -1, -1, -1, -1 };
	char name[64];

	if (become_bob())
		return 1;
	res[R_N] = recv_fds(sock, fds, 4);
	if (res[R_N] != 2)
		return 2;
	res[R_TOK_UID] = token_uid(fds[0], name, sizeof(name));
	res[R_TOK_RET] = res[R_TOK_UID] == ~0U ? -1 : 0;
	res[R_TOK_NAME] = strcmp(name, "uid:2001");
	res[R_CTX_STATE] = ctx_state(fds[1]);
	res[R_CTX_NAME] = strcmp(ctx_name(fds[1], name, sizeof(name)),
				 "uid:2001");
	res[R_CLOEXEC] = fcntl(fds[0], F_GETFD) == FD_CLOEXEC &&
			 fcntl(fds[1], F_GETFD) == FD_CLOEXEC;
	res[R_IMP_STATUS] = kio(fds[0], KSSPI_IOC_IMPERSONATE, &im) ?: im.status;
	res[R_EUID] = geteuid();
	close(fds[0]);
	close(fds[1]);
	return 0;
}

TEST_F(life, scm_rights)
{
	long ctx0 = stat_value("contexts_live"), tok0 = stat_value("tokens_live");
	long res[R_NR];
	int sv[2], pass[2];

	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pass[0] = self->h.tok;
	pass[1] = self->h.actx;
	ASSERT_EQ(0, send_fds(sv[0], pass, 2));
	/* The sender lets go of everything: the objects live in flight. */
	hs_close(&self->h);
	close(sv[0]);
	EXPECT_EQ(ctx0 + 1, stat_value("contexts_live"));
	EXPECT_EQ(tok0 + 1, stat_value("tokens_live"));

	ASSERT_EQ(0, in_child_results(receiver, &sv[1], res, R_NR));
	close(sv[1]);
	EXPECT_EQ(2, res[R_N]);
	EXPECT_EQ(0, res[R_TOK_RET]);
	EXPECT_EQ(ALICE_UID, res[R_TOK_UID]);
	EXPECT_EQ(0, res[R_TOK_NAME]);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, res[R_CTX_STATE]);
	EXPECT_EQ(0, res[R_CTX_NAME]);
	EXPECT_EQ(1, res[R_CLOEXEC]);
	EXPECT_EQ(SEC_E_NO_IMPERSONATION, res[R_IMP_STATUS]);
	EXPECT_EQ(BOB_UID, res[R_EUID]);
	/* The receiver closed them: nothing is left. */
	EXPECT_EQ(ctx0, stat_value("contexts_live"));
	EXPECT_EQ(tok0, stat_value("tokens_live"));
}

/* ---- fork and execve ---- */

enum { F_ABI, F_TOK_UID, F_CTX_STATE, F_NEW_CTX, F_CLOEXEC, F_IMP_STATUS,
       F_IMP_EUID, F_REVERT_STATUS, F_EUID, F_NR };

static int forked_user(long *res, void *arg)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };
	const struct hs *h = arg;
	char name[64];
	int fd;

	res[F_ABI] = kion(h->dev, KSSPI_IOC_GET_ABI_VERSION, 0);
	res[F_TOK_UID] = token_uid(h->tok, name, sizeof(name));
	res[F_CTX_STATE] = ctx_state(h->actx);
	fd = ksspi_new_context(h->acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	res[F_NEW_CTX] = fd >= 0 ? 0 : fd;
	if (fd >= 0)
		close(fd);
	res[F_CLOEXEC] = fcntl(h->dev, F_GETFD) == FD_CLOEXEC &&
			 fcntl(h->acred, F_GETFD) == FD_CLOEXEC &&
			 fcntl(h->actx, F_GETFD) == FD_CLOEXEC &&
			 fcntl(h->tok, F_GETFD) == FD_CLOEXEC;
	res[F_IMP_STATUS] = kio(h->actx, KSSPI_IOC_IMPERSONATE, &im) ?:
			    im.status;
	res[F_IMP_EUID] = geteuid();
	res[F_REVERT_STATUS] = kio(h->tok, KSSPI_IOC_REVERT, &im) ?: im.status;
	res[F_EUID] = geteuid();
	return 0;
}

/* A child inherits the descriptors (fork is no exec) and uses them. */
TEST_F(life, fork_inherits)
{
	long res[F_NR];
	char name[64];

	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
	ASSERT_EQ(0, in_child_results(forked_user, &self->h, res, F_NR));
	EXPECT_EQ(KSSPI_ABI_VERSION, res[F_ABI]);
	EXPECT_EQ(ALICE_UID, res[F_TOK_UID]);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, res[F_CTX_STATE]);
	EXPECT_EQ(0, res[F_NEW_CTX]);
	EXPECT_EQ(1, res[F_CLOEXEC]);
	EXPECT_EQ(SEC_E_OK, res[F_IMP_STATUS]);
	EXPECT_EQ(ALICE_UID, res[F_IMP_EUID]);
	EXPECT_EQ(SEC_E_OK, res[F_REVERT_STATUS]);
	EXPECT_EQ(0, res[F_EUID]);
	/* The parent's objects are untouched by the child's exit. */
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(self->h.actx));
	EXPECT_EQ(ALICE_UID, token_uid(self->h.tok, name, sizeof(name)));
}

#define EXEC_PROBE "--exec-probe"

/*
 * After execve: every ksspi descriptor given must be closed, except the
 * last, a dup() without close-on-exec, which must still be a working
 * context.  Exit status: 0, 10 + i for descriptor i left open, 2 for a
 * bad last one.
 */
static int exec_probe(int argc, char **argv)
{
	char name[64];
	int i, fd;

	if (argc < 4)
		return 1;
	for (i = 2; i < argc - 1; i++) {
		fd = atoi(argv[i]);
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			return 10 + i;
	}
	fd = atoi(argv[argc - 1]);
	if (ctx_state(fd) != KSSPI_STATE_ESTABLISHED ||
	    strcmp(ctx_name(fd, name, sizeof(name)), "uid:2001"))
		return 2;
	return 0;
}

/* execve() closes every ksspi descriptor (all are O_CLOEXEC). */
TEST_F(life, exec_closes_descriptors)
{
	char args[7][16];
	int fds[7], i, st, keep;
	pid_t pid;

	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
	keep = dup(self->h.actx);
	ASSERT_LE(0, keep);
	fds[0] = self->h.dev;
	fds[1] = self->h.icred;
	fds[2] = self->h.acred;
	fds[3] = self->h.ictx;
	fds[4] = self->h.actx;
	fds[5] = self->h.tok;
	fds[6] = keep;
	for (i = 0; i < 7; i++)
		snprintf(args[i], sizeof(args[i]), "%d", fds[i]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/proc/self/exe", "lifetime_test", EXEC_PROBE, args[0],
		      args[1], args[2], args[3], args[4], args[5], args[6],
		      (char *)NULL);
		_exit(99);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st))
		TH_LOG("probe: %d (10 + n: argument n was left open)",
		       WEXITSTATUS(st));
	close(keep);
}

/* ---- module unload ---- */

static int delete_module(const char *name, int flags)
{
	return syscall(SYS_delete_module, name, flags);
}

static bool module_loaded(void)
{
	return access("/sys/module/ksspi/initstate", F_OK) == 0;
}

FIXTURE(unload) {
	int modfd;
	char why[128];
	char params[1024];	/* "name=value ..." as loaded now */
	struct hs h;
};

/*
 * The module's parameters as they are now, as a finit_module() argument
 * string, so that reloading it keeps what the suite was started with.
 */
static int current_params(char *buf, size_t size)
{
	DIR *d = opendir(PARAMS);
	char path[512], val[256];
	struct dirent *e;
	size_t len = 0;
	int n;

	buf[0] = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PARAMS "%s", e->d_name);
		if (read_line(path, val, sizeof(val)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "",
			     e->d_name, val);
		if (n < 0 || (size_t)n >= size - len) {
			closedir(d);
			return -ENOSPC;
		}
		len += n;
	}
	closedir(d);
	return 0;
}

FIXTURE_VARIANT(unload) {
	int which;	/* O_DEV, O_CRED, O_CTX or O_TOK: what a child holds */
};

FIXTURE_VARIANT_ADD(unload, device) { .which = O_DEV };
FIXTURE_VARIANT_ADD(unload, credentials) { .which = O_CRED };
FIXTURE_VARIANT_ADD(unload, context) { .which = O_CTX };
FIXTURE_VARIANT_ADD(unload, token) { .which = O_TOK };

FIXTURE_SETUP(unload)
{
	const char *path = getenv("KSSPI_MODULE") ?: "ksspi.ko";

	self->modfd = -1;
	self->h.dev = self->h.icred = self->h.acred = -1;
	self->h.ictx = self->h.actx = self->h.tok = -1;
	if (!module_loaded()) {
		snprintf(self->why, sizeof(self->why),
			 "ksspi is not a loaded module");
		return;
	}
	ASSERT_EQ(0, current_params(self->params, sizeof(self->params)));
	/* Open it now: never unload what could not be loaded again. */
	self->modfd = open(path, O_RDONLY | O_CLOEXEC);
	if (self->modfd < 0)
		snprintf(self->why, sizeof(self->why),
			 "cannot open %s (set KSSPI_MODULE): %s", path,
			 strerror(errno));
}

FIXTURE_TEARDOWN(unload)
{
	hs_close(&self->h);
	/* The rest of the suite needs the module. */
	if (self->modfd >= 0 && !module_loaded()) {
		if (syscall(SYS_finit_module, self->modfd, self->params, 0))
			TH_LOG("reloading ksspi failed: %m");
	}
	if (self->modfd >= 0)
		close(self->modfd);
}

/*
 * A child holding a single descriptor of one kind keeps the module in:
 * delete_module() is EWOULDBLOCK, the descriptor still works; once the
 * child is gone the module unloads (retried for up to 5 s: impersonation
 * records of exited threads are reaped every 2 s) and loads again.
 */
TEST_F_TIMEOUT(unload, refused_while_open, 60)
{
	const char *target = "unload/uid:2050";
	int ready[2], release[2], fds[O_NR], st, dev, ret = -1;
	char c;
	char name[64], params[sizeof(self->params)];
	double t0;
	pid_t pid;

	if (self->modfd < 0)
		SKIP(return, "%s", self->why);
	ASSERT_EQ(SEC_E_OK, establish(&self->h, target, 0));
	fds[O_DEV] = self->h.dev;
	fds[O_CRED] = self->h.acred;
	fds[O_CTX] = self->h.actx;
	fds[O_TOK] = self->h.tok;
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(release, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int keep = fds[variant->which];

		close(ready[0]);
		close(release[1]);
		if (keep != self->h.dev)
			close(self->h.dev);
		if (keep != self->h.acred)
			close(self->h.acred);
		if (keep != self->h.actx)
			close(self->h.actx);
		if (keep != self->h.tok)
			close(self->h.tok);
		close(self->h.icred);
		close(self->h.ictx);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		/* Hold on until the parent has tried to unload. */
		if (read(release[0], &c, 1) != 0)
			_exit(2);
		/* The descriptor still works: the module never went away. */
		switch (variant->which) {
		case O_DEV:
			_exit(kion(keep, KSSPI_IOC_GET_ABI_VERSION, 0) ==
			      KSSPI_ABI_VERSION ? 0 : 3);
		case O_CRED:
			ret = ksspi_new_context(keep, KSSPI_CONTEXT_ACCEPT,
						NULL, 0);
			_exit(ret >= 0 ? 0 : 3);
		case O_CTX:
			_exit(ctx_state(keep) == KSSPI_STATE_ESTABLISHED ?
			      0 : 3);
		default:
			_exit(token_uid(keep, name, sizeof(name)) ==
			      ALICE_UID ? 0 : 3);
		}
	}
	close(ready[1]);
	close(release[0]);
	hs_close(&self->h);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);

	errno = 0;
	EXPECT_EQ(-1, delete_module("ksspi", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded());
	EXPECT_LT(0, module_refcnt());

	close(release[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));

	t0 = now();
	do {
		ret = delete_module("ksspi", O_NONBLOCK);
		if (ret == 0 || errno != EWOULDBLOCK)
			break;
		usleep(100 * 1000);
	} while (now() - t0 < 5);
	ASSERT_EQ(0, ret) TH_LOG("delete_module: %m (refcnt %ld after %.1f s)",
				 module_refcnt(), now() - t0);
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(-ENOENT, ksspi_open());

	ASSERT_EQ(0, syscall(SYS_finit_module, self->modfd, self->params, 0))
		TH_LOG("reloading ksspi with '%s': %m", self->params);
	/* Loaded again as it was, parameters included. */
	ASSERT_EQ(0, current_params(params, sizeof(params)));
	EXPECT_STREQ(self->params, params);
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(KSSPI_ABI_VERSION, kion(dev, KSSPI_IOC_GET_ABI_VERSION, 0));
	close(dev);
}

/* ---- many objects ---- */

#define MANY 2000

/* 2000 contexts open at once, all usable, all gone after closing. */
TEST_F_TIMEOUT(life, many_contexts, 120)
{
	struct rlimit rl = { MANY + 100, MANY + 100 };
	long ctx0 = stat_value("contexts_live"), tok0;
	struct ksspi_step st;
	uint8_t out[64];
	int *fds, i;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	fds = calloc(MANY, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	ASSERT_EQ(SEC_E_OK, establish(&self->h, self->target, 0));
	tok0 = stat_value("tokens_live");
	for (i = 0; i < MANY; i++) {
		fds[i] = ksspi_new_context(self->h.acred, KSSPI_CONTEXT_ACCEPT,
					   NULL, 0);
		ASSERT_LE(0, fds[i]) TH_LOG("context %d: %s", i,
					    strerror(-fds[i]));
	}
	/* The two of the handshake, and these. */
	EXPECT_EQ(ctx0 + 2 + MANY, stat_value("contexts_live"));
	for (i = 0; i < MANY; i++) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		st.out_token = (uintptr_t)out;
		st.out_size = sizeof(out);
		ASSERT_EQ(0, ksspi_step(fds[i], &st));
		ASSERT_EQ(SEC_E_INCOMPLETE_MESSAGE, st.status) TH_LOG("%d", i);
	}
	for (i = 0; i < MANY; i++)
		ASSERT_EQ(0, close(fds[i]));
	EXPECT_EQ(ctx0 + 2, stat_value("contexts_live"));

	/* As many token descriptors: all one token object. */
	for (i = 0; i < MANY; i++) {
		fds[i] = kion(self->h.actx, KSSPI_IOC_GET_TOKEN, 0);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(tok0, stat_value("tokens_live"));
	for (i = 0; i < MANY; i++)
		ASSERT_EQ(0, close(fds[i]));
	hs_close(&self->h);
	EXPECT_EQ(ctx0, stat_value("contexts_live"));
	EXPECT_EQ(tok0 - 1, stat_value("tokens_live"));
	free(fds);
}

/* ---- ticket quotas ---- */

#define QUOTA_MAX	8
/* kmod/local.c issue(): a user may have local_max_tickets / 4 + 1. */
#define QUOTA_USER	(QUOTA_MAX / 4 + 1)
#define USER_A		3001
#define USER_B		3002
#define USER_C		3003
#define USER_D		3004
#define USER_E		3005

FIXTURE(quota) {
	char max[32];
	char ms[32];
	char target[64];
	int dev;
	int acred;
};

FIXTURE_SETUP(quota)
{
	self->dev = self->acred = -1;
	ASSERT_EQ(0, read_line(PARAMS "local_max_tickets", self->max,
			       sizeof(self->max)));
	ASSERT_EQ(0, read_line(PARAMS "local_ticket_ms", self->ms,
			       sizeof(self->ms)));
	ASSERT_LE(0, stat_value("local_tickets_live"));
	uid_principal(self->target, sizeof(self->target), "quota", SERVER_UID);
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
	self->acred = acquire_server(self->dev, self->target);
	ASSERT_LE(0, self->acred);
}

FIXTURE_TEARDOWN(quota)
{
	/* Restore what the module had. */
	if (self->max[0] && set_param("local_max_tickets", self->max))
		TH_LOG("cannot restore local_max_tickets");
	if (self->ms[0] && set_param("local_ticket_ms", self->ms))
		TH_LOG("cannot restore local_ticket_ms");
	if (self->acred >= 0)
		close(self->acred);
	if (self->dev >= 0)
		close(self->dev);
}

/* A first leg by @cred: its status; the AP-REQ in @tok, @len. */
static int32_t first_leg(int cred, const char *target, uint8_t *tok,
			 size_t *len)
{
	uint32_t flags;
	int32_t st;
	int ctx = -1;

	*len = TOKBUF;
	st = ksspi_initialize_security_context(cred, &ctx, target, 0, NULL, 0,
					       tok, len, &flags);
	if (ctx >= 0)
		close(ctx);
	return st;
}

static int32_t accept_tok(int acred, const uint8_t *tok, size_t len)
{
	uint8_t out[TOKBUF];
	size_t olen = sizeof(out);
	uint32_t flags;
	int32_t st;
	int ctx = -1;

	st = ksspi_accept_security_context(acred, &ctx, 0, tok, len, out,
					   &olen, &flags);
	if (ctx >= 0)
		close(ctx);
	return st;
}

/*
 * Runs an acceptor leg on a well-formed AP-REQ naming no ticket: the
 * kernel drops expired tickets on every acceptor leg that gets that far.
 */
static int32_t flush_expired(int acred, const char *target)
{
	uint8_t tok[TOKBUF];
	size_t tlen = strlen(target), len = 12 + 16 + 2 + tlen;

	memset(tok, 0, sizeof(tok));
	memcpy(tok, "KSLC\1\1\0\0", 8);
	tok[8] = 0;
	tok[9] = 0;
	tok[10] = (16 + 2 + tlen) >> 8;
	tok[11] = (16 + 2 + tlen) & 0xff;
	memset(tok + 12, 0xee, 16);
	tok[28] = tlen >> 8;
	tok[29] = tlen & 0xff;
	memcpy(tok + 30, target, tlen);
	return accept_tok(acred, tok, len);
}

struct user {
	uid_t uid;
	int cred;
	uint8_t tok[QUOTA_USER + 1][TOKBUF];
	size_t len[QUOTA_USER + 1];
	int n;		/* tickets waiting */
};

/*
 * local_max_tickets = 8 gives each user 8 / 4 + 1 = 3 waiting tickets;
 * beyond, a first leg is SEC_E_INSUFFICIENT_MEMORY while other users go
 * on, until the host-wide 8 are waiting.  Consuming a ticket, or its
 * expiry, gives the room back.
 */
TEST_F_TIMEOUT(quota, tickets, 120)
{
	static struct user u[5];
	const uid_t uids[5] = { USER_A, USER_B, USER_C, USER_D, USER_E };
	struct user *A = &u[0], *B = &u[1], *C = &u[2], *D = &u[3], *E = &u[4];
	uint8_t tok[TOKBUF];
	size_t len;
	double t0 = now();
	long live;
	int i, k;

	/*
	 * Tickets earlier tests left waiting count host-wide: wait until
	 * they expired (local_ticket_ms, 30 s by default) and were dropped.
	 */
	for (;;) {
		ASSERT_EQ(SEC_E_INVALID_TOKEN,
			  flush_expired(self->acred, self->target));
		live = stat_value("local_tickets_live");
		if (live == 0)
			break;
		ASSERT_LT(now() - t0, 45) TH_LOG("%ld tickets still live", live);
		usleep(500 * 1000);
	}
	if (now() - t0 > 1)
		TH_LOG("waited %.1f s for earlier tickets to expire",
		       now() - t0);

	for (i = 0; i < 5; i++) {
		u[i].uid = uids[i];
		u[i].cred = acquire_as(self->dev, uids[i], uids[i], NULL, 0,
				       SECPKG_CRED_OUTBOUND, NULL);
		ASSERT_LE(0, u[i].cred);
	}
	ASSERT_EQ(0, set_param("local_max_tickets", "8"));

	/* A fills its quota; its next first leg is refused. */
	for (k = 0; k < QUOTA_USER; k++) {
		ASSERT_EQ(SEC_E_OK, first_leg(A->cred, self->target,
					      A->tok[k], &A->len[k]))
			TH_LOG("A's ticket %d", k + 1);
	}
	A->n = QUOTA_USER;
	EXPECT_EQ(QUOTA_USER, stat_value("local_tickets_live"));
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(A->cred, self->target, tok, &len));
	EXPECT_EQ(QUOTA_USER, stat_value("local_tickets_live"));

	/* B still authenticates, end to end. */
	ASSERT_EQ(SEC_E_OK, first_leg(B->cred, self->target, tok, &len));
	EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, tok, len));
	EXPECT_EQ(QUOTA_USER, stat_value("local_tickets_live"));

	/* B and C fill the host: 3 + 3 + 2 = 8. */
	for (k = 0; k < QUOTA_USER; k++) {
		ASSERT_EQ(SEC_E_OK, first_leg(B->cred, self->target,
					      B->tok[k], &B->len[k]));
	}
	B->n = QUOTA_USER;
	for (k = 0; k < QUOTA_MAX - 2 * QUOTA_USER; k++) {
		ASSERT_EQ(SEC_E_OK, first_leg(C->cred, self->target,
					      C->tok[k], &C->len[k]));
	}
	C->n = k;
	EXPECT_EQ(QUOTA_MAX, stat_value("local_tickets_live"));
	/* C is under its own quota, but the host is full; so is D's. */
	ASSERT_GT(QUOTA_USER, C->n);
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(C->cred, self->target, tok, &len));
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(D->cred, self->target, tok, &len));

	/* A consumed ticket no longer counts: D gets the room, not A. */
	EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, A->tok[0], A->len[0]));
	EXPECT_EQ(QUOTA_MAX - 1, stat_value("local_tickets_live"));
	ASSERT_EQ(SEC_E_OK, first_leg(D->cred, self->target, D->tok[0],
				      &D->len[0]));
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(A->cred, self->target, tok, &len));
	EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, D->tok[0], D->len[0]));
	/* A had 2 waiting: now it may have its third again. */
	ASSERT_EQ(SEC_E_OK, first_leg(A->cred, self->target, A->tok[0],
				      &A->len[0]));
	EXPECT_EQ(QUOTA_MAX, stat_value("local_tickets_live"));
	/*
	 * With room on the host again, A is still held to its own quota
	 * while C, under its quota, gets the room.
	 */
	EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, B->tok[0], B->len[0]));
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(A->cred, self->target, tok, &len));
	ASSERT_EQ(SEC_E_OK, first_leg(C->cred, self->target, C->tok[C->n],
				      &C->len[C->n]));
	C->n++;
	EXPECT_EQ(QUOTA_MAX, stat_value("local_tickets_live"));

	/* Consume everything that waits (B's first is already spent). */
	for (k = 0; k < A->n; k++) {
		EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, A->tok[k],
					       A->len[k]));
	}
	for (k = 1; k < B->n; k++) {
		EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, B->tok[k],
					       B->len[k]));
	}
	for (k = 0; k < C->n; k++) {
		EXPECT_EQ(SEC_E_OK, accept_tok(self->acred, C->tok[k],
					       C->len[k]));
	}
	EXPECT_EQ(0, stat_value("local_tickets_live"));

	/* Expired tickets give the room back too. */
	ASSERT_EQ(0, set_param("local_ticket_ms", "1000"));
	for (k = 0; k < QUOTA_USER; k++)
		ASSERT_EQ(SEC_E_OK, first_leg(E->cred, self->target, tok, &len));
	EXPECT_EQ(SEC_E_INSUFFICIENT_MEMORY,
		  first_leg(E->cred, self->target, tok, &len));
	usleep(1300 * 1000);
	/* This leg drops E's three expired tickets before counting. */
	ASSERT_EQ(SEC_E_OK, first_leg(E->cred, self->target, tok, &len));
	EXPECT_EQ(1, stat_value("local_tickets_live"));
	usleep(1300 * 1000);
	EXPECT_EQ(SEC_E_CONTEXT_EXPIRED, accept_tok(self->acred, tok, len));
	EXPECT_EQ(0, stat_value("local_tickets_live"));

	for (i = 0; i < 5; i++)
		close(u[i].cred);
}

/*
 * The harness's main, and the program run by exec_closes_descriptors'
 * execve() (argv[1] == EXEC_PROBE).
 */
static void __attribute__((constructor)) constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], EXEC_PROBE))
		return exec_probe(argc, argv);
	return test_harness_run(argc, argv);
}
