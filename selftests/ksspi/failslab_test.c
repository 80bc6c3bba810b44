// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure sweep (issue 9, item 2).  The local flow -- open
 * /dev/ksspi, acquire an acceptor credential, a local handshake (with
 * mutual authentication: three legs; without: two), QueryContextAttributes
 * on both sides, the acceptor's token and its query, impersonation of
 * alice's token by root, whoami, the revert, close -- runs once per N with
 * the Nth memory allocation of the flow failing (slab and page allocations
 * alike, sleeping ones included), for N = 1, 2, ... until the flow
 * completes without meeting the failure.  Every run must end with a clean
 * error (ENOMEM and friends, SEC_E_INSUFFICIENT_MEMORY) or complete with
 * right answers, never crash or hang, and leave the caller's ids, groups and
 * capabilities exactly as they were (a revert that fails is a failure);
 * after the sweep the module's live-object counters are back where they
 * started.  Leaks and kernel reports are caught by the debug kernel itself
 * (make check-debug: kmemleak, KASAN, lockdep, WARN).
 *
 * The Kerberos and Negotiate flows (fixture krbsweep) are the same steps
 * through the real helper and the guest's KDC, swept phase by phase
 * (acquire, each leg, everything after the handshake): see the comment
 * above the fixture.
 *
 * Mechanism (Documentation/fault-injection/fault-injection.rst): each flow
 * runs in a forked child that writes N to /proc/thread-self/fail-nth, which
 * makes exactly the Nth should_fail() call of that task fail -- only that
 * task's, only once, whatever the probability/interval/times knobs say.
 * The failslab and fail_page_alloc capabilities are opened up for it
 * (ignore-gfp-wait=N, min-order=0, ignore-gfp-highmem=N: otherwise sleeping
 * and order-0 allocations are never counted) while their probability stays
 * 0 and task-filter=Y, so nothing else in the system ever fails; all knobs
 * are restored afterwards.  The child faults its stack in and mlockall()s
 * first, so the failures land in the kernel's allocations, not in user page
 * faults.  The summary says in which step each failure was met and whether
 * the flow stopped with an error or absorbed it (a fallback: on the debug
 * kernel many of those are kmemleak's, debug-objects' and the stack depot's
 * own metadata allocations, which have reserve pools).
 *
 * SKIPs on a kernel without fault injection (no /sys/kernel/debug/failslab:
 * the production kernel of `make check`).  KSSPI_FAILSLAB_MAX bounds N
 * (default 2000); KSSPI_FAILSLAB_VERBOSE=1|2 makes the kernel log each
 * injected failure (2: with a stack trace).
 */
#include <sys/mman.h>
#include <time.h>

#include "krb5_e2e.h"
#include "hardening.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define STATS		"/sys/kernel/debug/ksspi/stats"
#define SERVICE		"fileserver"
/* Kerberos tokens (an AP-REQ in SPNEGO) are larger than a local one. */
#define FLOWBUF		16384

/* The steps of the flow, in order. */
enum step {
	S_OPEN, S_ACQUIRE, S_ISC1, S_ASC, S_ISC2, S_QUERY_ACCEPTOR,
	S_QUERY_INITIATOR, S_TOKEN, S_QUERY_TOKEN, S_IMPERSONATE, S_WHOAMI,
	S_REVERT, S_DONE,
};

static const char *const step_names[] = {
	[S_OPEN] = "open", [S_ACQUIRE] = "acquire", [S_ISC1] = "isc1",
	[S_ASC] = "asc", [S_ISC2] = "isc2",
	[S_QUERY_ACCEPTOR] = "query-acceptor",
	[S_QUERY_INITIATOR] = "query-initiator", [S_TOKEN] = "get-token",
	[S_QUERY_TOKEN] = "query-token", [S_IMPERSONATE] = "impersonate",
	[S_WHOAMI] = "whoami", [S_REVERT] = "revert", [S_DONE] = "done",
};

/* What a flow child reports to the sweep. */
struct outcome {
	int step;		/* the step that failed, or S_DONE */
	int cur;		/* the step running (internal) */
	int inject_step;	/* the step that met the failure, or -1 */
	int err;		/* its -errno (int calls) or errno (status calls) */
	int32_t status;		/* its SECURITY_STATUS (status calls) */
	int injected;		/* the Nth allocation was met */
	int armed;		/* fail-nth was set (internal) */
	int clean;		/* the failure is a clean allocation failure */
	int creds_ok;		/* the thread's ids and capabilities unchanged */
	int reverted_late;	/* still impersonating after the flow */
	char why[160];		/* what was wrong */
};

/* A debugfs knob: its path, the value the sweep needs, the one it had. */
struct knob {
	const char *path;
	const char *value;
	char saved[32];
	bool set;
};

static struct knob knobs[] = {
	{ .path = FAILSLAB "probability", .value = "0" },
	{ .path = FAILSLAB "task-filter", .value = "Y" },
	{ .path = FAILSLAB "ignore-gfp-wait", .value = "N" },
	{ .path = FAILSLAB "verbose", .value = "0" },
	{ .path = FAILPAGE "probability", .value = "0" },
	{ .path = FAILPAGE "task-filter", .value = "Y" },
	{ .path = FAILPAGE "ignore-gfp-wait", .value = "N" },
	{ .path = FAILPAGE "ignore-gfp-highmem", .value = "N" },
	{ .path = FAILPAGE "min-order", .value = "0" },
	{ .path = FAILPAGE "verbose", .value = "0" },
};

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (knobs[i].set)
			write_text(knobs[i].path, knobs[i].saved, 0);
		knobs[i].set = false;
	}
}

/* Returns 0, or -errno with *@bad naming the knob that failed. */
static int knobs_set(const char **bad)
{
	const char *verbose = getenv("KSSPI_FAILSLAB_VERBOSE");
	size_t i;
	int ret;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		struct knob *k = &knobs[i];
		const char *v = k->value;

		if (verbose && strstr(k->path, "/verbose"))
			v = verbose;
		*bad = k->path;
		ret = read_small(k->path, k->saved, sizeof(k->saved));
		if (ret)
			return ret;
		/* bool knobs read back as Y/N, numbers as numbers */
		ret = write_text(k->path, v, 0);
		if (ret)
			return ret;
		k->set = true;
	}
	return 0;
}

/* A counter of the module's debugfs stats, or -1. */
static long stat_value(const char *name)
{
	size_t n = strlen(name);
	char line[128];
	long v = -1;
	FILE *f = fopen(STATS, "re");

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

/* Errors an allocation failure may legitimately surface as. */
static bool clean_errno(int err)
{
	switch (err) {
	case ENOMEM:
	case ENFILE:	/* a struct file */
	case EMFILE:	/* the descriptor table */
	case EAGAIN:
	case EFAULT:	/* a page of a user buffer could not be faulted in */
		return true;
	}
	return false;
}

static bool clean_status(int32_t st, int err)
{
	if (st == SEC_E_INSUFFICIENT_MEMORY)
		return true;
	/* libksspi's mapping of an ioctl that failed with errno @err */
	return (st == SEC_E_INVALID_PARAMETER || st == SEC_E_INTERNAL_ERROR) &&
	       clean_errno(err);
}

/* The server name a context reports: the target, realm-qualified or not. */
static bool server_is(const char *name, const char *target)
{
	size_t n = strlen(target);

	return !strncmp(name, target, n) && (!name[n] || name[n] == '@');
}

/* alice's groups: kstaff among them (Kerberos: getgrouplist's order). */
static bool has_staff(const uint32_t *groups, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n && i < 16; i++)
		if (groups[i] == STAFF_GID)
			return true;
	return false;
}

static void token_info_init(struct ksspi_token_info *ti, uint32_t *groups,
			    char *name)
{
	memset(ti, 0, sizeof(*ti));
	memset(groups, 0, 16 * sizeof(*groups));
	ti->groups = (uintptr_t)groups;
	ti->ngroups = 16;
	ti->name = (uintptr_t)name;
	ti->name_size = 256;
}

struct flow {
	int alice_cred;		/* alice's OUTBOUND credentials (not faulted) */
	const char *package;	/* "local", "kerberos", "negotiate" */
	const char *target;	/* the acceptor's principal */
	const char *client;	/* the name the acceptor must see */
	int nthfd;		/* /proc/thread-self/fail-nth */
	unsigned int n;		/* the allocation that fails (0: none) */
	bool mutual;		/* mutual authentication: three legs */
	bool krb5;		/* a Kerberos package: every leg an upcall */
	/*
	 * The steps swept: allocation N counts from the start of @first;
	 * steps before it run without injection, the flow ends after
	 * @last.  The local sweep runs the whole flow (S_OPEN..S_DONE).
	 */
	int first, last;
	/* Handles made once by the parent (-1: made by the flow). */
	int base_acred, base_ictx, base_actx;
	const char *label;	/* the phase, for the summary */
};

/*
 * Notes the step during which the injected failure happened: fail-nth
 * reads 0 once it has (reading it allocates nothing).
 */
static void check_injected(const struct flow *f, struct outcome *o)
{
	char rest[16] = "";

	if (!f->n || !o->armed || o->inject_step >= 0)
		return;
	if (pread(f->nthfd, rest, sizeof(rest) - 1, 0) > 0 &&
	    strtoul(rest, NULL, 10) == 0)
		o->inject_step = o->cur;
}

/* From here on the Nth allocation of this task fails. */
static int arm(const struct flow *f, struct outcome *o)
{
	char num[16];
	int len;

	if (!f->n)
		return 0;
	len = snprintf(num, sizeof(num), "%u", f->n);
	if (pwrite(f->nthfd, num, len, 0) != len)
		return -1;
	o->armed = 1;
	return 0;
}

/* Fds of one flow, closed at its end. */
struct handles {
	int dev, acred, ictx, actx, tok;
};

#define STEP(s) do {						\
	check_injected(f, o);						\
	o->cur = (s);							\
	if ((s) > f->last) {						\
		o->step = S_DONE;					\
		return;							\
	}								\
	if ((s) == f->first && arm(f, o))				\
		WRONG("cannot write fail-nth");				\
} while (0)
#define FAIL_INT(ret) do {						\
	o->step = o->cur;						\
	o->err = (ret);							\
	o->clean = (ret) < 0 && clean_errno(-(ret));			\
	if (!o->clean)							\
		snprintf(o->why, sizeof(o->why), "%s: %d (%s)",		\
			 step_names[o->step], (ret), strerror(-(ret)));	\
	return;								\
} while (0)
#define FAIL_ST(st) do {						\
	o->step = o->cur;						\
	o->status = (st);						\
	o->err = errno;							\
	o->clean = clean_status((st), errno);				\
	if (!o->clean)							\
		snprintf(o->why, sizeof(o->why), "%s: %s (errno %d)",	\
			 step_names[o->step], ksspi_status_string(st),	\
			 errno);					\
	return;								\
} while (0)
/* A step that worked but answered wrongly: never clean. */
#define WRONG(...) do {							\
	o->step = o->cur;						\
	o->clean = 0;							\
	snprintf(o->why, sizeof(o->why), __VA_ARGS__);			\
	return;								\
} while (0)

/*
 * The flow itself: no allocation of its own in user space, buffers on the
 * stack and already touched, so that every failure injected is the
 * kernel's.  Stops at the first step that fails.
 */
static void run_flow(const struct flow *f, struct handles *h,
		     struct outcome *o)
{
	uint8_t a[FLOWBUF], b[FLOWBUF];
	char name[256], cname[256], sname[256];
	struct ksspi_context_info ci;
	struct ksspi_token_info ti;
	uint32_t groups[16];
	size_t alen, blen;
	uint32_t flags;
	int32_t st;
	int ret;

	STEP(S_OPEN);
	ret = ksspi_open();
	if (ret < 0)
		FAIL_INT(ret);
	h->dev = ret;

	if (f->base_acred < 0) {
		STEP(S_ACQUIRE);
		/* Kerberos: the default keytab's keys, as a server acquires them. */
		ret = ksspi_acquire_credentials(h->dev, f->package,
						SECPKG_CRED_INBOUND,
						f->krb5 ? NULL : f->target, NULL);
		if (ret < 0)
			FAIL_INT(ret);
		h->acred = ret;
	} else {
		h->acred = dup(f->base_acred);
	}

	if (f->base_actx >= 0) {
		/* The parent's established pair (the sweep after the handshake). */
		h->ictx = dup(f->base_ictx);
		h->actx = dup(f->base_actx);
		goto established;
	}

	STEP(S_ISC1);
	alen = sizeof(a);
	st = ksspi_initialize_security_context(f->alice_cred, &h->ictx,
					       f->target,
					       (f->mutual ? ISC_REQ_MUTUAL_AUTH : 0) |
					       (f->krb5 ? ISC_REQ_CONNECTION : 0),
					       NULL, 0, a, &alen, &flags);
	if (st < 0)
		FAIL_ST(st);
	if (st != (f->mutual ? SEC_I_CONTINUE_NEEDED : SEC_E_OK))
		WRONG("isc1: %s", ksspi_status_string(st));

	STEP(S_ASC);
	blen = sizeof(b);
	st = ksspi_accept_security_context(h->acred, &h->actx, 0, a, alen, b,
					   &blen, &flags);
	if (st < 0)
		FAIL_ST(st);
	if (st != SEC_E_OK || !blen != !f->mutual)
		WRONG("asc: %s with %zu bytes", ksspi_status_string(st), blen);

	if (f->mutual) {
		STEP(S_ISC2);
		alen = sizeof(a);
		st = ksspi_initialize_security_context(f->alice_cred, &h->ictx,
						       NULL, 0, b, blen, a,
						       &alen, &flags);
		if (st < 0)
			FAIL_ST(st);
		if (st != SEC_E_OK || !(flags & ISC_RET_MUTUAL_AUTH))
			WRONG("isc2: %s, flags 0x%x",
			      ksspi_status_string(st), flags);
	}

established:
	STEP(S_QUERY_ACCEPTOR);
	memset(&ci, 0, sizeof(ci));
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
		  KSSPI_ATTR(SECPKG_ATTR_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		  KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
		  KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
	ci.name = (uintptr_t)name;
	ci.name_size = sizeof(name);
	ci.client_name = (uintptr_t)cname;
	ci.client_name_size = sizeof(cname);
	ci.server_name = (uintptr_t)sname;
	ci.server_name_size = sizeof(sname);
	ret = ksspi_query_context(h->actx, &ci);
	if (ret < 0)
		FAIL_INT(ret);
	if (strcmp(name, f->client) || !server_is(sname, f->target))
		WRONG("query-acceptor: names '%.60s' '%.60s'", name, sname);

	STEP(S_QUERY_INITIATOR);
	ret = ksspi_query_native_names(h->ictx, cname, sizeof(cname), sname,
				       sizeof(sname));
	if (ret < 0)
		FAIL_INT(ret);
	if (strcmp(cname, f->client) || !server_is(sname, f->target))
		WRONG("query-initiator: names '%.60s' '%.60s'", cname, sname);

	STEP(S_TOKEN);
	ret = ksspi_query_security_context_token(h->actx);
	if (ret < 0)
		FAIL_INT(ret);
	h->tok = ret;

	STEP(S_QUERY_TOKEN);
	token_info_init(&ti, groups, name);
	ret = ksspi_query_token(h->tok, &ti);
	if (ret < 0)
		FAIL_INT(ret);
	if (ti.uid != ALICE_UID || ti.gid != ALICE_GID ||
	    !has_staff(groups, ti.ngroups) || strcmp(name, f->client))
		WRONG("query-token: uid %u gid %u ngroups %u name '%.60s'",
		      ti.uid, ti.gid, ti.ngroups, name);

	STEP(S_IMPERSONATE);
	st = ksspi_impersonate(h->tok);
	if (st < 0)
		FAIL_ST(st);
	if (st != SEC_E_OK)
		WRONG("impersonate: %s", ksspi_status_string(st));
	if (geteuid() != ALICE_UID || getegid() != ALICE_GID)
		WRONG("impersonating, but euid %d egid %d", geteuid(),
		      getegid());

	STEP(S_WHOAMI);
	token_info_init(&ti, groups, name);
	ret = ksspi_whoami(h->dev, &ti);
	/* A failed whoami must not end the impersonation: revert anyway. */
	if (ret < 0) {
		o->step = S_WHOAMI;
		o->err = ret;
		o->clean = clean_errno(-ret);
		if (!o->clean)
			snprintf(o->why, sizeof(o->why), "whoami: %d (%s)",
				 ret, strerror(-ret));
	} else if (ti.uid != ALICE_UID) {
		o->step = S_WHOAMI;
		o->clean = 0;
		snprintf(o->why, sizeof(o->why), "whoami: uid %u", ti.uid);
	}

	/*
	 * The revert is the step that must not fail for want of memory: if
	 * it does, the caller is stuck with the client's rights.
	 */
	STEP(S_REVERT);
	st = ksspi_revert(h->tok);
	if (st != SEC_E_OK) {
		o->step = S_REVERT;
		o->status = st;
		o->err = errno;
		o->clean = 0;
		snprintf(o->why, sizeof(o->why), "revert: %s (errno %d)",
			 ksspi_status_string(st), errno);
		return;
	}
	if (ret >= 0 && o->clean)
		o->step = S_DONE;
}

/* Touches 256 KiB of stack below the caller's frame. */
static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char buf[256 * 1024];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 0;
}

/* One flow with allocation @n failing (0: none); runs in a forked child. */
static int flow_child(const struct flow *f0, unsigned int n, int wfd)
{
	struct handles h = { -1, -1, -1, -1, -1 };
	struct flow f = *f0;
	struct outcome o = { .step = S_OPEN, .cur = S_OPEN, .clean = 1,
			     .inject_step = -1 };
	char before[1024], after[1024], rest[16];
	int fd;

	/* A hang is a failure, not a stuck suite (upcalls: 120 s deadline). */
	alarm(f0->krb5 ? 600 : 120);
	if (hard_cred_snapshot(before, sizeof(before)))
		return 3;
	f.nthfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (f.nthfd < 0)
		return 4;
	f.n = n;
	/*
	 * Fault in (and break copy-on-write of) every page the flow's user
	 * side may touch, so that the allocations counted are the kernel's
	 * own, not user page faults (which the kernel would retry anyway).
	 */
	prefault_stack();
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		return 10;
	run_flow(&f, &h, &o);
	check_injected(&f, &o);

	/* Stop injecting before anything else; did the failure happen? */
	memset(rest, 0, sizeof(rest));
	if (pread(f.nthfd, rest, sizeof(rest) - 1, 0) <= 0)
		return 6;
	o.injected = n && o.armed && strtoul(rest, NULL, 10) == 0;
	if (pwrite(f.nthfd, "0", 1, 0) != 1)
		return 7;

	if (geteuid() != 0) {
		/* Still alice: the flow failed to revert.  Do it now. */
		o.reverted_late = 1;
		if (h.tok >= 0)
			ksspi_revert(h.tok);
	}
	for (fd = 0; fd < 5; fd++) {
		int v = fd == 0 ? h.tok : fd == 1 ? h.actx : fd == 2 ? h.ictx :
			fd == 3 ? h.acred : h.dev;

		if (v >= 0)
			close(v);
	}
	if (hard_cred_snapshot(after, sizeof(after)))
		return 8;
	o.creds_ok = !strcmp(before, after);
	if (!o.creds_ok && !o.why[0])
		snprintf(o.why, sizeof(o.why), "credentials changed");
	if (write_full(wfd, &o, sizeof(o)))
		return 9;
	return 0;
}

static int run_one(const struct flow *f, unsigned int n, struct outcome *o)
{
	int pfd[2], st, rd;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		_exit(flow_child(f, n, pfd[1]));
	}
	close(pfd[1]);
	memset(o, 0, sizeof(*o));
	rd = read_full(pfd[0], o, sizeof(*o));
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	if (WIFSIGNALED(st))
		return -(1000 + WTERMSIG(st));
	if (WEXITSTATUS(st))
		return -(2000 + WEXITSTATUS(st));
	return rd ? -(2000 + 99) : 0;
}

/* alice's outbound credentials, acquired with real and effective uid hers. */
static int acquire_alice(int dev)
{
	const gid_t staff[] = { STAFF_GID };
	int fd = -EPERM;

	if (!setgroups(1, staff) && !setresgid(ALICE_GID, ALICE_GID, 0) &&
	    !setresuid(ALICE_UID, ALICE_UID, 0))
		fd = ksspi_acquire_credentials(dev, "local",
					       SECPKG_CRED_OUTBOUND, NULL, NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0) || setgroups(0, NULL))
		abort();
	return fd;
}

static const char *const live_counters[] = {
	"contexts_live", "tokens_live", "impersonating_threads",
	"upcalls_in_flight",
};
#define NLIVE	(sizeof(live_counters) / sizeof(live_counters[0]))

static void live_snapshot(struct __test_metadata *_metadata, long *live)
{
	size_t i;

	for (i = 0; i < NLIVE; i++) {
		live[i] = stat_value(live_counters[i]);
		ASSERT_LE(0, live[i]) TH_LOG("%s in %s", live_counters[i], STATS);
	}
}

/*
 * The sweep: N = 1, 2, ... until the flow no longer meets its Nth
 * allocation; prints where the failures were met; then the live-object
 * counters must be back to @live.
 */
static unsigned int sweep(struct __test_metadata *_metadata,
			  const struct flow *f, const long *live)
{
	const char *maxenv = getenv("KSSPI_FAILSLAB_MAX");
	unsigned int n, max = maxenv ? strtoul(maxenv, NULL, 0) : 2000;
	unsigned int errored[S_DONE + 1] = {}, absorbed[S_DONE + 1] = {};
	unsigned int unknown = 0, bad = 0;
	struct outcome o;
	struct timespec t0, t1;
	bool done = false;
	size_t i;
	int ret;

	/* Without a failure the flow must complete. */
	EXPECT_EQ(0, run_one(f, 0, &o));
	EXPECT_EQ(S_DONE, o.step) TH_LOG("the flow fails by itself: %s",
					 o.why);
	EXPECT_TRUE(o.creds_ok);
	if (o.step != S_DONE || !o.creds_ok)
		return 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 1; n <= max && !done; n++) {
		ret = run_one(f, n, &o);
		if (ret) {
			bad++;
			TH_LOG("N=%u: the flow child died (%s %d)", n,
			       ret <= -2000 ? "exit" : "signal",
			       ret <= -2000 ? -ret - 2000 : -ret - 1000);
			continue;
		}
		if (!o.injected) {
			/* The flow no longer reaches its Nth allocation. */
			if (o.step != S_DONE || !o.clean || !o.creds_ok) {
				bad++;
				TH_LOG("N=%u: no failure injected, yet the flow ended at %s: %s",
				       n, step_names[o.step], o.why);
			}
			done = true;
			break;
		}
		if (f->krb5 && n % 10 == 0)
			ksft_print_msg("  %s %s: N=%u met in %s, %s\n",
				       f->package, f->label, n,
				       o.inject_step >= 0 ? step_names[o.inject_step] : "?",
				       o.step == S_DONE ? "absorbed" : "error");
		if (o.inject_step < 0 || o.inject_step > S_DONE)
			unknown++;
		else if (o.step == S_DONE)
			absorbed[o.inject_step]++;
		else
			errored[o.inject_step]++;
		if (!o.clean || !o.creds_ok || o.reverted_late) {
			bad++;
			TH_LOG("N=%u: failed at %s: %s%s%s", n,
			       step_names[o.step], o.why[0] ? o.why : "-",
			       o.creds_ok ? "" : "; caller's credentials changed",
			       o.reverted_late ? "; still impersonating after the flow" : "");
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	ksft_print_msg("%s%s%s%s: allocation failure points swept: %u (in %.1f s)\n",
		       f->package, f->mutual ? "" : " (one way)",
		       f->label ? ", " : "", f->label ?: "", n - 1,
		       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ksft_print_msg("  %-16s %8s %8s\n", "failure met in", "error", "absorbed");
	for (i = 0; i <= S_DONE; i++) {
		if (errored[i] || absorbed[i])
			ksft_print_msg("  %-16s %8u %8u\n", step_names[i],
				       errored[i], absorbed[i]);
	}
	if (unknown)
		ksft_print_msg("  %-16s %8u\n", "(not located)", unknown);
	ksft_print_msg("  (error: the flow stopped with a clean error; absorbed: it completed anyway)\n");
	EXPECT_TRUE(done) TH_LOG("the flow still met a failure at N=%u (KSSPI_FAILSLAB_MAX)",
				 max);
	EXPECT_EQ(0, bad);

	/*
	 * Every object of the flows is gone (exited threads are reaped every
	 * 2 s; a helper killed or answering late takes its upcall with it).
	 */
	for (i = 0; i < NLIVE; i++) {
		long v = -1;
		int tries;

		for (tries = 0; tries < 200; tries++) {
			v = stat_value(live_counters[i]);
			if (v == live[i])
				break;
			usleep(100 * 1000);
		}
		EXPECT_EQ(live[i], v) TH_LOG("%s", live_counters[i]);
	}
	fflush(stdout);	/* the harness's test child ends with _exit() */
	return n - 1;
}

/*
 * Whether the list in environment variable @var (words separated by
 * blanks or commas) names @name; true when @var is unset.  For a quicker
 * look: KSSPI_FAILSLAB_FLOWS="kerberos negotiate" (of local, kerberos,
 * negotiate), KSSPI_FAILSLAB_KRB5_PHASES (see phases[] below).
 */
static bool env_selects(const char *var, const char *name)
{
	const char *want = getenv(var);
	char w[128], *save, *t;

	if (!want)
		return true;
	snprintf(w, sizeof(w), "%s", want);
	for (t = strtok_r(w, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
		if (!strcmp(t, name))
			return true;
	return false;
}

static bool flow_wanted(const char *name)
{
	return env_selects("KSSPI_FAILSLAB_FLOWS", name);
}

static bool no_fault_injection(void)
{
	return access(FAILSLAB, F_OK) || access(FAILPAGE, F_OK) ||
	       access("/proc/thread-self/fail-nth", F_OK);
}

/* --- the local package ------------------------------------------------------ */

FIXTURE(sweep) {
	int dev;
	int alice_cred;
	char target[64];
	long live[NLIVE];
	bool skip, unselected;
};

FIXTURE_VARIANT(sweep) {
	bool mutual;
};

FIXTURE_VARIANT_ADD(sweep, mutual) { .mutual = true };
FIXTURE_VARIANT_ADD(sweep, oneway) { .mutual = false };

FIXTURE_SETUP(sweep)
{
	const char *bad = "";
	int ret;

	self->dev = -1;
	self->alice_cred = -1;
	if (no_fault_injection())
		self->skip = true;
	/* (the harness runs the test body after a SKIP in the setup) */
	if (!flow_wanted("local"))
		self->skip = self->unselected = true;
	if (self->skip)
		return;
	ret = knobs_set(&bad);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", bad, strerror(-ret));
	uid_principal(self->target, sizeof(self->target), SERVICE, 0);
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev) TH_LOG("open /dev/ksspi: %s",
				       strerror(-self->dev));
	self->alice_cred = acquire_alice(self->dev);
	ASSERT_LE(0, self->alice_cred);
	live_snapshot(_metadata, self->live);
}

FIXTURE_TEARDOWN(sweep)
{
	knobs_restore();
	if (self->alice_cred >= 0)
		close(self->alice_cred);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F_TIMEOUT(sweep, core_flow, 3600)
{
	struct flow f = { .alice_cred = self->alice_cred, .package = "local",
			  .client = "uid:2001", .mutual = variant->mutual,
			  .first = S_OPEN, .last = S_DONE, .base_acred = -1,
			  .base_ictx = -1, .base_actx = -1 };

	if (self->skip)
		SKIP(return, "%s", self->unselected ?
		     "not selected by KSSPI_FAILSLAB_FLOWS" :
		     "no fault injection in this kernel (" FAILSLAB ")");
	f.target = self->target;
	sweep(_metadata, &f, self->live);
}

/*
 * --- Kerberos and Negotiate, against the guest's KDC ------------------------
 *
 * The same flow through the real helper: the acceptor's acquire, every leg
 * and the mutual-authentication check are request-key upcalls to
 * ksspi-upcall, which asks the KDC in the guest (selftests/krb5/kdc-setup).
 * fail-nth counts the allocations of the flow's task only: the kernel's
 * side of each upcall (the request, the key and its description, the
 * request-key authorisation key, the usermode-helper set-up, the answer's
 * copy and decoding, the context's state) fails, while /sbin/request-key,
 * ksspi-upcall and krb5kdc -- other processes -- allocate normally.  That
 * is deliberate: their own allocation failures are user space's (a
 * helper that dies is kerberos_fault_test's "crash" case), and failing
 * them would sweep MIT's code and libc's, not the module's.  alice's outbound credentials (a ccache from kinit) are
 * acquired once, unfaulted, as in the local sweep.
 */
FIXTURE(krbsweep) {
	int dev;
	int alice_cred;
	char dir[PATH_MAX];
	char alice_cc[PATH_MAX + 32];
	char client[NAMEBUF];
	long live[NLIVE];
	bool skip, unselected;
};

FIXTURE_VARIANT(krbsweep) {
	const char *package;
};

FIXTURE_VARIANT_ADD(krbsweep, kerberos) { .package = "kerberos" };
FIXTURE_VARIANT_ADD(krbsweep, negotiate) { .package = "negotiate" };

FIXTURE_SETUP(krbsweep)
{
	const gid_t staff[] = { STAFF_GID };
	const char *bad = "";
	int ret, err = 0;

	self->dev = -1;
	self->alice_cred = -1;
	if (no_fault_injection())
		self->skip = true;
	if (!flow_wanted(variant->package))
		self->skip = self->unselected = true;
	if (self->skip)
		return;
	e2e_setup(_metadata, variant->package);
	/*
	 * The upcall deadline well above what one leg takes here: on the
	 * debug kernel, with other VMs on the machine, an accept once took
	 * more than the default 15 s, and a deadline is not what is swept.
	 */
	ASSERT_EQ(0, lower_timeout("120000"));
	ASSERT_EQ(0, write_file_atomic("/etc/ksspi/upcall.conf",
				       "# failslab_test: the helper's own deadline long too\n"
				       "timeout = 100\n", 0644));
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->alice_cc, sizeof(self->alice_cc), "FILE:%s/alice.cc",
		 self->dir);
	ASSERT_EQ(0, alice_kinit(self->alice_cc, 0, NULL));
	snprintf(self->client, sizeof(self->client), "alice@%s", E.realm);
	ret = knobs_set(&bad);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", bad, strerror(-ret));
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev) TH_LOG("open /dev/ksspi: %s",
				       strerror(-self->dev));
	/* As alice: the helper reads her ccache as her. */
	ASSERT_EQ(0, setgroups(1, staff));
	ASSERT_EQ(0, setresgid(ALICE_GID, ALICE_GID, 0));
	ASSERT_EQ(0, setresuid(ALICE_UID, ALICE_UID, 0));
	self->alice_cred = acquire(self->dev, variant->package,
				   SECPKG_CRED_OUTBOUND, NULL, self->alice_cc,
				   NULL, &err);
	ASSERT_EQ(0, setresuid(0, 0, 0));
	ASSERT_EQ(0, setresgid(0, 0, 0));
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_LE(0, self->alice_cred) TH_LOG("alice's credentials: %s",
					      strerror(err));
	live_snapshot(_metadata, self->live);
}

FIXTURE_TEARDOWN(krbsweep)
{
	knobs_restore();
	if (self->alice_cred >= 0)
		close(self->alice_cred);
	if (self->dev >= 0)
		close(self->dev);
	if (!self->skip) {
		rm_tree(self->dir);
		EXPECT_EQ(0, restore_timeout());
	}
}

/*
 * The flow in phases, each swept on its own: N counts from the start of
 * the phase's step, the steps before it run without injection (and the
 * sweep of a phase ends when its step no longer meets the Nth
 * allocation).  A run costs the upcalls of its prefix plus its step's --
 * each an exec of request-key and the helper, seconds on the debug
 * kernel -- instead of the whole handshake, and the steps after the
 * handshake (queries, token, impersonation, revert: no upcall) run from
 * one established pair the parent made, inherited by every run.
 *
 * KSSPI_FAILSLAB_KRB5_PHASES (default "acquire isc1 asc isc2 after")
 * picks phases, for a quicker look.
 */
static const struct phase {
	const char *label;
	int first, last;
	bool base_acred, base_pair;
} phases[] = {
	{ "acquire", S_ACQUIRE, S_ACQUIRE, false, false },
	{ "isc1", S_ISC1, S_ISC1, true, false },
	{ "asc", S_ASC, S_ASC, true, false },
	{ "isc2", S_ISC2, S_ISC2, true, false },
	{ "after", S_QUERY_ACCEPTOR, S_DONE, true, true },
};

static bool phase_wanted(const char *label)
{
	return env_selects("KSSPI_FAILSLAB_KRB5_PHASES", label);
}

TEST_F_TIMEOUT(krbsweep, handshake, 7200)
{
	struct flow f = { .alice_cred = self->alice_cred,
			  .package = variant->package, .client = self->client,
			  .mutual = true, .krb5 = true, .base_acred = -1,
			  .base_ictx = -1, .base_actx = -1 };
	struct handles base = { -1, -1, -1, -1, -1 };
	unsigned int total = 0, k;
	long live2[NLIVE];
	struct outcome o;
	int err = 0, acred;
	double t0 = hard_now();

	if (self->skip)
		SKIP(return, "%s", self->unselected ?
		     "not selected by KSSPI_FAILSLAB_FLOWS" :
		     "no fault injection in this kernel (" FAILSLAB ")");
	f.target = pkg_target();
	acred = acquire(self->dev, variant->package, SECPKG_CRED_INBOUND, NULL,
			NULL, NULL, &err);
	ASSERT_LE(0, acred) TH_LOG("acceptor credentials: %s", strerror(err));

	for (k = 0; k < sizeof(phases) / sizeof(phases[0]); k++) {
		const struct phase *ph = &phases[k];

		if (!phase_wanted(ph->label))
			continue;
		f.label = ph->label;
		f.first = ph->first;
		f.last = ph->last;
		f.base_acred = ph->base_acred ? acred : -1;
		if (!ph->base_pair) {
			total += sweep(_metadata, &f, self->live);
			continue;
		}
		/* The established pair every run of this phase starts from. */
		memset(&o, 0, sizeof(o));
		o.inject_step = -1;
		o.clean = 1;
		f.first = -1;
		f.last = S_ISC2;
		f.n = 0;
		run_flow(&f, &base, &o);
		ASSERT_EQ(S_DONE, o.step) TH_LOG("the handshake: %s", o.why);
		live_snapshot(_metadata, live2);
		f.first = ph->first;
		f.last = ph->last;
		f.base_ictx = base.ictx;
		f.base_actx = base.actx;
		total += sweep(_metadata, &f, live2);
		f.base_ictx = f.base_actx = -1;
	}
	ksft_print_msg("%s: allocation failure points swept in all phases: %u (in %.0f s)\n",
		       variant->package, total, hard_now() - t0);
	if (base.dev >= 0)
		close(base.dev);
	if (base.acred >= 0)
		close(base.acred);
	if (base.ictx >= 0)
		close(base.ictx);
	if (base.actx >= 0)
		close(base.actx);
	close(acred);
	fflush(stdout);
}

TEST_HARNESS_MAIN
