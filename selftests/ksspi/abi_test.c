// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI's argument checking, one exact errno per path: the size
 * convention of every size-prefixed ioctl (too small, too big, non-zero or
 * zero trailing bytes, bad addresses, flags), ioctls on the wrong kind of
 * descriptor, and the checks of each ioctl's own members (packages, uses,
 * principals, directions, request flags, targets, tokens, names, counts).
 * Ends with a seeded garbage fuzzer over every ioctl that only asserts that
 * each call fails with an errno the ABI allows (the VM runner fails the run
 * on any kernel WARN or oops).
 *
 * Reference: uapi/linux/ksspi.h and Documentation/userspace-api/ksspi.rst;
 * the errno of each path is that of kmod/uapi.c, kmod/context.c,
 * kmod/cred.c and kmod/local.c.
 */
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "ksspi_test.h"

#define SERVICE		"abi"
#define PAGE		4096	/* the kernel's PAGE_SIZE bound on argument sizes */
/* A kernel address: never a valid user pointer (access_ok() refuses it). */
#define KADDR		((void *)0xffffffff81000000UL)

/* The local package's wire format (kmod/local.c). */
#define LOCAL_MAGIC	0x4b534c43	/* "KSLC" */
#define LOCAL_HDR_LEN	12
#define LOCAL_ID_LEN	16

/* Every ISC_REQ_* / ASC_REQ_* bit the uapi header defines. */
#define ISC_DEFINED							\
	(ISC_REQ_DELEGATE | ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT |	\
	 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY |		\
	 ISC_REQ_USE_SESSION_KEY | ISC_REQ_PROMPT_FOR_CREDS |		\
	 ISC_REQ_USE_SUPPLIED_CREDS | ISC_REQ_ALLOCATE_MEMORY |		\
	 ISC_REQ_USE_DCE_STYLE | ISC_REQ_DATAGRAM | ISC_REQ_CONNECTION |	\
	 ISC_REQ_CALL_LEVEL | ISC_REQ_FRAGMENT_SUPPLIED |		\
	 ISC_REQ_EXTENDED_ERROR | ISC_REQ_STREAM | ISC_REQ_INTEGRITY |	\
	 ISC_REQ_IDENTIFY | ISC_REQ_NULL_SESSION |			\
	 ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_FRAGMENT_TO_FIT |	\
	 ISC_REQ_FORWARD_CREDENTIALS | ISC_REQ_NO_INTEGRITY |		\
	 ISC_REQ_USE_HTTP_STYLE | ISC_REQ_UNVERIFIED_TARGET_NAME |	\
	 ISC_REQ_CONFIDENTIALITY_ONLY)
#define ASC_DEFINED							\
	(ASC_REQ_DELEGATE | ASC_REQ_MUTUAL_AUTH | ASC_REQ_REPLAY_DETECT |	\
	 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY |		\
	 ASC_REQ_USE_SESSION_KEY | ASC_REQ_SESSION_TICKET |		\
	 ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_USE_DCE_STYLE |		\
	 ASC_REQ_DATAGRAM | ASC_REQ_CONNECTION | ASC_REQ_CALL_LEVEL |	\
	 ASC_REQ_FRAGMENT_SUPPLIED | ASC_REQ_EXTENDED_ERROR |		\
	 ASC_REQ_STREAM | ASC_REQ_INTEGRITY | ASC_REQ_LICENSING |	\
	 ASC_REQ_IDENTIFY | ASC_REQ_ALLOW_NULL_SESSION |		\
	 ASC_REQ_ALLOW_NON_USER_LOGONS | ASC_REQ_ALLOW_CONTEXT_REPLAY |	\
	 ASC_REQ_FRAGMENT_TO_FIT | ASC_REQ_NO_TOKEN |			\
	 ASC_REQ_PROXY_BINDINGS | ASC_REQ_ALLOW_MISSING_BINDINGS)

/* An ioctl's result: its return value, or -errno. */
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

/* ---- memory with known holes ---- */

/*
 * Two read-write pages (the argument page and a data page), then an
 * inaccessible guard page, then a read-only page; plus an address where
 * nothing is mapped.
 */
struct mem {
	uint8_t *arg;
	uint8_t *data;
	uint8_t *guard;
	uint8_t *ro;
	void *unmapped;
};

static void mem_init(struct __test_metadata *_metadata, struct mem *m)
{
	uint8_t *p;
	void *u;

	ASSERT_EQ(PAGE, sysconf(_SC_PAGESIZE));
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	m->arg = p;
	m->data = p + PAGE;
	m->guard = p + 2 * PAGE;
	m->ro = p + 3 * PAGE;
	ASSERT_EQ(0, mprotect(m->guard, PAGE, PROT_NONE));
	ASSERT_EQ(0, mprotect(m->ro, PAGE, PROT_READ));
	u = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, u);
	ASSERT_EQ(0, munmap(u, PAGE));
	m->unmapped = u;
}

/* Copies @len bytes into the read-only page and makes it read-only again. */
static int ro_put(struct mem *m, const void *src, size_t len)
{
	if (mprotect(m->ro, PAGE, PROT_READ | PROT_WRITE))
		return -1;
	memset(m->ro, 0, PAGE);
	memcpy(m->ro, src, len);
	return mprotect(m->ro, PAGE, PROT_READ);
}

/* The lowest free descriptor number: an ioctl that failed must not move it. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static bool cloexec(int fd)
{
	return fcntl(fd, F_GETFD) == FD_CLOEXEC;
}

static bool anon_name(int fd, const char *want)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return !strcmp(link, want);
}

/* ---- the objects most tests need ---- */

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

struct objs {
	struct mem m;
	int dev;
	int icred;	/* alice's outbound credentials */
	int acred;	/* the server's inbound credentials for target */
	int bcred;	/* root's credentials for both directions ("uid:0") */
	int ictx;	/* alice's established initiator context */
	int actx;	/* the server's established acceptor context */
	int tok;	/* alice's token, from actx */
	int newi;	/* a new initiator context (root, towards target) */
	int newa;	/* a new acceptor context (the server) */
	bool impersonating;
	char target[64];
	struct ksspi_package_info pkgs[8];
	uint32_t groups[16];
	char name[256];
	uint8_t out[TOKBUF];
};

static void objs_init(struct __test_metadata *_metadata, struct objs *o)
{
	const gid_t staff[] = { STAFF_GID };

	o->dev = o->icred = o->acred = o->bcred = -1;
	o->ictx = o->actx = o->tok = o->newi = o->newa = -1;
	mem_init(_metadata, &o->m);
	uid_principal(o->target, sizeof(o->target), SERVICE, SERVER_UID);

	o->dev = open(KSSPI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, o->dev) TH_LOG("open %s: %m", KSSPI_DEVICE_PATH);
	o->icred = acquire_as(o->dev, ALICE_UID, ALICE_GID, staff, 1,
			      SECPKG_CRED_OUTBOUND, NULL);
	ASSERT_LE(0, o->icred);
	o->acred = acquire_as(o->dev, SERVER_UID, SERVER_GID, NULL, 0,
			      SECPKG_CRED_INBOUND, o->target);
	ASSERT_LE(0, o->acred);
	o->bcred = ksspi_acquire_credentials(o->dev, "local", SECPKG_CRED_BOTH,
					     NULL, NULL);
	ASSERT_LE(0, o->bcred);
	ASSERT_EQ(SEC_E_OK, local_handshake(o->icred, o->acred, o->target, 0, 0,
					    &o->ictx, &o->actx));
	o->tok = kion(o->actx, KSSPI_IOC_GET_TOKEN, 0);
	ASSERT_LE(0, o->tok);
	o->newi = ksspi_new_context(o->bcred, KSSPI_CONTEXT_INITIATE, o->target,
				    0);
	ASSERT_LE(0, o->newi);
	o->newa = ksspi_new_context(o->acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, o->newa);
}

static void objs_fini(struct objs *o)
{
	int *fds[] = { &o->newa, &o->newi, &o->tok, &o->actx, &o->ictx,
		       &o->bcred, &o->acred, &o->icred, &o->dev };
	size_t i;

	if (o->impersonating) {
		struct ksspi_impersonate im = { .size = sizeof(im) };

		ioctl(o->tok, KSSPI_IOC_REVERT, &im);
	}
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Runs one raw leg; returns the ioctl's result. */
static long step(int ctx, const void *in, uint32_t in_len, void *out,
		 uint32_t out_size, struct ksspi_step *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->in_token = (uintptr_t)in;
	st->in_len = in_len;
	st->out_token = (uintptr_t)out;
	st->out_size = out_size;
	return kio(ctx, KSSPI_IOC_STEP, st);
}

static uint32_t ctx_state(int ctx)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };

	if (ioctl(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci))
		return ~0U;
	return ci.state;
}

/* A genuine AP-REQ from alice to the target (a one-way first leg). */
static int32_t fresh_apreq(struct objs *o, uint8_t *buf, size_t *len)
{
	uint32_t flags;
	int32_t st;
	int ctx = -1;

	*len = TOKBUF;
	st = ksspi_initialize_security_context(o->icred, &ctx, o->target, 0,
					       NULL, 0, buf, len, &flags);
	if (ctx >= 0)
		close(ctx);
	return st;
}

static uint32_t max_token(int dev)
{
	struct ksspi_package_info pi;

	if (ksspi_query_package(dev, "local", &pi))
		return 0;
	return pi.max_token;
}

FIXTURE(objs) {
	struct objs o;
};

FIXTURE_SETUP(objs)
{
	objs_init(_metadata, &self->o);
}

FIXTURE_TEARDOWN(objs)
{
	objs_fini(&self->o);
}

/* ---- the size convention, for every size-prefixed ioctl ---- */

enum which_fd { F_DEV, F_ICRED, F_ACRED, F_BCRED, F_ACTX, F_NEWA, F_TOK };

static int pick_fd(const struct objs *o, enum which_fd w)
{
	switch (w) {
	case F_DEV:
		return o->dev;
	case F_ICRED:
		return o->icred;
	case F_ACRED:
		return o->acred;
	case F_BCRED:
		return o->bcred;
	case F_ACTX:
		return o->actx;
	case F_NEWA:
		return o->newa;
	case F_TOK:
		return o->tok;
	}
	return -1;
}

typedef void (*fill_fn)(struct objs *o, void *arg);
typedef void (*ok_fn)(struct __test_metadata *_metadata, struct objs *o,
		      long ret, const void *arg);

static void fill_enum(struct objs *o, void *arg)
{
	struct ksspi_enum_packages *ep = arg;

	ep->count = ARRAY_SIZE(o->pkgs);
	ep->entry_size = sizeof(o->pkgs[0]);
	ep->packages = (uintptr_t)o->pkgs;
}

static void ok_enum(struct __test_metadata *_metadata, struct objs *o,
		    long ret, const void *arg)
{
	const struct ksspi_enum_packages *ep = arg;

	EXPECT_EQ(0, ret);
	EXPECT_LE(1, ep->count);
	EXPECT_EQ(sizeof(o->pkgs[0]), o->pkgs[0].size);
}

static void fill_query_package(struct objs *o, void *arg)
{
	struct ksspi_package_info *pi = arg;

	strcpy(pi->name, "local");
}

static void ok_query_package(struct __test_metadata *_metadata,
			     struct objs *o, long ret, const void *arg)
{
	const struct ksspi_package_info *pi = arg;

	EXPECT_EQ(0, ret);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, pi->id);
	EXPECT_STREQ("local", pi->name);
}

static void fill_acquire(struct objs *o, void *arg)
{
	struct ksspi_acquire_cred *ac = arg;

	strcpy(ac->package, "local");
	ac->use = SECPKG_CRED_INBOUND;
}

/* For ioctls that return a new descriptor. */
static void ok_fd(struct __test_metadata *_metadata, struct objs *o,
		  long ret, const void *arg)
{
	ASSERT_LE(0, ret);
	EXPECT_TRUE(cloexec(ret));
	EXPECT_EQ(0, close(ret));
}

static void fill_token_info(struct objs *o, void *arg)
{
	struct ksspi_token_info *ti = arg;

	ti->ngroups = ARRAY_SIZE(o->groups);
	ti->groups = (uintptr_t)o->groups;
	ti->name = (uintptr_t)o->name;
	ti->name_size = sizeof(o->name);
}

static void ok_token_info(struct __test_metadata *_metadata, struct objs *o,
			  long ret, const void *arg)
{
	const struct ksspi_token_info *ti = arg;

	EXPECT_EQ(0, ret);
	EXPECT_EQ(ALICE_UID, ti->uid);
	EXPECT_EQ(ALICE_GID, ti->gid);
	EXPECT_EQ(1, ti->ngroups);
	EXPECT_EQ(STAFF_GID, o->groups[0]);
	EXPECT_STREQ("uid:2001", o->name);
}

static void fill_new_context(struct objs *o, void *arg)
{
	struct ksspi_context_new *cn = arg;

	cn->flags = KSSPI_CONTEXT_INITIATE;
	cn->target = (uintptr_t)o->target;
	cn->target_len = strlen(o->target);
}

static void fill_step(struct objs *o, void *arg)
{
	struct ksspi_step *st = arg;

	st->out_token = (uintptr_t)o->out;
	st->out_size = sizeof(o->out);
}

/* A leg with no input on an acceptor: incomplete, the context unchanged. */
static void ok_step(struct __test_metadata *_metadata, struct objs *o,
		    long ret, const void *arg)
{
	const struct ksspi_step *st = arg;

	EXPECT_EQ(0, ret);
	EXPECT_EQ(SEC_E_INCOMPLETE_MESSAGE, st->status);
	EXPECT_EQ(LOCAL_HDR_LEN, st->missing);
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(o->newa));
}

static void fill_query_context(struct objs *o, void *arg)
{
	struct ksspi_context_info *ci = arg;

	ci->mask = KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO);
}

static void ok_query_context(struct __test_metadata *_metadata,
			     struct objs *o, long ret, const void *arg)
{
	const struct ksspi_context_info *ci = arg;

	EXPECT_EQ(0, ret);
	EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO), ci->mask);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, ci->package_id);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci->state);
}

static void fill_nothing(struct objs *o, void *arg)
{
}

/* Impersonating alice worked: the thread is alice until it reverts. */
static void ok_impersonate(struct __test_metadata *_metadata, struct objs *o,
			   long ret, const void *arg)
{
	const struct ksspi_impersonate *im = arg;
	struct ksspi_impersonate rv = { .size = sizeof(rv) };

	EXPECT_EQ(0, ret);
	EXPECT_EQ(SEC_E_OK, im->status);
	EXPECT_EQ(SECURITY_IMPERSONATION, im->level);
	EXPECT_EQ(ALICE_UID, geteuid());
	ASSERT_EQ(0, kio(o->dev, KSSPI_IOC_REVERT, &rv));
	EXPECT_EQ(SEC_E_OK, rv.status);
	EXPECT_EQ(0, geteuid());
}

/* Reverting while not impersonating: answered, nothing to revert. */
static void ok_revert(struct __test_metadata *_metadata, struct objs *o,
		      long ret, const void *arg)
{
	const struct ksspi_impersonate *im = arg;

	EXPECT_EQ(0, ret);
	EXPECT_EQ(SEC_E_NO_IMPERSONATION, im->status);
	EXPECT_EQ(0, im->level);
	EXPECT_EQ(0, geteuid());
}

FIXTURE(sized) {
	struct objs o;
};

FIXTURE_VARIANT(sized) {
	unsigned long cmd;
	enum which_fd fd;
	uint32_t size;		/* the ABI v1 structure's size */
	uint32_t ok_flags;	/* single flag bits that are valid */
	bool zero_flags_bad;	/* flags 0 is invalid too */
	bool writes_back;	/* the ioctl copies the structure back out */
	bool impersonate;	/* run while impersonating alice */
	fill_fn fill;		/* a valid argument (size and flags excluded) */
	ok_fn ok;		/* checks an accepted call */
};

FIXTURE_VARIANT_ADD(sized, enum_packages) {
	.cmd = KSSPI_IOC_ENUM_PACKAGES, .fd = F_DEV,
	.size = sizeof(struct ksspi_enum_packages), .writes_back = true,
	.fill = fill_enum, .ok = ok_enum,
};

FIXTURE_VARIANT_ADD(sized, query_package) {
	.cmd = KSSPI_IOC_QUERY_PACKAGE, .fd = F_DEV,
	.size = sizeof(struct ksspi_package_info), .writes_back = true,
	.fill = fill_query_package, .ok = ok_query_package,
};

FIXTURE_VARIANT_ADD(sized, acquire_cred) {
	.cmd = KSSPI_IOC_ACQUIRE_CRED, .fd = F_DEV,
	.size = sizeof(struct ksspi_acquire_cred), .writes_back = true,
	.fill = fill_acquire, .ok = ok_fd,
};

/* WHOAMI answers ENOENT before looking at its argument when the thread
 * impersonates nobody: its argument checks are made while impersonating.
 */
FIXTURE_VARIANT_ADD(sized, whoami) {
	.cmd = KSSPI_IOC_WHOAMI, .fd = F_DEV,
	.size = sizeof(struct ksspi_token_info), .writes_back = true,
	.impersonate = true, .fill = fill_token_info, .ok = ok_token_info,
};

FIXTURE_VARIANT_ADD(sized, new_context) {
	.cmd = KSSPI_IOC_NEW_CONTEXT, .fd = F_ICRED,
	.size = sizeof(struct ksspi_context_new),
	.ok_flags = KSSPI_CONTEXT_INITIATE, .zero_flags_bad = true,
	.fill = fill_new_context, .ok = ok_fd,
};

FIXTURE_VARIANT_ADD(sized, step) {
	.cmd = KSSPI_IOC_STEP, .fd = F_NEWA,
	.size = sizeof(struct ksspi_step), .writes_back = true,
	.fill = fill_step, .ok = ok_step,
};

FIXTURE_VARIANT_ADD(sized, query_context) {
	.cmd = KSSPI_IOC_QUERY_CONTEXT, .fd = F_ACTX,
	.size = sizeof(struct ksspi_context_info), .writes_back = true,
	.fill = fill_query_context, .ok = ok_query_context,
};

FIXTURE_VARIANT_ADD(sized, impersonate_context) {
	.cmd = KSSPI_IOC_IMPERSONATE, .fd = F_ACTX,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_impersonate,
};

FIXTURE_VARIANT_ADD(sized, impersonate_token) {
	.cmd = KSSPI_IOC_IMPERSONATE, .fd = F_TOK,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_impersonate,
};

FIXTURE_VARIANT_ADD(sized, revert_context) {
	.cmd = KSSPI_IOC_REVERT, .fd = F_ACTX,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_revert,
};

FIXTURE_VARIANT_ADD(sized, revert_dev) {
	.cmd = KSSPI_IOC_REVERT, .fd = F_DEV,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_revert,
};

FIXTURE_VARIANT_ADD(sized, revert_cred) {
	.cmd = KSSPI_IOC_REVERT, .fd = F_BCRED,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_revert,
};

FIXTURE_VARIANT_ADD(sized, revert_token) {
	.cmd = KSSPI_IOC_REVERT, .fd = F_TOK,
	.size = sizeof(struct ksspi_impersonate), .writes_back = true,
	.fill = fill_nothing, .ok = ok_revert,
};

FIXTURE_VARIANT_ADD(sized, query_token) {
	.cmd = KSSPI_IOC_QUERY_TOKEN, .fd = F_TOK,
	.size = sizeof(struct ksspi_token_info), .writes_back = true,
	.fill = fill_token_info, .ok = ok_token_info,
};

FIXTURE_SETUP(sized)
{
	objs_init(_metadata, &self->o);
	if (variant->impersonate) {
		struct ksspi_impersonate im = { .size = sizeof(im) };

		ASSERT_EQ(0, kio(self->o.tok, KSSPI_IOC_IMPERSONATE, &im));
		ASSERT_EQ(SEC_E_OK, im.status);
		self->o.impersonating = true;
	}
}

FIXTURE_TEARDOWN(sized)
{
	objs_fini(&self->o);
}

/*
 * Lays a valid argument of @total bytes (zero beyond the structure) out at
 * @at, with size member @size.
 */
static void *lay(FIXTURE_DATA(sized) *self,
		 const FIXTURE_VARIANT(sized) *variant, uint8_t *at,
		 size_t total, uint32_t size)
{
	memset(at, 0, total);
	variant->fill(&self->o, at);
	memcpy(at, &size, sizeof(size));
	return at;
}

static int vfd(FIXTURE_DATA(sized) *self, const FIXTURE_VARIANT(sized) *variant)
{
	return pick_fd(&self->o, variant->fd);
}

/* Smaller than ABI version 1's structure: EINVAL, before reading on. */
TEST_F(sized, size_too_small)
{
	const uint32_t sizes[] = { 0, 1, 4, 7, 8, variant->size - 8,
				   variant->size - 1 };
	uint32_t *at;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *arg = lay(self, variant, self->o.m.arg, variant->size,
				sizes[i]);

		EXPECT_EQ(-EINVAL, kio(vfd(self, variant), variant->cmd, arg))
			TH_LOG("size %u", sizes[i]);
	}
	/* Only the size member is readable: it alone decides. */
	at = (uint32_t *)(self->o.m.guard - sizeof(uint32_t));
	*at = variant->size - 1;
	EXPECT_EQ(-EINVAL, kio(vfd(self, variant), variant->cmd, at));
}

/* More than a page: E2BIG, whatever follows (nothing is read). */
TEST_F(sized, size_too_big)
{
	const uint32_t sizes[] = { PAGE + 1, PAGE + 8, 2 * PAGE, 65536,
				   0x7fffffff, 0xffffffff };
	uint8_t *at;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *arg = lay(self, variant, self->o.m.arg, variant->size,
				sizes[i]);

		EXPECT_EQ(-E2BIG, kio(vfd(self, variant), variant->cmd, arg))
			TH_LOG("size %u", sizes[i]);
	}
	/* The claimed size runs into the guard page: still E2BIG. */
	at = self->o.m.guard - variant->size;
	lay(self, variant, at, variant->size, PAGE + 1);
	EXPECT_EQ(-E2BIG, kio(vfd(self, variant), variant->cmd, at));
}

/* Larger than the kernel's structure with a non-zero byte beyond it. */
TEST_F(sized, trailing_nonzero)
{
	uint8_t *arg = self->o.m.arg;

	lay(self, variant, arg, variant->size + 8, variant->size + 8);
	arg[variant->size] = 1;
	EXPECT_EQ(-E2BIG, kio(vfd(self, variant), variant->cmd, arg));

	lay(self, variant, arg, variant->size + 8, variant->size + 8);
	arg[variant->size + 7] = 0x80;
	EXPECT_EQ(-E2BIG, kio(vfd(self, variant), variant->cmd, arg));

	/* A whole page, the largest size allowed, with its last byte set. */
	lay(self, variant, arg, PAGE, PAGE);
	arg[PAGE - 1] = 0xff;
	EXPECT_EQ(-E2BIG, kio(vfd(self, variant), variant->cmd, arg));
}

/* Larger with zero bytes beyond: accepted, as is the exact size. */
TEST_F(sized, trailing_zero_accepted)
{
	const uint32_t sizes[] = { variant->size, variant->size + 1,
				   variant->size + 8, PAGE };
	uint8_t *at;
	size_t i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *arg = lay(self, variant, self->o.m.arg, sizes[i],
				sizes[i]);
		bool passed = _metadata->passed;

		ret = kio(vfd(self, variant), variant->cmd, arg);
		variant->ok(_metadata, &self->o, ret, arg);
		if (passed && !_metadata->passed)
			TH_LOG("(with size %u)", sizes[i]);
		if (variant->cmd == KSSPI_IOC_QUERY_PACKAGE) {
			/* The size member is the caller's, echoed back. */
			EXPECT_EQ(sizes[i],
				  ((struct ksspi_package_info *)arg)->size);
		}
	}
	/* The exact structure ending right at the guard page. */
	at = self->o.m.guard - variant->size;
	lay(self, variant, at, variant->size, variant->size);
	ret = kio(vfd(self, variant), variant->cmd, at);
	variant->ok(_metadata, &self->o, ret, at);
}

/* NULL, unmapped, kernel and partly mapped arguments: EFAULT. */
TEST_F(sized, bad_address)
{
	int fd = vfd(self, variant);
	uint8_t *at;

	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, NULL));
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, self->o.m.unmapped));
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, KADDR));
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, self->o.m.guard));
	/* The size member itself straddles the guard page. */
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, self->o.m.guard - 2));
	/* A correct size member, the rest of the structure unreadable. */
	at = self->o.m.guard - sizeof(uint32_t);
	*(uint32_t *)at = variant->size;
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, at));
	/* The structure readable, its (zero) trailing bytes not. */
	at = self->o.m.guard - variant->size;
	lay(self, variant, at, variant->size, variant->size + 8);
	EXPECT_EQ(-EFAULT, kio(fd, variant->cmd, at));
}

/* Every flag bit that is not defined: EINVAL. */
TEST_F(sized, flags)
{
	int fd = vfd(self, variant);
	uint32_t *flags;
	uint8_t *arg;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		if (variant->ok_flags & (1U << bit))
			continue;
		arg = lay(self, variant, self->o.m.arg, variant->size,
			  variant->size);
		flags = (uint32_t *)(arg + 4);
		*flags = 1U << bit;
		EXPECT_EQ(-EINVAL, kio(fd, variant->cmd, arg))
			TH_LOG("flags %#x", 1U << bit);
	}
	arg = lay(self, variant, self->o.m.arg, variant->size, variant->size);
	*(uint32_t *)(arg + 4) = 0xffffffff;
	EXPECT_EQ(-EINVAL, kio(fd, variant->cmd, arg));
	if (variant->zero_flags_bad) {
		arg = lay(self, variant, self->o.m.arg, variant->size,
			  variant->size);
		*(uint32_t *)(arg + 4) = 0;
		EXPECT_EQ(-EINVAL, kio(fd, variant->cmd, arg));
	}
}

/*
 * A read-only argument: an ioctl that must write its structure back fails
 * with EFAULT and must not have acted (no descriptor installed, no change of
 * the thread's credentials); one that only reads it is accepted.
 */
TEST_F(sized, read_only_arg)
{
	int fd = vfd(self, variant), free_fd = lowest_free_fd();
	uint8_t tmp[PAGE];
	long ret;

	lay(self, variant, tmp, variant->size, variant->size);
	ASSERT_EQ(0, ro_put(&self->o.m, tmp, variant->size));
	ret = kio(fd, variant->cmd, self->o.m.ro);
	if (!variant->writes_back) {
		variant->ok(_metadata, &self->o, ret, self->o.m.ro);
		return;
	}
	EXPECT_EQ(-EFAULT, ret);
	EXPECT_EQ(free_fd, lowest_free_fd());
	if (variant->cmd == KSSPI_IOC_IMPERSONATE) {
		struct ksspi_impersonate rv = { .size = sizeof(rv) };

		/*
		 * "Never a half-changed thread": an IMPERSONATE that fails
		 * must leave the caller as it was.
		 */
		EXPECT_EQ(0, geteuid()) TH_LOG("IMPERSONATE failed with EFAULT but the thread now runs as uid %u",
					       geteuid());
		ASSERT_EQ(0, kio(self->o.dev, KSSPI_IOC_REVERT, &rv));
		EXPECT_EQ(0, geteuid());
	}
}

/* ---- ioctls on the wrong descriptor ---- */

static const struct {
	unsigned long cmd;
	const char *name;
	bool int_arg;	/* takes 0, not a structure */
} all_ioctls[] = {
	{ KSSPI_IOC_GET_ABI_VERSION, "GET_ABI_VERSION", true },
	{ KSSPI_IOC_ENUM_PACKAGES, "ENUM_PACKAGES", false },
	{ KSSPI_IOC_QUERY_PACKAGE, "QUERY_PACKAGE", false },
	{ KSSPI_IOC_ACQUIRE_CRED, "ACQUIRE_CRED", false },
	{ KSSPI_IOC_WHOAMI, "WHOAMI", false },
	{ KSSPI_IOC_NEW_CONTEXT, "NEW_CONTEXT", false },
	{ KSSPI_IOC_STEP, "STEP", false },
	{ KSSPI_IOC_QUERY_CONTEXT, "QUERY_CONTEXT", false },
	{ KSSPI_IOC_QUERY_SESSION_KEY, "QUERY_SESSION_KEY", false },
	{ KSSPI_IOC_GET_TOKEN, "GET_TOKEN", true },
	{ KSSPI_IOC_QUERY_TOKEN, "QUERY_TOKEN", false },
	{ KSSPI_IOC_IMPERSONATE, "IMPERSONATE", false },
	{ KSSPI_IOC_REVERT, "REVERT", false },
	/* Socket-bound contexts (socket_test.c) */
	{ KSSPI_IOC_SOCKET_ATTACH, "SOCKET_ATTACH", false },
	{ KSSPI_IOC_SOCKET_DETACH, "SOCKET_DETACH", false },
	{ KSSPI_IOC_SOCKET_QUERY, "SOCKET_QUERY", false },
	{ KSSPI_IOC_SOCKET_IMPERSONATE, "SOCKET_IMPERSONATE", false },
	{ KSSPI_IOC_SOCKET_REVERT, "SOCKET_REVERT", false },
	/* Message protection (msgprot_test.c) */
	{ KSSPI_IOC_MAKE_SIGNATURE, "MAKE_SIGNATURE", false },
	{ KSSPI_IOC_VERIFY_SIGNATURE, "VERIFY_SIGNATURE", false },
	{ KSSPI_IOC_ENCRYPT_MESSAGE, "ENCRYPT_MESSAGE", false },
	{ KSSPI_IOC_DECRYPT_MESSAGE, "DECRYPT_MESSAGE", false },
	/* The x509 package (x509_test.c) */
	{ KSSPI_IOC_X509_ACQUIRE, "X509_ACQUIRE", false },
	{ KSSPI_IOC_X509_QUERY, "X509_QUERY", false },
};

enum kind { K_DEV, K_CRED, K_CTX, K_TOKEN };

static const char *const kind_names[] = { "device", "credentials",
					  "context", "token" };

/* Which ioctls each kind of descriptor serves (the uapi header's list). */
static bool served(enum kind k, unsigned long cmd)
{
	switch (cmd) {
	case KSSPI_IOC_REVERT:
		return true;
	case KSSPI_IOC_GET_ABI_VERSION:
	case KSSPI_IOC_ENUM_PACKAGES:
	case KSSPI_IOC_QUERY_PACKAGE:
	case KSSPI_IOC_ACQUIRE_CRED:
	case KSSPI_IOC_WHOAMI:
	case KSSPI_IOC_SOCKET_ATTACH:
	case KSSPI_IOC_SOCKET_DETACH:
	case KSSPI_IOC_SOCKET_QUERY:
	case KSSPI_IOC_SOCKET_IMPERSONATE:
	case KSSPI_IOC_SOCKET_REVERT:
	case KSSPI_IOC_X509_ACQUIRE:
		return k == K_DEV;
	case KSSPI_IOC_NEW_CONTEXT:
		return k == K_CRED;
	case KSSPI_IOC_STEP:
	case KSSPI_IOC_QUERY_CONTEXT:
	case KSSPI_IOC_QUERY_SESSION_KEY:
	case KSSPI_IOC_GET_TOKEN:
	case KSSPI_IOC_MAKE_SIGNATURE:
	case KSSPI_IOC_VERIFY_SIGNATURE:
	case KSSPI_IOC_ENCRYPT_MESSAGE:
	case KSSPI_IOC_DECRYPT_MESSAGE:
	case KSSPI_IOC_X509_QUERY:
		return k == K_CTX;
	case KSSPI_IOC_QUERY_TOKEN:
		return k == K_TOKEN;
	case KSSPI_IOC_IMPERSONATE:
		return k == K_CTX || k == K_TOKEN;
	}
	return false;
}

/*
 * Every ksspi ioctl on every kind of descriptor: ENOTTY where the kind does
 * not serve it, with an argument that would be valid-looking to any of them;
 * where it does, a NULL argument reaches its argument checks (EFAULT), so
 * that the matrix itself is known to be right.
 */
TEST_F(objs, wrong_object)
{
	const struct {
		int fd;
		enum kind kind;
	} fds[] = {
		{ self->o.dev, K_DEV }, { self->o.icred, K_CRED },
		{ self->o.acred, K_CRED }, { self->o.actx, K_CTX },
		{ self->o.newi, K_CTX }, { self->o.tok, K_TOKEN },
	};
	uint8_t *buf = self->o.m.arg;
	size_t i, j;
	long ret;

	memset(buf, 0, PAGE);
	*(uint32_t *)buf = 64;	/* a plausible size, zeros after it */
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		for (j = 0; j < ARRAY_SIZE(all_ioctls); j++) {
			unsigned long cmd = all_ioctls[j].cmd;

			if (served(fds[i].kind, cmd)) {
				if (all_ioctls[j].int_arg)
					continue;
				ret = kio(fds[i].fd, cmd, NULL);
				/* Argument errors come first, WHOAMI's too. */
				EXPECT_EQ(-EFAULT, ret)
					TH_LOG("%s on a %s descriptor",
					       all_ioctls[j].name,
					       kind_names[fds[i].kind]);
				continue;
			}
			ret = all_ioctls[j].int_arg ?
				kion(fds[i].fd, cmd, 0) :
				kio(fds[i].fd, cmd, buf);
			EXPECT_EQ(-ENOTTY, ret)
				TH_LOG("%s on a %s descriptor",
				       all_ioctls[j].name,
				       kind_names[fds[i].kind]);
		}
	}
}

/*
 * Numbers that are no ksspi ioctl: every other number of the ksspi type,
 * the served numbers with direction or size bits, other types.
 */
TEST_F(objs, unknown_numbers)
{
	const int fds[] = { self->o.dev, self->o.bcred, self->o.actx,
			    self->o.tok };
	const unsigned long others[] = {
		_IOWR(KSSPI_IOC_TYPE, 0x20, struct ksspi_step),
		_IOR(KSSPI_IOC_TYPE, 0x00, int),
		_IOW(KSSPI_IOC_TYPE, 0x03, struct ksspi_acquire_cred),
		_IOWR(KSSPI_IOC_TYPE, 0x21, struct ksspi_context_info),
		_IO(KSSPI_IOC_TYPE + 1, 0x00), _IO(KSSPI_IOC_TYPE - 1, 0x20),
		_IO(0, 0), 0xffffffffUL,
	};
	uint8_t *buf = self->o.m.arg;
	size_t i, j;
	unsigned int nr;

	memset(buf, 0, PAGE);
	*(uint32_t *)buf = 64;
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		for (nr = 0; nr < 256; nr++) {
			unsigned long cmd = _IO(KSSPI_IOC_TYPE, nr);
			bool known = false;

			for (j = 0; j < ARRAY_SIZE(all_ioctls); j++)
				known |= all_ioctls[j].cmd == cmd;
			if (known)
				continue;
			EXPECT_EQ(-ENOTTY, kio(fds[i], cmd, buf))
				TH_LOG("nr %#x on fd %zu", nr, i);
		}
		for (j = 0; j < ARRAY_SIZE(others); j++) {
			EXPECT_EQ(-ENOTTY, kio(fds[i], others[j], buf))
				TH_LOG("cmd %#lx on fd %zu", others[j], i);
		}
	}
}

/*
 * ksspi ioctls on descriptors that are not ksspi's: the kernel's generic
 * answer for an ioctl a file does not know is ENOTTY (pipes, character
 * devices without the ioctl, shmem files, sockets, eventfds); descriptors
 * that are not open, and O_PATH ones, are EBADF.
 */
TEST_F(objs, foreign_descriptors)
{
	int p[2], sv[2], fds[8], n = 0, i, bad;
	uint8_t *buf = self->o.m.arg;
	size_t j;
	long ret;

	memset(buf, 0, PAGE);
	*(uint32_t *)buf = 64;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fds[n++] = p[0];
	fds[n++] = p[1];
	fds[n++] = sv[0];
	fds[n] = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fds[n++]);
	fds[n] = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fds[n++]);
	fds[n] = memfd_create("ksspi-abi", MFD_CLOEXEC);
	ASSERT_LE(0, fds[n++]);
	fds[n] = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fds[n++]);

	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(all_ioctls); j++) {
			ret = all_ioctls[j].int_arg ?
				kion(fds[i], all_ioctls[j].cmd, 0) :
				kio(fds[i], all_ioctls[j].cmd, buf);
			EXPECT_EQ(-ENOTTY, ret)
				TH_LOG("%s on foreign fd #%d",
				       all_ioctls[j].name, i);
		}
	}

	/* An O_PATH descriptor of the device itself cannot be used. */
	bad = open(KSSPI_DEVICE_PATH, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, bad);
	EXPECT_EQ(-EBADF, kion(bad, KSSPI_IOC_GET_ABI_VERSION, 0));
	EXPECT_EQ(-EBADF, kio(bad, KSSPI_IOC_ENUM_PACKAGES, buf));
	close(bad);
	/* Closed and negative descriptors. */
	EXPECT_EQ(-EBADF, kion(bad, KSSPI_IOC_GET_ABI_VERSION, 0));
	EXPECT_EQ(-EBADF, kion(-1, KSSPI_IOC_GET_ABI_VERSION, 0));
	EXPECT_EQ(-EBADF, kio(-1, KSSPI_IOC_STEP, buf));

	for (i = 0; i < n; i++)
		close(fds[i]);
	close(sv[1]);
}

/* ---- GET_ABI_VERSION ---- */

TEST_F(objs, abi_version)
{
	EXPECT_EQ(KSSPI_ABI_VERSION, 1);
	EXPECT_EQ(KSSPI_ABI_VERSION,
		  kion(self->o.dev, KSSPI_IOC_GET_ABI_VERSION, 0));
	EXPECT_EQ(-EINVAL, kion(self->o.dev, KSSPI_IOC_GET_ABI_VERSION, 1));
	EXPECT_EQ(-EINVAL, kion(self->o.dev, KSSPI_IOC_GET_ABI_VERSION,
				(uintptr_t)self->o.m.arg));
	EXPECT_EQ(-EINVAL, kion(self->o.dev, KSSPI_IOC_GET_ABI_VERSION,
				~0UL));
	/* And the library's wrapper agrees. */
	EXPECT_EQ(KSSPI_ABI_VERSION, ksspi_abi_version(self->o.dev));
}

/* ---- ACQUIRE_CRED ---- */

static void acq_init(struct ksspi_acquire_cred *ac, const char *pkg,
		     uint32_t use)
{
	memset(ac, 0, sizeof(*ac));
	ac->size = sizeof(*ac);
	snprintf(ac->package, sizeof(ac->package), "%s", pkg);
	ac->use = use;
}

/* Acquires with a principal of @len bytes at @p: the fd (closed) or -errno. */
static long acq(int dev, const void *p, uint32_t len)
{
	struct ksspi_acquire_cred ac;
	long ret;

	acq_init(&ac, "local", SECPKG_CRED_INBOUND);
	ac.principal = (uintptr_t)p;
	ac.principal_len = len;
	ret = kio(dev, KSSPI_IOC_ACQUIRE_CRED, &ac);
	if (ret >= 0) {
		close(ret);
		ret = 0;
	}
	return ret;
}

static long acq_str(int dev, const char *p)
{
	return acq(dev, p, strlen(p));
}

TEST_F(objs, acquire_package)
{
	const char *const unknown[] = { "nosuch", "", "LOCAL", "loca",
					"local ", "locall", "local/uid:0" };
	struct ksspi_acquire_cred ac;
	size_t i;
	long fd;

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		acq_init(&ac, unknown[i], SECPKG_CRED_INBOUND);
		EXPECT_EQ(-ENOPKG, kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED,
				       &ac))
			TH_LOG("package '%s'", unknown[i]);
	}
	/* No NUL in the 32 bytes: EINVAL, even when it starts as "local". */
	acq_init(&ac, "", SECPKG_CRED_INBOUND);
	memset(ac.package, 'a', sizeof(ac.package));
	EXPECT_EQ(-EINVAL, kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac));
	memset(ac.package, 'x', sizeof(ac.package));
	memcpy(ac.package, "local", 5);
	EXPECT_EQ(-EINVAL, kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac));
	/* The name ends at its NUL: what follows is not looked at. */
	ac.package[5] = 0;
	fd = kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac);
	ASSERT_LE(0, fd);
	close(fd);
	/* The longest name that fits (31 bytes) is looked up, not refused. */
	memset(ac.package, 'z', sizeof(ac.package));
	ac.package[31] = 0;
	EXPECT_EQ(-ENOPKG, kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac));
}

TEST_F(objs, acquire_use)
{
	const uint32_t bad[] = { 0, 4, 5, 7, 8, 0x80000001, 0xffffffff };
	const uint32_t good[] = { SECPKG_CRED_INBOUND, SECPKG_CRED_OUTBOUND,
				  SECPKG_CRED_BOTH };
	struct ksspi_acquire_cred ac;
	size_t i;
	long fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		acq_init(&ac, "local", bad[i]);
		EXPECT_EQ(-EINVAL, kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED,
				       &ac))
			TH_LOG("use %#x", bad[i]);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		acq_init(&ac, "local", good[i]);
		fd = kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac);
		EXPECT_LE(0, fd) TH_LOG("use %#x", good[i]);
		if (fd >= 0)
			close(fd);
	}
}

/* The principal's pointer and length. */
TEST_F(objs, acquire_principal_args)
{
	char *s = (char *)self->o.m.data;
	int dev = self->o.dev;

	memset(s, 's', KSSPI_NAME_MAX + 8);
	/* A pointer without a length. */
	EXPECT_EQ(-EINVAL, acq(dev, "uid:0", 0));
	/* Longer than KSSPI_NAME_MAX: refused before it is read. */
	EXPECT_EQ(-EINVAL, acq(dev, s, KSSPI_NAME_MAX + 1));
	EXPECT_EQ(-EINVAL, acq(dev, NULL, KSSPI_NAME_MAX + 1));
	EXPECT_EQ(-EINVAL, acq(dev, s, 0xffffffff));
	/* A NUL inside, or at the end of the counted bytes. */
	EXPECT_EQ(-EINVAL, acq(dev, "uid:0\0x", 7));
	EXPECT_EQ(-EINVAL, acq(dev, "uid:0\0", 6));
	EXPECT_EQ(-EINVAL, acq(dev, "\0uid:0", 6));
	/* Bad pointers. */
	EXPECT_EQ(-EFAULT, acq(dev, NULL, 5));
	EXPECT_EQ(-EFAULT, acq(dev, self->o.m.unmapped, 5));
	EXPECT_EQ(-EFAULT, acq(dev, KADDR, 5));
	memcpy(self->o.m.guard - 3, "uid", 3);
	EXPECT_EQ(-EFAULT, acq(dev, self->o.m.guard - 3, 5));
	/* Only len bytes count: "uid:0" cut to "uid" is malformed. */
	EXPECT_EQ(-EINVAL, acq(dev, "uid:0", 3));
	/* The caller's own principal, ending right before the guard page. */
	memcpy(self->o.m.guard - 5, "uid:0", 5);
	EXPECT_EQ(0, acq(dev, self->o.m.guard - 5, 5));
	EXPECT_EQ(0, acq(dev, "uid:0", 5));
	EXPECT_EQ(0, acq(dev, NULL, 0));
}

/* Principals the local package cannot parse: EINVAL (as root, uid 0). */
TEST_F(objs, acquire_malformed_principals)
{
	char svc64[80], svc65[80];
	const char *const bad[] = {
		"bob", "uid:", "uid:01", "uid:00", "/uid:0", "bad svc/uid:0",
		svc65, "uid:0x", "uid:-0", "uid:+0", "uid: 0", " uid:0",
		"uid:0 ", "UID:0", "uid=0", "uid:4294967296",
		"uid:99999999999999999999", "a/b/uid:0", "svc/", "svc/uid:",
		"svc!/uid:0", "svc/uid:0/", "/", "svc/bob", "uid:0/uid:0",
	};
	const char *const good[] = {
		"uid:0", "svc/uid:0", svc64, "a.b-c_D9/uid:0", "x/uid:0",
	};
	size_t i;

	memset(svc64, 's', 64);
	strcpy(svc64 + 64, "/uid:0");
	memset(svc65, 's', 65);
	strcpy(svc65 + 65, "/uid:0");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, acq_str(self->o.dev, bad[i]))
			TH_LOG("principal '%s'", bad[i]);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, acq_str(self->o.dev, good[i]))
			TH_LOG("principal '%s'", good[i]);
	}
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

static const char *const alice_claims[] = {
	"uid:2002", "svc/uid:2002", "uid:0", "svc/uid:0", "uid:4294967295",
	"uid:2001", "svc/uid:2001", "bad svc/uid:2002", "uid:02001",
};

static int alice_acquires(long *res, void *arg)
{
	size_t i;
	int dev;

	if (become_alice())
		return 1;
	dev = ksspi_open();
	if (dev < 0)
		return 2;
	for (i = 0; i < ARRAY_SIZE(alice_claims); i++)
		res[i] = acq_str(dev, alice_claims[i]);
	res[i] = acq(dev, NULL, 0);	/* the default principal */
	return 0;
}

/* Another user's principal is EPERM; one's own is fine (as alice). */
TEST_F(objs, acquire_others_principal)
{
	const long want[] = { -EPERM, -EPERM, -EPERM, -EPERM, -EPERM, 0, 0,
			      -EINVAL, -EINVAL, 0 };
	long res[ARRAY_SIZE(alice_claims) + 1];
	size_t i;

	ASSERT_EQ(ARRAY_SIZE(want), ARRAY_SIZE(res));
	ASSERT_EQ(0, in_child_results(alice_acquires, NULL, res,
				      ARRAY_SIZE(res)));
	for (i = 0; i < ARRAY_SIZE(res); i++) {
		EXPECT_EQ(want[i], res[i])
			TH_LOG("alice claims '%s'",
			       i < ARRAY_SIZE(alice_claims) ?
			       alice_claims[i] : "(default)");
	}
}

/* The new descriptor: close-on-exec, read-write, an anonymous inode. */
TEST_F(objs, acquire_descriptor)
{
	struct ksspi_acquire_cred ac;
	long fd;

	acq_init(&ac, "local", SECPKG_CRED_BOTH);
	ac.expiry = 12345;
	fd = kio(self->o.dev, KSSPI_IOC_ACQUIRE_CRED, &ac);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(anon_name(fd, "anon_inode:[ksspi-cred]"));
	/* Written back: local credentials do not expire. */
	EXPECT_EQ(0, ac.expiry);
	EXPECT_EQ(sizeof(ac), ac.size);
	close(fd);
}

/* ---- NEW_CONTEXT ---- */

static long new_ctx(int cred, uint32_t flags, uint32_t req, const void *target,
		    uint32_t target_len)
{
	struct ksspi_context_new cn = {
		.size = sizeof(cn),
		.flags = flags,
		.req_flags = req,
		.target = (uintptr_t)target,
		.target_len = target_len,
	};
	long ret = kio(cred, KSSPI_IOC_NEW_CONTEXT, &cn);

	if (ret >= 0) {
		close(ret);
		ret = 0;
	}
	return ret;
}

TEST_F(objs, new_context_direction)
{
	const uint32_t bad[] = { 0, KSSPI_CONTEXT_INITIATE | KSSPI_CONTEXT_ACCEPT,
				 4, 0x80000001, 0x80000002, 0xffffffff };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, bad[i], 0, NULL, 0))
			TH_LOG("flags %#x", bad[i]);
	}
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE, 0,
			     self->o.target, strlen(self->o.target)));
	/* An initiator without a target is made (its first leg fails). */
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE, 0, NULL, 0));
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, 0, NULL, 0));
}

/* An acceptor has no target: any part of one is EINVAL. */
TEST_F(objs, new_context_acceptor_target)
{
	const char *t = self->o.target;

	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, 0, t,
				   strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, 0, t,
				   0));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, 0,
				   NULL, 5));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.acred, KSSPI_CONTEXT_ACCEPT, 0, t,
				   strlen(t)));
}

/* Credentials used against their direction. */
TEST_F(objs, new_context_cred_use)
{
	const char *t = self->o.target;

	EXPECT_EQ(-EINVAL, new_ctx(self->o.acred, KSSPI_CONTEXT_INITIATE, 0, t,
				   strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.icred, KSSPI_CONTEXT_ACCEPT, 0,
				   NULL, 0));
	EXPECT_EQ(0, new_ctx(self->o.acred, KSSPI_CONTEXT_ACCEPT, 0, NULL, 0));
	EXPECT_EQ(0, new_ctx(self->o.icred, KSSPI_CONTEXT_INITIATE, 0, t,
			     strlen(t)));
}

/*
 * Each request bit alone: accepted if the uapi header defines it (except
 * *_REQ_ALLOCATE_MEMORY), EINVAL otherwise; note that ASC and ISC differ.
 */
TEST_F(objs, new_context_req_flags)
{
	const uint32_t isc_ok = ISC_DEFINED & ~ISC_REQ_ALLOCATE_MEMORY;
	const uint32_t asc_ok = ASC_DEFINED & ~ASC_REQ_ALLOCATE_MEMORY;
	const char *t = self->o.target;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		uint32_t req = 1U << bit;

		EXPECT_EQ(isc_ok & req ? 0 : -EINVAL,
			  new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE, req, t,
				  strlen(t)))
			TH_LOG("ISC_REQ %#x", req);
		EXPECT_EQ(asc_ok & req ? 0 : -EINVAL,
			  new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, req,
				  NULL, 0))
			TH_LOG("ASC_REQ %#x", req);
	}
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE,
				   ISC_REQ_ALLOCATE_MEMORY, t, strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT,
				   ASC_REQ_ALLOCATE_MEMORY, NULL, 0));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE,
				   0x80000000, t, strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT,
				   0x80000000, NULL, 0));
	/* 0x4000 is ISC_REQ_EXTENDED_ERROR but no ASC_REQ bit. */
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE,
			     ISC_REQ_EXTENDED_ERROR, t, strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, 0x4000,
				   NULL, 0));
	/* Every valid bit at once, and one unknown bit among valid ones. */
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE, isc_ok, t,
			     strlen(t)));
	EXPECT_EQ(0, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT, asc_ok, NULL,
			     0));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_INITIATE,
				   isc_ok | 0x00100000, t, strlen(t)));
	EXPECT_EQ(-EINVAL, new_ctx(self->o.bcred, KSSPI_CONTEXT_ACCEPT,
				   asc_ok | 0x80, NULL, 0));
}

TEST_F(objs, new_context_target)
{
	char *s = (char *)self->o.m.data;
	int c = self->o.bcred;

	memset(s, 't', KSSPI_NAME_MAX + 8);
	EXPECT_EQ(-EINVAL, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, s,
				   KSSPI_NAME_MAX + 1));
	EXPECT_EQ(-EINVAL, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, s,
				   0xffffffff));
	/* Refused on its length alone, before the pointer is used. */
	EXPECT_EQ(-EINVAL, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, NULL,
				   KSSPI_NAME_MAX + 1));
	EXPECT_EQ(0, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, s, KSSPI_NAME_MAX));
	EXPECT_EQ(-EINVAL, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, "svc\0/uid:0",
				   10));
	EXPECT_EQ(-EINVAL, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, "uid:0\0", 6));
	EXPECT_EQ(-EFAULT, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, NULL, 3));
	EXPECT_EQ(-EFAULT, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0,
				   self->o.m.unmapped, 3));
	EXPECT_EQ(-EFAULT, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0, KADDR, 3));
	memcpy(self->o.m.guard - 4, "svc/", 4);
	EXPECT_EQ(-EFAULT, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0,
				   self->o.m.guard - 4, 9));
	EXPECT_EQ(0, new_ctx(c, KSSPI_CONTEXT_INITIATE, 0,
			     self->o.m.guard - 4, 4));
}

TEST_F(objs, new_context_descriptor)
{
	int fd = ksspi_new_context(self->o.bcred, KSSPI_CONTEXT_ACCEPT, NULL, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(anon_name(fd, "anon_inode:[ksspi-context]"));
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(fd));
	close(fd);
}

/* ---- STEP ---- */

TEST_F(objs, step_in_len)
{
	uint8_t *big = malloc(KSSPI_TOKEN_MAX + 1);
	struct ksspi_step st;
	int ctx = self->o.newa;

	ASSERT_NE(NULL, big);
	memset(big, 'A', KSSPI_TOKEN_MAX + 1);
	EXPECT_EQ(-EMSGSIZE, step(ctx, big, KSSPI_TOKEN_MAX + 1, self->o.out,
				  TOKBUF, &st));
	EXPECT_EQ(-EMSGSIZE, step(ctx, big, 0xffffffff, self->o.out, TOKBUF,
				  &st));
	/* Checked before the pointer is used. */
	EXPECT_EQ(-EMSGSIZE, step(ctx, NULL, KSSPI_TOKEN_MAX + 1, self->o.out,
				  TOKBUF, &st));
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(ctx));
	/* The largest input is taken, and judged as a token (bad magic). */
	ASSERT_EQ(0, step(ctx, big, KSSPI_TOKEN_MAX, self->o.out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st.status);
	EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
	free(big);
}

TEST_F(objs, step_reserved_and_pointers)
{
	struct ksspi_step st;
	int ctx = self->o.newa;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.reserved = 1;
	EXPECT_EQ(-EINVAL, kio(ctx, KSSPI_IOC_STEP, &st));
	st.reserved = 0x80000000;
	EXPECT_EQ(-EINVAL, kio(ctx, KSSPI_IOC_STEP, &st));
	/* Input that cannot be read: EFAULT, and no leg was run. */
	EXPECT_EQ(-EFAULT, step(ctx, NULL, LOCAL_HDR_LEN, self->o.out, TOKBUF,
				&st));
	EXPECT_EQ(-EFAULT, step(ctx, self->o.m.unmapped, LOCAL_HDR_LEN,
				self->o.out, TOKBUF, &st));
	EXPECT_EQ(-EFAULT, step(ctx, KADDR, LOCAL_HDR_LEN, self->o.out, TOKBUF,
				&st));
	EXPECT_EQ(-EFAULT, step(ctx, self->o.m.guard - 4, LOCAL_HDR_LEN,
				self->o.out, TOKBUF, &st));
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(ctx));
}

/*
 * An output buffer that cannot be written: EFAULT, and the leg is kept
 * for the retry (uapi: ksspi_step.out_token).  The token that then comes
 * out is genuine: the acceptor accepts it.
 */
TEST_F(objs, step_bad_out_token_keeps_leg)
{
	uint8_t *out = self->o.out, b[TOKBUF];
	struct ksspi_step st;
	size_t blen = sizeof(b);
	uint32_t flags, want_len;
	int ictx, actx = -1;

	want_len = LOCAL_HDR_LEN + LOCAL_ID_LEN + 2 + strlen(self->o.target);
	ictx = ksspi_new_context(self->o.icred, KSSPI_CONTEXT_INITIATE,
				 self->o.target, 0);
	ASSERT_LE(0, ictx);
	EXPECT_EQ(-EFAULT, step(ictx, NULL, 0, self->o.m.ro, TOKBUF, &st));
	EXPECT_EQ(-EFAULT, step(ictx, NULL, 0, self->o.m.unmapped, TOKBUF,
				&st));
	EXPECT_EQ(-EFAULT, step(ictx, NULL, 0, self->o.m.guard - 8, TOKBUF,
				&st));
	memset(out, 0, TOKBUF);
	ASSERT_EQ(0, step(ictx, NULL, 0, out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_OK, st.status);
	ASSERT_EQ(want_len, st.out_len);
	EXPECT_EQ(LOCAL_MAGIC, (uint32_t)out[0] << 24 | out[1] << 16 |
			       out[2] << 8 | out[3]);
	EXPECT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->o.acred, &actx, 0, out,
						st.out_len, b, &blen, &flags));
	/* The leg was delivered once: the initiator is done. */
	ASSERT_EQ(0, step(ictx, NULL, 0, out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_INVALID_HANDLE, st.status);
	close(ictx);
	if (actx >= 0)
		close(actx);
}

/*
 * The structure itself cannot be written back (its status and out_len are
 * the leg's output too): EFAULT, and like an unwritable output buffer the
 * leg must be kept for a retry, not lost.
 */
TEST_F(objs, step_unwritable_arg_keeps_leg)
{
	uint8_t *out = self->o.out, b[TOKBUF];
	struct ksspi_step st;
	size_t blen = sizeof(b);
	uint32_t flags;
	int ictx, actx = -1;

	ictx = ksspi_new_context(self->o.icred, KSSPI_CONTEXT_INITIATE,
				 self->o.target, 0);
	ASSERT_LE(0, ictx);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.out_token = (uintptr_t)out;
	st.out_size = TOKBUF;
	ASSERT_EQ(0, ro_put(&self->o.m, &st, sizeof(st)));
	EXPECT_EQ(-EFAULT, kio(ictx, KSSPI_IOC_STEP, self->o.m.ro));
	ASSERT_EQ(0, step(ictx, NULL, 0, out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_OK, st.status)
		TH_LOG("the leg whose result could not be reported was lost: %s",
		       ksspi_status_string(st.status));
	/*
	 * The token was copied out before the structure failed: accept it
	 * either way, so that no ticket is left waiting.
	 */
	EXPECT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->o.acred, &actx, 0, out,
						LOCAL_HDR_LEN + LOCAL_ID_LEN + 2 +
						strlen(self->o.target), b,
						&blen, &flags));
	close(ictx);
	if (actx >= 0)
		close(actx);
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static size_t hdr(uint8_t *p, uint32_t magic, uint8_t version, uint8_t type,
		  uint32_t body_len)
{
	be32(p, magic);
	p[4] = version;
	p[5] = type;
	p[6] = 0;
	p[7] = 0;
	be32(p + 8, body_len);
	return LOCAL_HDR_LEN;
}

/* An AP-REQ body naming a random ticket, for target @t (@tlen_field). */
static size_t apreq_body(uint8_t *p, const char *t, uint16_t tlen_field)
{
	size_t n = strlen(t);
	size_t i;

	for (i = 0; i < LOCAL_ID_LEN; i++)
		p[i] = 0x5a ^ (uint8_t)(i * 37);
	p[LOCAL_ID_LEN] = tlen_field >> 8;
	p[LOCAL_ID_LEN + 1] = tlen_field & 0xff;
	memcpy(p + LOCAL_ID_LEN + 2, t, n);
	return LOCAL_ID_LEN + 2 + n;
}

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(struct rng *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

/*
 * Garbage given to an acceptor.  Incomplete input leaves the context as it
 * was (a genuine token then succeeds on it); anything else fails it, after
 * which every leg is SEC_E_INVALID_HANDLE, and the genuine token shown to
 * the failed context is still unspent (a fresh acceptor takes it).
 */
TEST_F(objs, step_garbage_to_acceptor)
{
	const uint32_t max_body = max_token(self->o.dev) - LOCAL_HDR_LEN;
	const char *t = self->o.target;
	const size_t full = LOCAL_ID_LEN + 2 + strlen(t);
	struct {
		const char *what;
		uint8_t tok[128];
		uint32_t len;
		int32_t status;
		uint32_t missing;
	} cases[20];
	uint8_t genuine[TOKBUF];
	struct rng r = { 0x6b737370695f6162ULL };
	struct ksspi_step st;
	size_t glen, n = 0, i, k;
	int ctx;

	ASSERT_LT(LOCAL_HDR_LEN, max_token(self->o.dev));
	memset(cases, 0, sizeof(cases));

	cases[n].what = "random bytes";
	for (k = 0; k < 64; k++)
		cases[n].tok[k] = rnd(&r);
	cases[n].tok[0] = 0;	/* never "K" of the magic */
	cases[n].len = 64;
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "wrong magic";
	k = hdr(cases[n].tok, 0x4b534c44, 1, 1, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "version 2";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 2, 1, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "version 0";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 0, 1, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "AP-REP given to an acceptor";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 2, 2 * LOCAL_ID_LEN);
	cases[n].len = k + 2 * LOCAL_ID_LEN;
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "type 0";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 0, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "no input";
	cases[n].len = 0;
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = LOCAL_HDR_LEN;

	cases[n].what = "1 byte of header";
	hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	cases[n].len = 1;
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = LOCAL_HDR_LEN - 1;

	cases[n].what = "5 bytes of header";
	hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	cases[n].len = 5;
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = LOCAL_HDR_LEN - 5;

	cases[n].what = "11 bytes of header";
	hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	cases[n].len = 11;
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = 1;

	cases[n].what = "header and 10 bytes of body";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n].len = k + 10;
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = full - 10;

	/* The largest body a token of max_token bytes can have. */
	cases[n].what = "header announcing the largest body";
	cases[n].len = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, max_body);
	cases[n].status = SEC_E_INCOMPLETE_MESSAGE;
	cases[n++].missing = max_body;

	cases[n].what = "body longer than max_token allows";
	cases[n].len = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, max_body + 1);
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "body_len 0xffffffff";
	cases[n].len = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, 0xffffffff);
	cases[n++].status = SEC_E_INVALID_TOKEN;

	/* 12 + 0xfffffff4 wraps to 0 in 32 bits. */
	cases[n].what = "body_len that wraps the total";
	cases[n].len = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, 0xfffffff4);
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "body too short for an AP-REQ";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, 4);
	cases[n].len = k + 4;
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "empty body";
	cases[n].len = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, 0);
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "target length field one too long";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t) + 1);
	cases[n++].status = SEC_E_INVALID_TOKEN;

	cases[n].what = "well-formed AP-REQ naming no ticket";
	k = hdr(cases[n].tok, LOCAL_MAGIC, 1, 1, full);
	cases[n].len = k + apreq_body(cases[n].tok + k, t, strlen(t));
	cases[n++].status = SEC_E_INVALID_TOKEN;
	ASSERT_GE(ARRAY_SIZE(cases), n);

	for (i = 0; i < n; i++) {
		int fresh = -1;

		ctx = ksspi_new_context(self->o.acred, KSSPI_CONTEXT_ACCEPT,
					NULL, 0);
		ASSERT_LE(0, ctx)
			TH_LOG("case: %s", cases[i].what);
		ASSERT_EQ(0, step(ctx, cases[i].len ? cases[i].tok : NULL,
				  cases[i].len, self->o.out, TOKBUF, &st))
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(cases[i].status, st.status)
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(cases[i].missing, st.missing)
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(0, st.out_len)
			TH_LOG("case: %s", cases[i].what);
		ASSERT_EQ(SEC_E_OK, fresh_apreq(&self->o, genuine, &glen))
			TH_LOG("case: %s", cases[i].what);
		if (cases[i].status == SEC_E_INCOMPLETE_MESSAGE) {
			EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(ctx))
				TH_LOG("case: %s", cases[i].what);
			ASSERT_EQ(0, step(ctx, genuine, glen, self->o.out,
					  TOKBUF, &st))
				TH_LOG("case: %s", cases[i].what);
			EXPECT_EQ(SEC_E_OK, st.status)
				TH_LOG("case: %s", cases[i].what);
			close(ctx);
			continue;
		}
		EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx))
			TH_LOG("case: %s", cases[i].what);
		ASSERT_EQ(0, step(ctx, cases[i].len ? cases[i].tok : NULL,
				  cases[i].len, self->o.out, TOKBUF, &st))
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(SEC_E_INVALID_HANDLE, st.status)
			TH_LOG("case: %s", cases[i].what);
		ASSERT_EQ(0, step(ctx, genuine, glen, self->o.out, TOKBUF,
				  &st))
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(SEC_E_INVALID_HANDLE, st.status)
			TH_LOG("case: %s", cases[i].what);
		close(ctx);
		fresh = ksspi_new_context(self->o.acred, KSSPI_CONTEXT_ACCEPT,
					  NULL, 0);
		ASSERT_LE(0, fresh)
			TH_LOG("case: %s", cases[i].what);
		ASSERT_EQ(0, step(fresh, genuine, glen, self->o.out, TOKBUF,
				  &st))
			TH_LOG("case: %s", cases[i].what);
		EXPECT_EQ(SEC_E_OK, st.status)
			TH_LOG("case: %s", cases[i].what);
		close(fresh);
	}
}

/* An initiator's first leg takes no input and needs a target. */
TEST_F(objs, step_initiator_misuse)
{
	struct ksspi_step st;
	int ctx;

	ctx = ksspi_new_context(self->o.icred, KSSPI_CONTEXT_INITIATE,
				self->o.target, 0);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, "x", 1, self->o.out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st.status);
	ASSERT_EQ(0, step(ctx, NULL, 0, self->o.out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_INVALID_HANDLE, st.status);
	close(ctx);

	ctx = ksspi_new_context(self->o.icred, KSSPI_CONTEXT_INITIATE, NULL, 0);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, 0, self->o.out, TOKBUF, &st));
	EXPECT_EQ(SEC_E_TARGET_UNKNOWN, st.status);
	EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
	close(ctx);
}

/* ---- ENUM_PACKAGES and QUERY_PACKAGE ---- */

static long enum_pk(int dev, uint32_t *count, uint32_t entry_size, void *pk)
{
	struct ksspi_enum_packages ep = {
		.size = sizeof(ep),
		.count = *count,
		.entry_size = entry_size,
		.packages = (uintptr_t)pk,
	};
	long ret = kio(dev, KSSPI_IOC_ENUM_PACKAGES, &ep);

	*count = ep.count;
	return ret;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

/* Too small an array: ERANGE with the number of packages. */
TEST_F(objs, enum_count)
{
	const size_t esz = sizeof(struct ksspi_package_info);
	uint8_t *buf = self->o.m.data;
	uint32_t count = 0, n, i;
	bool local = false;

	memset(buf, 0xaa, PAGE);
	EXPECT_EQ(-ERANGE, enum_pk(self->o.dev, &count, esz, buf));
	n = count;
	ASSERT_LE(1, n);
	ASSERT_GE(PAGE / esz, n);
	EXPECT_TRUE(all_bytes(buf, PAGE, 0xaa));
	/* The array is not needed to learn the count. */
	count = 0;
	EXPECT_EQ(-ERANGE, enum_pk(self->o.dev, &count, esz, NULL));
	EXPECT_EQ(n, count);

	/* One entry short: all that fit are written, nothing more. */
	count = n - 1;
	EXPECT_EQ(-ERANGE, enum_pk(self->o.dev, &count, esz, buf));
	EXPECT_EQ(n, count);
	EXPECT_TRUE(all_bytes(buf + (n - 1) * esz, PAGE - (n - 1) * esz,
			      0xaa));

	/* Room for exactly all of them, then for more. */
	count = n;
	memset(buf, 0xaa, PAGE);
	ASSERT_EQ(0, enum_pk(self->o.dev, &count, esz, buf));
	EXPECT_EQ(n, count);
	EXPECT_TRUE(all_bytes(buf + n * esz, PAGE - n * esz, 0xaa));
	count = 1000;
	ASSERT_EQ(0, enum_pk(self->o.dev, &count, esz, buf));
	EXPECT_EQ(n, count);
	for (i = 0; i < n; i++) {
		struct ksspi_package_info *pi =
			(struct ksspi_package_info *)(buf + i * esz);
		struct ksspi_package_info q;

		EXPECT_EQ(esz, pi->size);
		EXPECT_EQ(0, pi->flags);
		ASSERT_NE(NULL, memchr(pi->name, 0, sizeof(pi->name)));
		ASSERT_NE(NULL, memchr(pi->comment, 0, sizeof(pi->comment)));
		/* QUERY_PACKAGE tells the same. */
		ASSERT_EQ(0, ksspi_query_package(self->o.dev, pi->name, &q));
		EXPECT_EQ(0, memcmp(pi, &q, esz)) TH_LOG("package %s", pi->name);
		if (!strcmp(pi->name, "local")) {
			local = true;
			EXPECT_EQ(KSSPI_PACKAGE_LOCAL, pi->id);
		}
	}
	EXPECT_TRUE(local);
}

/* entry_size: at least ABI v1's element; larger elements are zero-padded. */
TEST_F(objs, enum_entry_size)
{
	const uint32_t esz = sizeof(struct ksspi_package_info);
	const uint32_t bad[] = { 0, 4, esz - 1, PAGE + 1, 0xffffffff };
	const uint32_t good[] = { esz + 1, esz + 8, 200, PAGE };
	uint8_t *buf = self->o.m.data, ref[sizeof(struct ksspi_package_info)];
	uint32_t count, n = 0;
	size_t i, k;

	EXPECT_EQ(-ERANGE, enum_pk(self->o.dev, &n, esz, NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		count = 1;
		EXPECT_EQ(-EINVAL, enum_pk(self->o.dev, &count, bad[i], buf))
			TH_LOG("entry_size %u", bad[i]);
	}
	count = 1;
	ASSERT_EQ(n > 1 ? -ERANGE : 0, enum_pk(self->o.dev, &count, esz, ref));
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		/* As many entries as fit in the data page. */
		uint32_t room = PAGE / good[i];

		if (room > n)
			room = n;
		memset(buf, 0xaa, PAGE);
		count = room;
		ASSERT_EQ(0 - (room < n ? ERANGE : 0),
			  enum_pk(self->o.dev, &count, good[i], buf));
		EXPECT_EQ(n, count);
		EXPECT_EQ(0, memcmp(buf, ref, esz));
		for (k = 0; k < room; k++) {
			EXPECT_TRUE(all_bytes(buf + k * good[i] + esz,
					      good[i] - esz, 0))
				TH_LOG("padding of entry %zu, entry_size %u",
				       k, good[i]);
		}
		EXPECT_TRUE(all_bytes(buf + room * good[i],
				      PAGE - room * good[i], 0xaa));
	}
}

TEST_F(objs, enum_bad_array)
{
	const uint32_t esz = sizeof(struct ksspi_package_info);
	uint32_t count;

	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz, NULL));
	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz,
				   self->o.m.unmapped));
	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz, KADDR));
	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz, self->o.m.ro));
	/* The first element runs into the guard page. */
	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz,
				   self->o.m.guard - esz / 2));
	/* The element fits, its zero padding does not. */
	count = 8;
	EXPECT_EQ(-EFAULT, enum_pk(self->o.dev, &count, esz + 64,
				   self->o.m.guard - esz - 32));
}

TEST_F(objs, query_package)
{
	struct ksspi_package_info pi;

	memset(&pi, 0xaa, sizeof(pi));
	pi.size = sizeof(pi);
	pi.flags = 0;
	strcpy(pi.name, "local");
	ASSERT_EQ(0, kio(self->o.dev, KSSPI_IOC_QUERY_PACKAGE, &pi));
	EXPECT_EQ(sizeof(pi), pi.size);
	EXPECT_STREQ("local", pi.name);
	EXPECT_TRUE(all_bytes((uint8_t *)pi.name + 6, sizeof(pi.name) - 6, 0));
	EXPECT_NE(NULL, memchr(pi.comment, 0, sizeof(pi.comment)));
	EXPECT_LT(0, strlen(pi.comment));
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, pi.id);
	EXPECT_EQ(SECPKG_FLAG_MUTUAL_AUTH | SECPKG_FLAG_IMPERSONATION,
		  pi.capabilities &
		  (SECPKG_FLAG_MUTUAL_AUTH | SECPKG_FLAG_IMPERSONATION));
	EXPECT_LE(1, pi.version);
	EXPECT_LT(0, pi.max_token);
	EXPECT_GE(KSSPI_TOKEN_MAX, pi.max_token);

	memset(&pi, 0, sizeof(pi));
	pi.size = sizeof(pi);
	strcpy(pi.name, "nosuch");
	EXPECT_EQ(-ENOPKG, kio(self->o.dev, KSSPI_IOC_QUERY_PACKAGE, &pi));
	pi.name[0] = 0;
	EXPECT_EQ(-ENOPKG, kio(self->o.dev, KSSPI_IOC_QUERY_PACKAGE, &pi));
	memset(pi.name, 'l', sizeof(pi.name));
	EXPECT_EQ(-EINVAL, kio(self->o.dev, KSSPI_IOC_QUERY_PACKAGE, &pi));
	memset(pi.name, 'x', sizeof(pi.name));
	strcpy(pi.name, "local");
	pi.name[6] = 'x';
	EXPECT_EQ(0, kio(self->o.dev, KSSPI_IOC_QUERY_PACKAGE, &pi));
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, pi.id);
}

/* ---- QUERY_CONTEXT ---- */

static long query(int ctx, struct ksspi_context_info *ci, uint64_t mask)
{
	ci->size = sizeof(*ci);
	ci->mask = mask;
	return kio(ctx, KSSPI_IOC_QUERY_CONTEXT, ci);
}

/* A name buffer too small: ERANGE with the size needed, which then works. */
TEST_F(objs, query_name_size)
{
	const uint64_t names = KSSPI_ATTR(SECPKG_ATTR_NAMES);
	const uint32_t need = strlen("uid:2001") + 1;
	struct ksspi_context_info ci;
	char name[64], c[64], s[64];

	memset(name, 'q', sizeof(name));
	memset(&ci, 0, sizeof(ci));
	ci.name = (uintptr_t)name;
	ci.name_size = 1;
	EXPECT_EQ(-ERANGE, query(self->o.actx, &ci, names));
	EXPECT_EQ(need, ci.name_size);
	EXPECT_EQ('q', name[0]);
	ci.name_size = need - 1;
	EXPECT_EQ(-ERANGE, query(self->o.actx, &ci, names));
	EXPECT_EQ(need, ci.name_size);
	ci.name_size = 0;
	EXPECT_EQ(-ERANGE, query(self->o.actx, &ci, names));
	EXPECT_EQ(need, ci.name_size);
	ci.name_size = need;
	ASSERT_EQ(0, query(self->o.actx, &ci, names));
	EXPECT_EQ(names, ci.mask);
	EXPECT_EQ(need, ci.name_size);
	EXPECT_STREQ("uid:2001", name);
	EXPECT_EQ('q', name[need]);

	/* Without a buffer only the size is reported. */
	memset(&ci, 0, sizeof(ci));
	ci.name_size = 0;
	ASSERT_EQ(0, query(self->o.actx, &ci, names));
	EXPECT_EQ(names, ci.mask);
	EXPECT_EQ(need, ci.name_size);

	/* A buffer that cannot be written. */
	memset(&ci, 0, sizeof(ci));
	ci.name = (uintptr_t)self->o.m.unmapped;
	ci.name_size = need;
	EXPECT_EQ(-EFAULT, query(self->o.actx, &ci, names));
	ci.name = (uintptr_t)(self->o.m.guard - need + 1);
	EXPECT_EQ(-EFAULT, query(self->o.actx, &ci, names));

	/* Native names: each buffer on its own. */
	memset(&ci, 0, sizeof(ci));
	ci.client_name = (uintptr_t)c;
	ci.client_name_size = sizeof(c);
	ci.server_name = (uintptr_t)s;
	ci.server_name_size = 4;
	EXPECT_EQ(-ERANGE, query(self->o.actx, &ci,
				 KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES)));
	EXPECT_EQ(strlen(self->o.target) + 1, ci.server_name_size);
	EXPECT_EQ(need, ci.client_name_size);
	ASSERT_EQ(0, query(self->o.actx, &ci,
			   KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES)));
	EXPECT_STREQ("uid:2001", c);
	EXPECT_STREQ(self->o.target, s);
}

static int alice_asks_session_key(long *res, void *arg)
{
	struct ksspi_context_info ci;
	int ctx = *(int *)arg;

	if (become_alice())
		return 1;
	memset(&ci, 0, sizeof(ci));
	res[0] = query(ctx, &ci, KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY));
	res[1] = query(ctx, &ci, KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY) |
			     KSSPI_ATTR(SECPKG_ATTR_NAMES));
	memset(&ci, 0, sizeof(ci));
	res[2] = query(ctx, &ci, KSSPI_ATTR(SECPKG_ATTR_NAMES));
	res[3] = ci.mask;
	return 0;
}

/* SESSION_KEY needs CAP_SYS_ADMIN; without it the whole call is EPERM. */
TEST_F(objs, query_session_key)
{
	struct ksspi_context_info ci;
	uint8_t key[64];
	long res[4];

	ASSERT_EQ(0, in_child_results(alice_asks_session_key, &self->o.actx,
				      res, ARRAY_SIZE(res)));
	EXPECT_EQ(-EPERM, res[0]);
	EXPECT_EQ(-EPERM, res[1]);
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_NAMES), res[3]);

	/* Root may ask; the local package has no session key to answer. */
	memset(&ci, 0, sizeof(ci));
	ci.session_key = (uintptr_t)key;
	ci.session_key_size = sizeof(key);
	ASSERT_EQ(0, query(self->o.actx, &ci,
			   KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY)));
	EXPECT_EQ(0, ci.mask);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci.state);
}

/*
 * Before establishment only what does not need it is answered: the
 * package, sizes and flags; never names, lifespan or the token's level.
 */
TEST_F(objs, query_not_established)
{
	const uint64_t all = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
			     KSSPI_ATTR(SECPKG_ATTR_NAMES) |
			     KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
			     KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
			     KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES) |
			     KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
			     KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
	const uint64_t pre = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
			     KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
			     KSSPI_ATTR(SECPKG_ATTR_FLAGS);
	uint8_t a[TOKBUF], garbage[LOCAL_HDR_LEN] = { 0 };
	struct ksspi_context_info ci;
	size_t alen = sizeof(a);
	char name[64];
	uint32_t flags;
	int mut = -1, failed, i;
	struct {
		int ctx;
		uint32_t state;
	} c[4];

	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  ksspi_initialize_security_context(self->o.icred, &mut,
						    self->o.target,
						    ISC_REQ_MUTUAL_AUTH, NULL,
						    0, a, &alen, &flags));
	failed = ksspi_new_context(self->o.acred, KSSPI_CONTEXT_ACCEPT, NULL,
				   0);
	ASSERT_LE(0, failed);
	ASSERT_EQ(0, step(failed, garbage, sizeof(garbage), self->o.out,
			  TOKBUF, (struct ksspi_step *)self->o.m.arg));
	c[0].ctx = self->o.newi;
	c[0].state = KSSPI_STATE_NEW;
	c[1].ctx = self->o.newa;
	c[1].state = KSSPI_STATE_NEW;
	c[2].ctx = mut;
	c[2].state = KSSPI_STATE_IN_PROGRESS;
	c[3].ctx = failed;
	c[3].state = KSSPI_STATE_FAILED;
	for (i = 0; i < 4; i++) {
		memset(&ci, 0, sizeof(ci));
		memset(name, 'q', sizeof(name));
		ci.name = (uintptr_t)name;
		ci.name_size = sizeof(name);
		ci.start = 77;
		ci.level = 77;
		ASSERT_EQ(0, query(c[i].ctx, &ci, all)) TH_LOG("context %d", i);
		EXPECT_EQ(c[i].state, ci.state) TH_LOG("context %d", i);
		EXPECT_EQ(pre, ci.mask) TH_LOG("context %d", i);
		EXPECT_EQ(KSSPI_PACKAGE_LOCAL, ci.package_id);
		/* Members of what was not answered are left alone. */
		EXPECT_EQ(sizeof(name), ci.name_size);
		EXPECT_EQ('q', name[0]);
		EXPECT_EQ(77, ci.start);
		EXPECT_EQ(77, ci.level);
	}
	/* Consume the ticket: none is left waiting after the test. */
	close(failed);
	failed = -1;
	{
		uint8_t b[TOKBUF];
		size_t blen = sizeof(b);

		EXPECT_EQ(SEC_E_OK,
			  ksspi_accept_security_context(self->o.acred, &failed,
							0, a, alen, b, &blen,
							&flags));
	}
	close(mut);
	if (failed >= 0)
		close(failed);
}

/* Unknown attributes are not answered; an initiator has no client token. */
TEST_F(objs, query_unanswered)
{
	struct ksspi_context_info ci;

	memset(&ci, 0, sizeof(ci));
	ASSERT_EQ(0, query(self->o.actx, &ci,
			   KSSPI_ATTR(SECPKG_ATTR_DCE_INFO) |
			   KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES) |
			   KSSPI_ATTR(SECPKG_ATTR_IS_LOOPBACK) | (1ULL << 63)));
	EXPECT_EQ(0, ci.mask);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci.state);

	memset(&ci, 0, sizeof(ci));
	ASSERT_EQ(0, query(self->o.ictx, &ci,
			   KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) |
			   KSSPI_ATTR(SECPKG_ATTR_LIFESPAN)));
	EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_LIFESPAN), ci.mask);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci.state);
	EXPECT_LT(0, ci.expiry);
}

/* ---- GET_TOKEN ---- */

TEST_F(objs, get_token)
{
	int failed, fd;

	EXPECT_EQ(-EINVAL, kion(self->o.actx, KSSPI_IOC_GET_TOKEN, 1));
	EXPECT_EQ(-EINVAL, kion(self->o.actx, KSSPI_IOC_GET_TOKEN,
				(uintptr_t)self->o.m.arg));
	EXPECT_EQ(-EINVAL, kion(self->o.actx, KSSPI_IOC_GET_TOKEN, ~0UL));
	/* Only an established acceptor has a client token. */
	EXPECT_EQ(-ENOENT, kion(self->o.ictx, KSSPI_IOC_GET_TOKEN, 0));
	EXPECT_EQ(-ENOENT, kion(self->o.newa, KSSPI_IOC_GET_TOKEN, 0));
	EXPECT_EQ(-ENOENT, kion(self->o.newi, KSSPI_IOC_GET_TOKEN, 0));
	failed = ksspi_new_context(self->o.acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, failed);
	ASSERT_EQ(0, step(failed, "garbage!garbage!", 16, self->o.out, TOKBUF,
			  (struct ksspi_step *)self->o.m.arg));
	EXPECT_EQ(-ENOENT, kion(failed, KSSPI_IOC_GET_TOKEN, 0));
	close(failed);

	fd = kion(self->o.actx, KSSPI_IOC_GET_TOKEN, 0);
	ASSERT_LE(0, fd);
	EXPECT_NE(self->o.tok, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_TRUE(anon_name(fd, "anon_inode:[ksspi-token]"));
	close(fd);
}

/* ---- QUERY_TOKEN ---- */

/* Groups and name: too little room is ERANGE with what is needed. */
TEST_F(objs, query_token_sizes)
{
	struct ksspi_token_info ti;
	uint32_t groups[4] = { 7, 7, 7, 7 };
	char name[64];

	memset(&ti, 0, sizeof(ti));
	memset(name, 'q', sizeof(name));
	ti.size = sizeof(ti);
	ti.groups = (uintptr_t)groups;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	/* alice has one supplementary group; room for none. */
	EXPECT_EQ(-ERANGE, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	EXPECT_EQ(1, ti.ngroups);
	EXPECT_EQ(7, groups[0]);
	/* The rest is answered all the same. */
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_STREQ("uid:2001", name);
	ASSERT_EQ(0, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	EXPECT_EQ(1, ti.ngroups);
	EXPECT_EQ(STAFF_GID, groups[0]);
	EXPECT_EQ(7, groups[1]);

	ti.name_size = 3;
	EXPECT_EQ(-ERANGE, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	EXPECT_EQ(strlen("uid:2001") + 1, ti.name_size);
	ti.name = 0;
	ti.name_size = 0;
	ASSERT_EQ(0, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	EXPECT_EQ(strlen("uid:2001") + 1, ti.name_size);

	ti.ngroups = 4;
	ti.groups = (uintptr_t)self->o.m.unmapped;
	EXPECT_EQ(-EFAULT, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	ti.groups = (uintptr_t)self->o.m.ro;
	EXPECT_EQ(-EFAULT, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
	ti.groups = (uintptr_t)groups;
	ti.name = (uintptr_t)KADDR;
	ti.name_size = 64;
	EXPECT_EQ(-EFAULT, kio(self->o.tok, KSSPI_IOC_QUERY_TOKEN, &ti));
}

/* ---- WHOAMI ---- */

TEST_F(objs, whoami)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };
	struct ksspi_token_info ti;
	char name[64];

	memset(&ti, 0, sizeof(ti));
	ti.size = sizeof(ti);
	EXPECT_EQ(-ENOENT, kio(self->o.dev, KSSPI_IOC_WHOAMI, &ti));
	ASSERT_EQ(0, kio(self->o.actx, KSSPI_IOC_IMPERSONATE, &im));
	ASSERT_EQ(SEC_E_OK, im.status);
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ti.ngroups = 0;
	/* alice has one supplementary group: no room is ERANGE, counted. */
	EXPECT_EQ(-ERANGE, kio(self->o.dev, KSSPI_IOC_WHOAMI, &ti));
	EXPECT_EQ(1, ti.ngroups);
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_STREQ("uid:2001", name);
	EXPECT_EQ(SECURITY_IMPERSONATION, ti.level);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, ti.package_id);
	ASSERT_EQ(0, kio(self->o.dev, KSSPI_IOC_REVERT, &im));
	EXPECT_EQ(SEC_E_OK, im.status);
	EXPECT_EQ(-ENOENT, kio(self->o.dev, KSSPI_IOC_WHOAMI, &ti));
	/* Reverting again: nothing to revert. */
	ASSERT_EQ(0, kio(self->o.dev, KSSPI_IOC_REVERT, &im));
	EXPECT_EQ(SEC_E_NO_IMPERSONATION, im.status);
}

/*
 * REVERT whose argument cannot be written back: EFAULT, and like a failed
 * IMPERSONATE it must not have changed the thread (it still impersonates
 * and one more revert, with a good argument, brings it back).
 */
TEST_F(objs, revert_read_only_arg)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };

	ASSERT_EQ(0, kio(self->o.tok, KSSPI_IOC_IMPERSONATE, &im));
	ASSERT_EQ(SEC_E_OK, im.status);
	self->o.impersonating = true;
	ASSERT_EQ(ALICE_UID, geteuid());
	ASSERT_EQ(0, ro_put(&self->o.m, &im, sizeof(im)));
	EXPECT_EQ(-EFAULT, kio(self->o.dev, KSSPI_IOC_REVERT, self->o.m.ro));
	EXPECT_EQ(ALICE_UID, geteuid())
		TH_LOG("REVERT failed with EFAULT but the thread reverted to uid %u",
		       geteuid());
	if (geteuid() == ALICE_UID) {
		memset(&im, 0, sizeof(im));
		im.size = sizeof(im);
		ASSERT_EQ(0, kio(self->o.dev, KSSPI_IOC_REVERT, &im));
		EXPECT_EQ(SEC_E_OK, im.status);
	}
	EXPECT_EQ(0, geteuid());
	self->o.impersonating = false;
}

/* ---- garbage fuzz ---- */

#define FUZZ_ITERATIONS	2000

struct fuzz;
typedef int (*fuzz_fd_fn)(struct objs *o, struct rng *r);
typedef void (*fuzz_shape_fn)(struct objs *o, struct rng *r, uint8_t *arg);

struct fuzz {
	const char *name;
	unsigned long cmd;
	size_t size;
	fuzz_fd_fn fd;		/* the descriptor to use */
	bool fresh_fd;		/* fd() made a new descriptor: close it */
	fuzz_shape_fn shape;	/* makes random members plausible */
	const int *errnos;	/* allowed, 0-terminated */
	uint8_t ptrs[4];	/* offsets of __u64 pointer members (0: none) */
	uint8_t lens[4];	/* offsets of __u32 length/count members */
};

static int fd_dev(struct objs *o, struct rng *r)
{
	return o->dev;
}

static int fd_bcred(struct objs *o, struct rng *r)
{
	return o->bcred;
}

static int fd_tok(struct objs *o, struct rng *r)
{
	return o->tok;
}

static int fd_any_ctx(struct objs *o, struct rng *r)
{
	const int c[] = { o->actx, o->ictx, o->newa, o->newi };

	return c[rnd_below(r, ARRAY_SIZE(c))];
}

static int fd_est_acceptor(struct objs *o, struct rng *r)
{
	return rnd_below(r, 2) ? o->actx : o->tok;
}

/*
 * A fresh acceptor, or an initiator without a target (its first leg fails
 * before a ticket is made: the fuzzer must not eat into ticket quotas).
 */
static int fd_fresh_ctx(struct objs *o, struct rng *r)
{
	if (rnd_below(r, 4))
		return ksspi_new_context(o->acred, KSSPI_CONTEXT_ACCEPT, NULL,
					 0);
	return ksspi_new_context(o->bcred, KSSPI_CONTEXT_INITIATE, NULL, 0);
}

static int fd_any(struct objs *o, struct rng *r)
{
	const int c[] = { o->dev, o->icred, o->acred, o->bcred, o->actx,
			  o->ictx, o->newa, o->newi, o->tok };

	return c[rnd_below(r, ARRAY_SIZE(c))];
}

/* A pointer for a member: mostly into the data page, or somewhere bad. */
static uint64_t fuzz_ptr(struct objs *o, struct rng *r)
{
	switch (rnd_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)o->m.unmapped;
	case 2:
		return (uintptr_t)KADDR;
	case 3:
		return (uintptr_t)(o->m.guard - rnd_below(r, 64));
	case 4:
		return (uintptr_t)o->m.ro + rnd_below(r, 64);
	case 5:
		/* Non-canonical or kernel: never user memory. */
		return rnd(r) | (1ULL << 63);
	default:
		return (uintptr_t)o->m.data + rnd_below(r, PAGE);
	}
}

static uint32_t fuzz_len(struct rng *r)
{
	switch (rnd_below(r, 6)) {
	case 0:
		return 0;
	case 1:
		return rnd(r);
	case 2:
		return rnd_below(r, 2 * KSSPI_NAME_MAX);
	case 3:
		return KSSPI_TOKEN_MAX + rnd_below(r, 3) - 1;
	default:
		return rnd_below(r, 64);
	}
}

static void shape_acquire(struct objs *o, struct rng *r, uint8_t *arg)
{
	static const char *const pr[] = { "uid:0", "svc/uid:0", "uid:2001",
					  "uid:", "bob", "x/uid:0" };
	struct ksspi_acquire_cred *ac = (void *)arg;
	char *d = (char *)o->m.data;

	if (rnd_below(r, 3))
		memcpy(ac->package, "local", 6);
	if (rnd_below(r, 2))
		ac->use = 1 + rnd_below(r, 3);
	if (rnd_below(r, 3) == 0) {
		const char *p = pr[rnd_below(r, ARRAY_SIZE(pr))];

		strcpy(d + 2048, p);
		ac->principal = (uintptr_t)(d + 2048);
		ac->principal_len = strlen(p) + rnd_below(r, 3) - 1;
	} else if (rnd_below(r, 2)) {
		ac->principal = 0;
		ac->principal_len = 0;
	}
}

static void shape_query_package(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_package_info *pi = (void *)arg;

	if (rnd_below(r, 2))
		memcpy(pi->name, "local", 6);
}

static void shape_new_context(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_context_new *cn = (void *)arg;

	if (rnd_below(r, 2))
		cn->flags = 1 + rnd_below(r, 2);
	if (rnd_below(r, 2))
		cn->req_flags &= rnd_below(r, 2) ? ISC_DEFINED : ASC_DEFINED;
	if (rnd_below(r, 2)) {
		cn->target = 0;
		cn->target_len = 0;
	}
}

static void shape_step(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_step *st = (void *)arg;
	uint8_t *in = o->m.data;

	if (rnd_below(r, 2))
		st->reserved = 0;
	if (rnd_below(r, 2)) {
		/* A local header with a random body length and type. */
		hdr(in, LOCAL_MAGIC, 1, rnd_below(r, 3),
		    rnd_below(r, 4) ? rnd_below(r, 1100) : (uint32_t)rnd(r));
		st->in_token = (uintptr_t)in;
		st->in_len = rnd_below(r, 1200);
	}
}

static void shape_query_context(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_context_info *ci = (void *)arg;

	if (rnd_below(r, 2))
		ci->mask &= 0x7fff;
}

static void shape_token_info(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_token_info *ti = (void *)arg;

	if (rnd_below(r, 2))
		ti->ngroups = rnd_below(r, 4);
	if (rnd_below(r, 2))
		ti->name_size = rnd_below(r, 16);
}

static void shape_enum(struct objs *o, struct rng *r, uint8_t *arg)
{
	struct ksspi_enum_packages *ep = (void *)arg;

	if (rnd_below(r, 2))
		ep->count = rnd_below(r, 40);
	if (rnd_below(r, 2))
		ep->entry_size = sizeof(struct ksspi_package_info) +
				 rnd_below(r, 300) - 2;
}

static const int e_common[] = { EINVAL, E2BIG, EFAULT, 0 };
static const int e_range[] = { EINVAL, E2BIG, EFAULT, ERANGE, 0 };
static const int e_pkg[] = { EINVAL, E2BIG, EFAULT, ENOPKG, 0 };
static const int e_acquire[] = { EINVAL, E2BIG, EFAULT, ENOPKG, EPERM, 0 };
static const int e_step[] = { EINVAL, E2BIG, EFAULT, EMSGSIZE, 0 };

#define OFF(type, member) offsetof(struct type, member)

static const struct fuzz fuzzers[] = {
	{ "ENUM_PACKAGES", KSSPI_IOC_ENUM_PACKAGES,
	  sizeof(struct ksspi_enum_packages), fd_dev, false, shape_enum,
	  e_range, { OFF(ksspi_enum_packages, packages) },
	  { OFF(ksspi_enum_packages, count),
	    OFF(ksspi_enum_packages, entry_size) } },
	{ "QUERY_PACKAGE", KSSPI_IOC_QUERY_PACKAGE,
	  sizeof(struct ksspi_package_info), fd_dev, false,
	  shape_query_package, e_pkg, {}, {} },
	{ "ACQUIRE_CRED", KSSPI_IOC_ACQUIRE_CRED,
	  sizeof(struct ksspi_acquire_cred), fd_dev, false, shape_acquire,
	  e_acquire, { OFF(ksspi_acquire_cred, principal) },
	  { OFF(ksspi_acquire_cred, principal_len) } },
	{ "NEW_CONTEXT", KSSPI_IOC_NEW_CONTEXT,
	  sizeof(struct ksspi_context_new), fd_bcred, false,
	  shape_new_context, e_common, { OFF(ksspi_context_new, target) },
	  { OFF(ksspi_context_new, target_len) } },
	{ "STEP", KSSPI_IOC_STEP, sizeof(struct ksspi_step), fd_fresh_ctx,
	  true, shape_step, e_step,
	  { OFF(ksspi_step, in_token), OFF(ksspi_step, out_token) },
	  { OFF(ksspi_step, in_len), OFF(ksspi_step, out_size) } },
	{ "QUERY_CONTEXT", KSSPI_IOC_QUERY_CONTEXT,
	  sizeof(struct ksspi_context_info), fd_any_ctx, false,
	  shape_query_context, e_range,
	  { OFF(ksspi_context_info, name), OFF(ksspi_context_info, client_name),
	    OFF(ksspi_context_info, server_name),
	    OFF(ksspi_context_info, session_key) },
	  { OFF(ksspi_context_info, name_size),
	    OFF(ksspi_context_info, client_name_size),
	    OFF(ksspi_context_info, server_name_size),
	    OFF(ksspi_context_info, session_key_size) } },
	{ "QUERY_TOKEN", KSSPI_IOC_QUERY_TOKEN,
	  sizeof(struct ksspi_token_info), fd_tok, false, shape_token_info,
	  e_range, { OFF(ksspi_token_info, groups), OFF(ksspi_token_info, name) },
	  { OFF(ksspi_token_info, ngroups), OFF(ksspi_token_info, name_size) } },
	{ "IMPERSONATE", KSSPI_IOC_IMPERSONATE,
	  sizeof(struct ksspi_impersonate), fd_est_acceptor, false, NULL,
	  e_common, {}, {} },
	{ "REVERT", KSSPI_IOC_REVERT, sizeof(struct ksspi_impersonate), fd_any,
	  false, NULL, e_common, {}, {} },
	/* Last: run while impersonating (else always ENOENT). */
	{ "WHOAMI", KSSPI_IOC_WHOAMI, sizeof(struct ksspi_token_info), fd_dev,
	  false, shape_token_info, e_range,
	  { OFF(ksspi_token_info, groups), OFF(ksspi_token_info, name) },
	  { OFF(ksspi_token_info, ngroups), OFF(ksspi_token_info, name_size) } },
};

static bool allowed(const int *errnos, int err)
{
	for (; *errnos; errnos++)
		if (*errnos == err)
			return true;
	return false;
}

/* A random size: mostly the structure's, sometimes anything. */
static uint32_t fuzz_size(struct rng *r, size_t size)
{
	switch (rnd_below(r, 8)) {
	case 0:
		return rnd_below(r, size);
	case 1:
		return size + rnd_below(r, 64);
	case 2:
		return rnd_below(r, 2 * PAGE);
	case 3:
		return rnd(r);
	case 4:
		return PAGE;
	default:
		return size;
	}
}

/*
 * Lays one random argument out; returns where it is (maybe a bad address).
 * Bytes beyond the structure are zero except now and then.
 */
static void *fuzz_arg(struct objs *o, struct rng *r, const struct fuzz *f)
{
	uint8_t *arg = o->m.arg, tmp[PAGE];
	uint32_t size = fuzz_size(r, f->size), flags = 0;
	size_t i;

	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < f->size; i++)
		tmp[i] = rnd(r);
	if (rnd_below(r, 8) == 0)
		tmp[f->size + rnd_below(r, PAGE - f->size)] = rnd(r) | 1;
	for (i = 0; i < ARRAY_SIZE(f->ptrs) && f->ptrs[i]; i++) {
		uint64_t p = fuzz_ptr(o, r);

		memcpy(tmp + f->ptrs[i], &p, sizeof(p));
	}
	for (i = 0; i < ARRAY_SIZE(f->lens) && f->lens[i]; i++) {
		uint32_t l = fuzz_len(r);

		memcpy(tmp + f->lens[i], &l, sizeof(l));
	}
	if (rnd_below(r, 4) == 0)
		flags = rnd_below(r, 2) ? 1U << rnd_below(r, 32) : rnd(r);
	memcpy(tmp + 4, &flags, sizeof(flags));
	if (f->shape)
		f->shape(o, r, tmp);
	memcpy(tmp, &size, sizeof(size));

	switch (rnd_below(r, 20)) {
	case 0:
		return NULL;
	case 1:
		return o->m.unmapped;
	case 2:
		return KADDR;
	case 3:
		/* Straddling the guard page. */
		arg = o->m.guard - 1 - rnd_below(r, f->size + 16);
		memcpy(arg, tmp, o->m.guard - arg);
		return arg;
	case 4:
		if (ro_put(&o->m, tmp, f->size + 64))
			return NULL;
		return o->m.ro;
	default:
		memcpy(arg, tmp, PAGE);
		return arg;
	}
}

/* Reverts if the thread ended up impersonating; returns whether it did. */
static bool undo_impersonation(struct objs *o)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };

	if (ioctl(o->dev, KSSPI_IOC_REVERT, &im))
		return false;
	return im.status == SEC_E_OK;
}

static const char *fuzz_seed_str(uint64_t *seed)
{
	const char *s = getenv("KSSPI_FUZZ_SEED");

	*seed = s ? strtoull(s, NULL, 0) : 0x5eed0abcdef12345ULL;
	return s ? "KSSPI_FUZZ_SEED" : "default";
}

TEST_F_TIMEOUT(objs, fuzz, 240)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };
	uint64_t seed;
	const char *from = fuzz_seed_str(&seed);
	struct rng r = { seed ? seed : 1 };
	int failures = 0, i, fd;
	size_t f;
	long ret;

	TH_LOG("seed %#llx (%s); %d iterations per ioctl",
	       (unsigned long long)seed, from, FUZZ_ITERATIONS);
	for (f = 0; f < ARRAY_SIZE(fuzzers); f++) {
		const struct fuzz *fz = &fuzzers[f];
		unsigned int ok = 0, errs = 0;

		if (fz->cmd == KSSPI_IOC_WHOAMI) {
			ASSERT_EQ(0, kio(self->o.tok, KSSPI_IOC_IMPERSONATE,
					 &im));
			ASSERT_EQ(SEC_E_OK, im.status);
		}
		for (i = 0; i < FUZZ_ITERATIONS && failures < 10; i++) {
			void *arg;

			fd = fz->fd(&self->o, &r);
			ASSERT_LE(0, fd);
			arg = fuzz_arg(&self->o, &r, fz);
			ret = kio(fd, fz->cmd, arg);
			if (ret < 0) {
				errs++;
				if (!allowed(fz->errnos, -ret)) {
					failures++;
					EXPECT_TRUE(allowed(fz->errnos, -ret))
						TH_LOG("%s iteration %d: %s",
						       fz->name, i,
						       strerror(-ret));
				}
			} else {
				ok++;
				if (fz->cmd == KSSPI_IOC_ACQUIRE_CRED ||
				    fz->cmd == KSSPI_IOC_NEW_CONTEXT) {
					close(ret);
				} else {
					EXPECT_EQ(0, ret) TH_LOG("%s", fz->name);
				}
			}
			if (fz->cmd == KSSPI_IOC_IMPERSONATE)
				undo_impersonation(&self->o);
			if (fz->fresh_fd)
				close(fd);
		}
		if (fz->cmd == KSSPI_IOC_WHOAMI) {
			EXPECT_TRUE(undo_impersonation(&self->o));
		}
		TH_LOG("%-14s %4u accepted, %4u refused", fz->name, ok, errs);
		/* The thread is itself again after every round. */
		EXPECT_EQ(0, geteuid());
	}

	/* Integer-argument ioctls and numbers that are no ioctl. */
	for (i = 0; i < FUZZ_ITERATIONS && failures < 10; i++) {
		unsigned long arg = rnd_below(&r, 2) ? 0 : rnd(&r);
		unsigned long cmd;
		int k;

		ret = kion(self->o.dev, KSSPI_IOC_GET_ABI_VERSION, arg);
		EXPECT_EQ(arg ? -EINVAL : KSSPI_ABI_VERSION, ret);
		ret = kion(self->o.actx, KSSPI_IOC_GET_TOKEN, arg);
		if (arg) {
			EXPECT_EQ(-EINVAL, ret);
		} else {
			ASSERT_LE(0, ret);
			close(ret);
		}
		cmd = _IOC(rnd_below(&r, 4), KSSPI_IOC_TYPE, rnd_below(&r, 256),
			   rnd_below(&r, 2) ? 0 : rnd_below(&r, 1 << 14));
		fd = fd_any(&self->o, &r);
		if (fd == self->o.dev)
			k = K_DEV;
		else if (fd == self->o.icred || fd == self->o.acred ||
			 fd == self->o.bcred)
			k = K_CRED;
		else if (fd == self->o.tok)
			k = K_TOKEN;
		else
			k = K_CTX;
		if (served(k, cmd))
			continue;
		ret = kion(fd, cmd, (uintptr_t)self->o.m.data);
		if (ret != -ENOTTY)
			failures++;
		EXPECT_EQ(-ENOTTY, ret) TH_LOG("cmd %#lx", cmd);
	}
	EXPECT_EQ(0, failures);
}

TEST_HARNESS_MAIN
