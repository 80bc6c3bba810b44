// SPDX-License-Identifier: GPL-2.0
/*
 * Impersonation by user threads (ImpersonateSecurityContext and
 * RevertSecurityContext through KSSPI_IOC_IMPERSONATE / KSSPI_IOC_REVERT),
 * judged by its real effect: the test creates files that only one identity
 * may open and opens them while impersonating and after reverting, and it
 * reads the thread's ids and capabilities back from the syscalls and from
 * /proc/thread-self/status.
 *
 * Every rule of DESIGN.md ("Impersonation rules", "Impersonation levels")
 * gets a test that tries to break it: levels below impersonation install
 * anonymous credentials; only CAP_SETUID+CAP_SETGID (in the thread's own
 * user namespace, for ids mapped there) or the caller's own identity allow
 * more; a denied impersonation leaves the thread as it was; revert restores
 * exactly what the thread had, only for that thread and only while it still
 * runs under the credentials ksspi installed (not after fork, execve, a
 * credential change, nor from another thread or a thread born while
 * impersonating).
 *
 * Helpers that may run in forked children or in threads report through
 * CK*() macros into a shared page (the harness' ASSERT/EXPECT only work in
 * the test process itself); the test process turns a report into a failed
 * assertion with the line and the values.
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/keyctl.h>

#include "ksspi_test.h"

#define SERVICE		"fileserver"
#define ANON_UID	65534	/* the overflow uid/gid of the VM's kernel */
#define ANON_GID	65534
#define MAXGROUPS	16
#define EXEC_HELPER	"--ksspi-exec-after-impersonate"

/* ---- failure reports shared by the test process, its children, threads ---- */

struct report {
	int line;
	char msg[1024];
};

static struct report *report;

static void __attribute__((constructor)) report_init(void)
{
	report = mmap(NULL, sizeof(*report), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (report == MAP_FAILED)
		abort();
}

static void report_reset(void)
{
	report->line = 0;
	report->msg[0] = 0;
}

/* Records the first failure (of any process or thread); returns 1. */
static int __attribute__((format(printf, 2, 3))) fail_at(int line,
							 const char *fmt, ...)
{
	va_list ap;

	if (__sync_bool_compare_and_swap(&report->line, 0, -1)) {
		va_start(ap, fmt);
		vsnprintf(report->msg, sizeof(report->msg), fmt, ap);
		va_end(ap);
		__sync_synchronize();
		report->line = line;
	}
	return 1;
}

#define CK(c) do {							\
	if (!(c))							\
		return fail_at(__LINE__, "%s (errno %d: %s)", #c, errno,	\
			       strerror(errno));			\
} while (0)

#define CK_EQ(exp, got) do {						\
	long long _e = (long long)(exp), _g = (long long)(got);	\
	if (_e != _g)							\
		return fail_at(__LINE__,				\
			       "%s == %s: expected %lld (%#llx), got %lld (%#llx)", \
			       #exp, #got, _e, _e, _g, _g);		\
} while (0)

#define CK_ST(exp, got) do {						\
	int32_t _e = (exp), _g = (got);				\
	if (_e != _g)							\
		return fail_at(__LINE__, "%s: expected %s, got %s (%#x)", \
			       #got, ksspi_status_string(_e),		\
			       ksspi_status_string(_g), (uint32_t)_g);	\
} while (0)

/* @expr must fail with -1 and errno @err. */
#define CK_ERRNO(err, expr) do {					\
	long _r;							\
	errno = 0;							\
	_r = (expr);							\
	if (_r != -1 || errno != (err))					\
		return fail_at(__LINE__, "%s: expected -1/%s, got %ld/%s", \
			       #expr, strerror(err), _r, strerror(errno)); \
} while (0)

/* A nested check failed and has reported already. */
#define CK_OK(expr) do {						\
	if (expr)							\
		return 1;						\
} while (0)

/* In the test process: a check function, or a child, must succeed. */
#define RUN(expr) do {							\
	int _r;								\
	report_reset();							\
	_r = (expr);							\
	if (_r)								\
		TH_LOG("%s: %d; first failure at line %d: %s", #expr, _r, \
		       report->line, report->msg);			\
	ASSERT_EQ(0, _r);						\
} while (0)

#define ASSERT_ST(exp, got) do {					\
	int32_t _g = (got);						\
	ASSERT_EQ(exp, _g)						\
		TH_LOG("%s: expected %s, got %s", #got,			\
		       ksspi_status_string(exp), ksspi_status_string(_g)); \
} while (0)

/* ---- identities ---- */

struct ident {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
};

static const struct ident id_root = { .uid = 0, .gid = 0 };
static const struct ident id_alice = {
	.uid = ALICE_UID, .gid = ALICE_GID, .ngroups = 1,
	.groups = { STAFF_GID },
};
static const struct ident id_bob = { .uid = BOB_UID, .gid = BOB_GID };
static const struct ident id_carol = {
	.uid = CAROL_UID, .gid = CAROL_GID, .ngroups = 1,
	.groups = { STAFF_GID },
};
static const struct ident id_server = { .uid = SERVER_UID, .gid = SERVER_GID };
static const struct ident id_anon = { .uid = ANON_UID, .gid = ANON_GID };

static int become_id(const struct ident *id)
{
	return become(id->uid, id->gid, id->groups, id->ngroups);
}

/* ---- what a thread runs as: ids, groups, capabilities ---- */

struct ids {
	uid_t uid[4];		/* real, effective, saved, filesystem */
	gid_t gid[4];
	int ngroups;
	gid_t groups[MAXGROUPS];	/* sorted */
	uint64_t cap_prm, cap_eff, cap_amb;
};

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* What a thread that is exactly @id, with capabilities @caps, looks like. */
static struct ids ids_of(const struct ident *id, uint64_t caps)
{
	struct ids x;
	int i;

	memset(&x, 0, sizeof(x));
	for (i = 0; i < 4; i++) {
		x.uid[i] = id->uid;
		x.gid[i] = id->gid;
	}
	x.ngroups = id->ngroups;
	memcpy(x.groups, id->groups, id->ngroups * sizeof(gid_t));
	qsort(x.groups, x.ngroups, sizeof(gid_t), cmp_gid);
	x.cap_prm = caps;
	x.cap_eff = caps;
	return x;
}

static bool ids_eq(const struct ids *a, const struct ids *b)
{
	int i;

	for (i = 0; i < 4; i++)
		if (a->uid[i] != b->uid[i] || a->gid[i] != b->gid[i])
			return false;
	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (a->groups[i] != b->groups[i])
			return false;
	return a->cap_prm == b->cap_prm && a->cap_eff == b->cap_eff &&
	       a->cap_amb == b->cap_amb;
}

static const char *fmt_ids(char *buf, size_t size, const struct ids *x)
{
	size_t n;
	int i;

	n = snprintf(buf, size, "uid %u/%u/%u/%u gid %u/%u/%u/%u groups [",
		     x->uid[0], x->uid[1], x->uid[2], x->uid[3],
		     x->gid[0], x->gid[1], x->gid[2], x->gid[3]);
	for (i = 0; i < x->ngroups && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%u", i ? " " : "",
			      x->groups[i]);
	if (n < size)
		snprintf(buf + n, size - n,
			 "] CapPrm %" PRIx64 " CapEff %" PRIx64 " CapAmb %" PRIx64,
			 x->cap_prm, x->cap_eff, x->cap_amb);
	return buf;
}

/* Parses Uid, Gid, Groups, CapPrm, CapEff and CapAmb of a status file. */
static int read_status(int line, const char *path, struct ids *x)
{
	char buf[1024];
	unsigned int seen = 0;
	FILE *f;

	memset(x, 0, sizeof(*x));
	f = fopen(path, "re");
	if (!f)
		return fail_at(line, "fopen %s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "Uid: %u %u %u %u", &x->uid[0], &x->uid[1],
			   &x->uid[2], &x->uid[3]) == 4) {
			seen |= 1;
		} else if (sscanf(buf, "Gid: %u %u %u %u", &x->gid[0],
				  &x->gid[1], &x->gid[2], &x->gid[3]) == 4) {
			seen |= 2;
		} else if (!strncmp(buf, "Groups:", 7)) {
			char *p = buf + 7, *end;

			for (;;) {
				unsigned long g = strtoul(p, &end, 10);

				if (end == p)
					break;
				if (x->ngroups == MAXGROUPS) {
					fclose(f);
					return fail_at(line, "%s: too many groups",
						       path);
				}
				x->groups[x->ngroups++] = g;
				p = end;
			}
			seen |= 4;
		} else if (sscanf(buf, "CapPrm: %" SCNx64, &x->cap_prm) == 1) {
			seen |= 8;
		} else if (sscanf(buf, "CapEff: %" SCNx64, &x->cap_eff) == 1) {
			seen |= 16;
		} else if (sscanf(buf, "CapAmb: %" SCNx64, &x->cap_amb) == 1) {
			seen |= 32;
		}
	}
	fclose(f);
	if (seen != 63)
		return fail_at(line, "%s: fields missing (%#x)", path, seen);
	qsort(x->groups, x->ngroups, sizeof(gid_t), cmp_gid);
	return 0;
}

/*
 * The calling thread's ids from /proc/thread-self/status, checked against
 * what getresuid(), getresgid(), setfsuid(-1), setfsgid(-1) and getgroups()
 * say (all of them per thread).
 */
static int snap_self_at(int line, struct ids *x)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, g[MAXGROUPS];
	char buf[512];
	int n, i;

	CK_OK(read_status(line, "/proc/thread-self/status", x));
	if (getresuid(&r, &e, &s) || getresgid(&rg, &eg, &sg))
		return fail_at(line, "getres[ug]id: %s", strerror(errno));
	n = getgroups(MAXGROUPS, g);
	if (n < 0)
		return fail_at(line, "getgroups: %s", strerror(errno));
	qsort(g, n, sizeof(gid_t), cmp_gid);
	if (r != x->uid[0] || e != x->uid[1] || s != x->uid[2] ||
	    (uid_t)setfsuid(-1) != x->uid[3] || rg != x->gid[0] ||
	    eg != x->gid[1] || sg != x->gid[2] ||
	    (gid_t)setfsgid(-1) != x->gid[3] || n != x->ngroups)
		return fail_at(line, "syscalls (uid %u/%u/%u gid %u/%u/%u, %d groups) disagree with /proc (%s)",
			       r, e, s, rg, eg, sg, n,
			       fmt_ids(buf, sizeof(buf), x));
	for (i = 0; i < n; i++)
		if (g[i] != x->groups[i])
			return fail_at(line, "getgroups() disagrees with /proc: %u vs %u",
				       g[i], x->groups[i]);
	return 0;
}

static int ck_ids_at(int line, const struct ids *want)
{
	char a[512], b[512];
	struct ids got;

	CK_OK(snap_self_at(line, &got));
	if (!ids_eq(want, &got))
		return fail_at(line, "thread runs as { %s }, expected { %s }",
			       fmt_ids(a, sizeof(a), &got),
			       fmt_ids(b, sizeof(b), want));
	return 0;
}

/* Another thread of this process, as /proc/self/task/<tid>/status says. */
static int ck_task_ids_at(int line, pid_t tid, const struct ids *want)
{
	char path[64], a[512], b[512];
	struct ids got;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	CK_OK(read_status(line, path, &got));
	if (!ids_eq(want, &got))
		return fail_at(line, "thread %d runs as { %s }, expected { %s }",
			       tid, fmt_ids(a, sizeof(a), &got),
			       fmt_ids(b, sizeof(b), want));
	return 0;
}

#define CK_SNAP(x)		CK_OK(snap_self_at(__LINE__, x))
#define CK_IDS(want)		CK_OK(ck_ids_at(__LINE__, want))
#define CK_TASK_IDS(tid, want)	CK_OK(ck_task_ids_at(__LINE__, tid, want))
#define ASSERT_IDS(want)	RUN(ck_ids_at(__LINE__, want))

/* ---- files that only the right identity can open ---- */

enum {
	F_ALICE, F_BOB, F_CAROL, F_STAFF, F_SERVER, F_NOBODY, F_ROOT, F_ANON,
	NFILES
};

static const struct tfile {
	const char *name;
	uid_t uid;
	gid_t gid;
	mode_t mode;
} tfiles[NFILES] = {
	[F_ALICE]  = { "alice-only",  ALICE_UID,  ALICE_GID,  0600 },
	[F_BOB]    = { "bob-only",    BOB_UID,    BOB_GID,    0600 },
	[F_CAROL]  = { "carol-only",  CAROL_UID,  CAROL_GID,  0600 },
	[F_STAFF]  = { "staff",       0,          STAFF_GID,  0640 },
	[F_SERVER] = { "server-only", SERVER_UID, SERVER_GID, 0600 },
	[F_NOBODY] = { "nobody-only", ANON_UID,   ANON_GID,   0600 },
	[F_ROOT]   = { "root-only",   0,          0,          0600 },
	[F_ANON]   = { "anon-ok",     0,          0,          0644 },
};

#define RD(f)		(1u << F_##f)
#define RD_ALL		((1u << NFILES) - 1)
#define RD_ALICE	(RD(ALICE) | RD(STAFF) | RD(ANON))
#define RD_BOB		(RD(BOB) | RD(ANON))
#define RD_CAROL	(RD(CAROL) | RD(STAFF) | RD(ANON))
#define RD_SERVER	(RD(SERVER) | RD(ANON))
#define RD_NOBODY	(RD(NOBODY) | RD(ANON))
/* uid 0 without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: owner rights only. */
#define RD_ROOT_NOCAPS	(RD(ROOT) | RD(STAFF) | RD(ANON))

static char g_dir[64];	/* fresh per test, 0755 root */

/*
 * Opens every test file: those in @readable must open and read back their
 * own name; every other one must fail with exactly EACCES.
 */
static int ck_access_at(int line, unsigned int readable)
{
	char path[128], buf[32];
	int i, fd, err;
	ssize_t n;

	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", g_dir, tfiles[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = errno;
		if (!(readable & (1u << i))) {
			if (fd >= 0) {
				close(fd);
				return fail_at(line, "open(%s) succeeded, expected EACCES (euid %u)",
					       tfiles[i].name, geteuid());
			}
			if (err != EACCES)
				return fail_at(line, "open(%s): %s, expected EACCES",
					       tfiles[i].name, strerror(err));
			continue;
		}
		if (fd < 0)
			return fail_at(line, "open(%s): %s, expected success (euid %u)",
				       tfiles[i].name, strerror(err), geteuid());
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0 || (size_t)n != strlen(tfiles[i].name) ||
		    memcmp(buf, tfiles[i].name, n))
			return fail_at(line, "read(%s): %zd", tfiles[i].name, n);
	}
	return 0;
}

#define CK_ACCESS(mask)		CK_OK(ck_access_at(__LINE__, mask))
#define ASSERT_ACCESS(mask)	RUN(ck_access_at(__LINE__, mask))

/* ---- ksspi calls ---- */

/* An ioctl that failed, as a value no SECURITY_STATUS has. */
#define IOCTL_FAILED(err)	((int32_t)(0x7e000000 | (err)))

/* IMPERSONATE or REVERT on @fd; *@level gets what the kernel said. */
static int32_t imp_call(int fd, unsigned long cmd, uint32_t *level)
{
	struct ksspi_impersonate im = {
		.size = sizeof(im), .status = 0x5a5a5a5a, .level = 0xa5a5,
	};

	if (ioctl(fd, cmd, &im))
		return IOCTL_FAILED(errno);
	if (level)
		*level = im.level;
	return im.status;
}

static int32_t impersonate(int fd, uint32_t *level)
{
	return imp_call(fd, KSSPI_IOC_IMPERSONATE, level);
}

/* A revert that reported another level than 0. */
#define REVERT_BAD_LEVEL	((int32_t)0x7d000000)

/* Revert, which must report level 0 whatever its status. */
static int32_t revert(int fd)
{
	uint32_t level = 0xa5a5;
	int32_t st = imp_call(fd, KSSPI_IOC_REVERT, &level);

	if ((st & 0x7f000000) != 0x7e000000 && level != 0)
		return REVERT_BAD_LEVEL;
	return st;
}

static int ck_info_at(int line, const char *what,
		      const struct ksspi_token_info *ti, const uint32_t *groups,
		      const char *name, const struct ident *id,
		      uint32_t level, const char *want_name)
{
	int i;

	if (ti->uid != id->uid || ti->gid != id->gid || ti->level != level ||
	    ti->package_id != KSSPI_PACKAGE_LOCAL ||
	    ti->ngroups != (uint32_t)id->ngroups || strcmp(name, want_name))
		return fail_at(line, "%s: uid %u gid %u level %u package %#x %u groups name \"%s\"; expected uid %u gid %u level %u local %d groups \"%s\"",
			       what, ti->uid, ti->gid, ti->level,
			       ti->package_id, ti->ngroups, name, id->uid,
			       id->gid, level, id->ngroups, want_name);
	for (i = 0; i < id->ngroups; i++)
		if (groups[i] != id->groups[i])
			return fail_at(line, "%s: group %d is %u, expected %u",
				       what, i, groups[i], id->groups[i]);
	return 0;
}

/* QUERY_TOKEN on a token fd. */
static int ck_token_at(int line, int tok, const struct ident *id,
		       uint32_t level, const char *want_name)
{
	struct ksspi_token_info ti = {};
	uint32_t groups[MAXGROUPS];
	char name[256];
	int ret;

	ti.groups = (uintptr_t)groups;
	ti.ngroups = MAXGROUPS;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ret = ksspi_query_token(tok, &ti);
	if (ret)
		return fail_at(line, "QUERY_TOKEN: %s", strerror(-ret));
	return ck_info_at(line, "QUERY_TOKEN", &ti, groups, name, id, level,
			  want_name);
}

/* WHOAMI: the calling thread impersonates @id at @level. */
static int ck_whoami_at(int line, int dev, const struct ident *id,
			uint32_t level, const char *want_name)
{
	struct ksspi_token_info ti = {};
	uint32_t groups[MAXGROUPS];
	char name[256];
	int ret;

	ti.groups = (uintptr_t)groups;
	ti.ngroups = MAXGROUPS;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ret = ksspi_whoami(dev, &ti);
	if (ret)
		return fail_at(line, "WHOAMI: %s, expected success",
			       strerror(-ret));
	return ck_info_at(line, "WHOAMI", &ti, groups, name, id, level,
			  want_name);
}

/* WHOAMI: the calling thread does not impersonate (ENOENT). */
static int ck_not_impersonating_at(int line, int dev)
{
	struct ksspi_token_info ti = {};
	int ret = ksspi_whoami(dev, &ti);

	if (ret != -ENOENT)
		return fail_at(line, "WHOAMI returned %d (%s), expected -ENOENT (uid %u)",
			       ret, strerror(-ret), ti.uid);
	return 0;
}

#define CK_TOKEN(tok, id, lvl, name) \
	CK_OK(ck_token_at(__LINE__, tok, id, lvl, name))
#define CK_WHOAMI(dev, id, lvl, name) \
	CK_OK(ck_whoami_at(__LINE__, dev, id, lvl, name))
#define CK_NOT_IMPERSONATING(dev) \
	CK_OK(ck_not_impersonating_at(__LINE__, dev))
#define ASSERT_TOKEN(tok, id, lvl, name) \
	RUN(ck_token_at(__LINE__, tok, id, lvl, name))
#define ASSERT_WHOAMI(dev, id, lvl, name) \
	RUN(ck_whoami_at(__LINE__, dev, id, lvl, name))
#define ASSERT_NOT_IMPERSONATING(dev) \
	RUN(ck_not_impersonating_at(__LINE__, dev))

/* ---- descriptors over SCM_RIGHTS ---- */

static int send_fd(int sock, int fd, int32_t data)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == sizeof(data) ? 0 : -1;
}

/* Returns the descriptor received, or -1 (then *data says why). */
static int recv_fd(int sock, int32_t *data)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(*data) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	*data = -EIO;
	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != sizeof(*data))
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * Credentials of @id: acquired by a forked child that really is @id and
 * handed back over SCM_RIGHTS.  Returns the descriptor or -errno.
 */
static int acquire_as(const struct ident *id, uint32_t use,
		      const char *principal)
{
	int sv[2], fd, st;
	int32_t err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int dev, cred;

		close(sv[0]);
		cred = become_id(id);
		if (!cred) {
			dev = ksspi_open();
			cred = dev < 0 ? dev :
			       ksspi_acquire_credentials(dev, "local", use,
							 principal, NULL);
		}
		_exit(send_fd(sv[1], cred, cred < 0 ? cred : 0) ? 1 : 0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0], &err);
	close(sv[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		if (fd >= 0)
			close(fd);
		return -ECHILD;
	}
	return fd >= 0 ? fd : (err < 0 ? err : -EIO);
}

static void server_target(char *buf, size_t size, const struct ident *server)
{
	uid_principal(buf, size, SERVICE, server->uid);
}

/*
 * @client authenticates (ISC @isc) to @server's "fileserver/uid:N"
 * principal (ASC @asc); both credentials are acquired by their owners, the
 * legs run in the calling process.  Returns the acceptor's status and
 * leaves the established acceptor context in *@actx (-1 when none).
 */
static int32_t establish(const struct ident *client, uint32_t isc,
			 const struct ident *server, uint32_t asc, int *actx)
{
	char target[64];
	int icred, acred, ictx = -1;
	int32_t st;

	*actx = -1;
	server_target(target, sizeof(target), server);
	icred = acquire_as(client, SECPKG_CRED_OUTBOUND, NULL);
	acred = acquire_as(server, SECPKG_CRED_INBOUND, target);
	if (icred < 0 || acred < 0) {
		fail_at(__LINE__, "acquire: %d/%d", icred, acred);
		st = SEC_E_NO_CREDENTIALS;
	} else {
		st = local_handshake(icred, acred, target, isc, asc, &ictx,
				     actx);
	}
	if (st != SEC_E_OK && *actx >= 0) {
		close(*actx);
		*actx = -1;
	}
	if (ictx >= 0)
		close(ictx);
	if (icred >= 0)
		close(icred);
	if (acred >= 0)
		close(acred);
	return st;
}

/* An established acceptor context, or the test fails. */
#define ESTABLISH(client, isc, server, asc) ({				\
	int _ctx;							\
	ASSERT_ST(SEC_E_OK, establish(client, isc, server, asc, &_ctx)); \
	ASSERT_LE(0, _ctx);						\
	_ctx;								\
})

/* QuerySecurityContextToken, or the test fails. */
#define GET_TOKEN(ctx) ({						\
	int _tok = ksspi_query_security_context_token(ctx);		\
	ASSERT_LE(0, _tok);						\
	_tok;								\
})

static int spawn(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

/* 0 if @pid exited 0; otherwise a failure (reported if it was not). */
static int reap(pid_t pid)
{
	int st;

	if (pid < 0)
		return fail_at(__LINE__, "fork failed");
	if (waitpid(pid, &st, 0) != pid)
		return fail_at(__LINE__, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return 0;
	if (WIFEXITED(st))
		return report->line ? 1 : fail_at(__LINE__, "child exited %d",
						  WEXITSTATUS(st));
	return fail_at(__LINE__, "child killed by signal %d", WTERMSIG(st));
}

static int run_child(int (*fn)(void *), void *arg)
{
	return reap(spawn(fn, arg));
}

/* Capability sets of the calling thread (raw capset: no libcap). */
static int set_caps(uint64_t prm, uint64_t eff)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	d[0].permitted = prm;
	d[1].permitted = prm >> 32;
	d[0].effective = eff;
	d[1].effective = eff >> 32;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

#define CAPB(c)		(1ULL << (c))

/* ---- the per-test environment ---- */

struct env {
	pid_t pid;		/* the test process (not a forked child) */
	int dev;
	struct ids root;	/* the test process as it started */
	char allow_root[16];
	char lifetime[32];
};

static int read_param(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/ksspi/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_at(__LINE__, "open %s: %s", path, strerror(errno));
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return fail_at(__LINE__, "read %s", path);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int env_setup(struct env *e)
{
	char path[128];
	int i, fd;

	e->pid = getpid();
	e->dev = -1;
	CK_EQ(0, geteuid());
	snprintf(g_dir, sizeof(g_dir), "/tmp/ksspi-imp.XXXXXX");
	CK(mkdtemp(g_dir));
	CK_EQ(0, chmod(g_dir, 0755));
	for (i = 0; i < NFILES; i++) {
		const struct tfile *t = &tfiles[i];

		snprintf(path, sizeof(path), "%s/%s", g_dir, t->name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		CK(fd >= 0);
		CK_EQ(strlen(t->name), write(fd, t->name, strlen(t->name)));
		CK_EQ(0, fchown(fd, t->uid, t->gid));
		CK_EQ(0, fchmod(fd, t->mode));
		close(fd);
	}
	e->dev = ksspi_open();
	CK(e->dev >= 0);
	CK_SNAP(&e->root);
	CK_EQ(0, e->root.uid[1]);
	CK(e->root.cap_eff & CAPB(CAP_SETUID));
	CK(e->root.cap_eff & CAPB(CAP_DAC_OVERRIDE));
	CK_OK(read_param("allow_root", e->allow_root, sizeof(e->allow_root)));
	CK_OK(read_param("context_lifetime", e->lifetime,
			 sizeof(e->lifetime)));
	CK_ACCESS(RD_ALL);
	return 0;
}

static void env_teardown(struct env *e)
{
	struct dirent *de;
	char path[512];
	DIR *d;

	/* A forked child that unwound into here leaves it to the test. */
	if (getpid() != e->pid)
		return;
	/* A test that failed while its main thread impersonated. */
	if (e->dev >= 0) {
		revert(e->dev);
		close(e->dev);
	}
	if (geteuid())
		return;
	set_param("allow_root", e->allow_root);
	set_param("context_lifetime", e->lifetime);
	d = opendir(g_dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", g_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(g_dir);
}

FIXTURE(imp) {
	struct env e;
};

FIXTURE_SETUP(imp)
{
	RUN(env_setup(&self->e));
}

FIXTURE_TEARDOWN(imp)
{
	env_teardown(&self->e);
}

/* ---- 1. a root server impersonates alice ---- */

FIXTURE(root_server) {
	struct env e;
};

FIXTURE_VARIANT(root_server) {
	bool on_token;		/* IMPERSONATE on the token fd, not the context */
	bool revert_on_dev;	/* REVERT on /dev/ksspi */
};

FIXTURE_VARIANT_ADD(root_server, context_fd) { .on_token = false };
FIXTURE_VARIANT_ADD(root_server, token_fd) { .on_token = true };
FIXTURE_VARIANT_ADD(root_server, token_fd_revert_on_dev) {
	.on_token = true, .revert_on_dev = true,
};

FIXTURE_SETUP(root_server)
{
	RUN(env_setup(&self->e));
}

FIXTURE_TEARDOWN(root_server)
{
	env_teardown(&self->e);
}

/*
 * Root impersonates alice at impersonation level: alice's files and her
 * group's open, nobody else's; no capability is left; revert gives back
 * root with every capability.  Twice, the second time from the token's
 * cached credentials.
 */
TEST_F(root_server, impersonate_alice)
{
	struct ids alice = ids_of(&id_alice, 0);
	int actx, tok, fd, rfd, round;
	uint32_t level;

	actx = ESTABLISH(&id_alice, 0, &id_root, 0);
	tok = GET_TOKEN(actx);
	ASSERT_TOKEN(tok, &id_alice, SECURITY_IMPERSONATION, "uid:2001");
	fd = variant->on_token ? tok : actx;
	rfd = variant->revert_on_dev ? self->e.dev : fd;

	for (round = 0; round < 2; round++) {
		ASSERT_IDS(&self->e.root);
		ASSERT_ACCESS(RD_ALL);
		ASSERT_NOT_IMPERSONATING(self->e.dev);

		level = 99;
		ASSERT_ST(SEC_E_OK, impersonate(fd, &level));
		ASSERT_EQ(SECURITY_IMPERSONATION, level);
		ASSERT_EQ(ALICE_UID, geteuid());
		ASSERT_IDS(&alice);
		ASSERT_ACCESS(RD_ALICE);
		ASSERT_WHOAMI(self->e.dev, &id_alice, SECURITY_IMPERSONATION,
			      "uid:2001");

		ASSERT_ST(SEC_E_OK, revert(rfd));
		ASSERT_EQ(0, geteuid());
		ASSERT_IDS(&self->e.root);
		ASSERT_ACCESS(RD_ALL);
		ASSERT_NOT_IMPERSONATING(self->e.dev);
		/* Nothing left to revert, on any of the descriptors. */
		ASSERT_ST(SEC_E_NO_IMPERSONATION, revert(rfd));
		ASSERT_ST(SEC_E_NO_IMPERSONATION, revert(actx));
		ASSERT_ST(SEC_E_NO_IMPERSONATION, revert(tok));
		ASSERT_IDS(&self->e.root);
	}
	close(tok);
	close(actx);
}

/* ---- 2, 3. levels x servers with and without the privilege ---- */

enum server_kind {
	SRV_ROOT,		/* uid 0, every capability */
	SRV_UNPRIV,		/* uid 2050, no capability */
	SRV_SETID_CAPS,		/* uid 2050 with CAP_SETUID and CAP_SETGID */
	SRV_SETUID_ONLY,	/* uid 2050 with CAP_SETUID alone */
	SRV_ROOT_NO_SETGID,	/* uid 0 without CAP_SETGID in effect */
};

enum outcome { AS_CLIENT, AS_ANON, UNCHANGED };

FIXTURE(levels) {
	struct env e;
	struct ksspi_hidden_helper hidden;
};

FIXTURE_VARIANT(levels) {
	enum server_kind server;
	uint32_t isc;
	uint32_t asc;
	int32_t accept;		/* the acceptor's status */
	uint32_t level;		/* the token's level */
	bool anon_token;	/* the token names "anonymous" 65534 */
	int32_t impersonate;	/* IMPERSONATE's status */
	enum outcome outcome;
};

FIXTURE_VARIANT_ADD(levels, root_anonymous) {
	.server = SRV_ROOT, .isc = ISC_REQ_NULL_SESSION,
	.asc = ASC_REQ_ALLOW_NULL_SESSION, .level = SECURITY_ANONYMOUS,
	.anon_token = true, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, root_anonymous_refused) {
	.server = SRV_ROOT, .isc = ISC_REQ_NULL_SESSION,
	.accept = SEC_E_LOGON_DENIED,
};
FIXTURE_VARIANT_ADD(levels, root_identify) {
	.server = SRV_ROOT, .isc = ISC_REQ_IDENTIFY,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, root_asc_identify) {
	.server = SRV_ROOT, .asc = ASC_REQ_IDENTIFY,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, root_impersonation) {
	.server = SRV_ROOT, .level = SECURITY_IMPERSONATION,
	.outcome = AS_CLIENT,
};
FIXTURE_VARIANT_ADD(levels, root_delegation) {
	.server = SRV_ROOT, .isc = ISC_REQ_DELEGATE,
	.level = SECURITY_DELEGATION, .outcome = AS_CLIENT,
};
FIXTURE_VARIANT_ADD(levels, unpriv_anonymous) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_NULL_SESSION,
	.asc = ASC_REQ_ALLOW_NULL_SESSION, .level = SECURITY_ANONYMOUS,
	.anon_token = true, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, unpriv_anonymous_refused) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_NULL_SESSION,
	.asc = ASC_REQ_IDENTIFY, .accept = SEC_E_LOGON_DENIED,
};
FIXTURE_VARIANT_ADD(levels, unpriv_identify) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_IDENTIFY,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, unpriv_asc_identify) {
	.server = SRV_UNPRIV, .asc = ASC_REQ_IDENTIFY,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, unpriv_delegate_capped_by_asc_identify) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_DELEGATE,
	.asc = ASC_REQ_IDENTIFY, .level = SECURITY_IDENTIFICATION,
	.outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, unpriv_identify_and_delegate) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_IDENTIFY | ISC_REQ_DELEGATE,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, unpriv_impersonation) {
	.server = SRV_UNPRIV, .level = SECURITY_IMPERSONATION,
	.impersonate = SEC_E_NO_IMPERSONATION, .outcome = UNCHANGED,
};
FIXTURE_VARIANT_ADD(levels, unpriv_delegation) {
	.server = SRV_UNPRIV, .isc = ISC_REQ_DELEGATE,
	.level = SECURITY_DELEGATION,
	.impersonate = SEC_E_NO_IMPERSONATION, .outcome = UNCHANGED,
};
FIXTURE_VARIANT_ADD(levels, setid_caps_impersonation) {
	.server = SRV_SETID_CAPS, .level = SECURITY_IMPERSONATION,
	.outcome = AS_CLIENT,
};
FIXTURE_VARIANT_ADD(levels, setid_caps_delegation) {
	.server = SRV_SETID_CAPS, .isc = ISC_REQ_DELEGATE,
	.level = SECURITY_DELEGATION, .outcome = AS_CLIENT,
};
FIXTURE_VARIANT_ADD(levels, setuid_only_impersonation) {
	.server = SRV_SETUID_ONLY, .level = SECURITY_IMPERSONATION,
	.impersonate = SEC_E_NO_IMPERSONATION, .outcome = UNCHANGED,
};
FIXTURE_VARIANT_ADD(levels, setuid_only_identify) {
	.server = SRV_SETUID_ONLY, .isc = ISC_REQ_IDENTIFY,
	.level = SECURITY_IDENTIFICATION, .outcome = AS_ANON,
};
FIXTURE_VARIANT_ADD(levels, root_without_setgid_impersonation) {
	.server = SRV_ROOT_NO_SETGID, .level = SECURITY_IMPERSONATION,
	.impersonate = SEC_E_NO_IMPERSONATION, .outcome = UNCHANGED,
};

FIXTURE_SETUP(levels)
{
	/*
	 * These cases are about what the kernel does alone: no helper may
	 * donate anonymous credentials, whatever earlier tests configured
	 * (upcall_test covers the donor).
	 */
	ASSERT_EQ(0, ksspi_hide_helper(&self->hidden));
	RUN(env_setup(&self->e));
}

FIXTURE_TEARDOWN(levels)
{
	env_teardown(&self->e);
	ksspi_unhide_helper(&self->hidden);
}

struct lv {
	const FIXTURE_VARIANT(levels) *v;
	const struct env *e;
	int sock;		/* to the other process */
	int other;		/* the other process' end, to close */
	char target[64];
};

/* alice's process: one leg towards the server's principal. */
static int lv_client(void *p)
{
	struct lv *a = p;
	uint8_t tok[TOKBUF];
	size_t len = sizeof(tok);
	uint32_t flags;
	int dev, cred, ctx = -1;

	close(a->other);
	CK_EQ(0, become_id(&id_alice));
	dev = ksspi_open();
	CK(dev >= 0);
	cred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_OUTBOUND,
					 NULL, NULL);
	CK(cred >= 0);
	CK_ST(SEC_E_OK, ksspi_initialize_security_context(cred, &ctx,
							  a->target,
							  a->v->isc, NULL, 0,
							  tok, &len, &flags));
	CK_EQ(0, send_token(a->sock, tok, len));
	return 0;
}

/* Makes the calling (single-threaded, root) process the server @k. */
static int become_server_kind(enum server_kind k, const struct ids *root,
			      struct ids *want)
{
	const uint64_t setid = CAPB(CAP_SETUID) | CAPB(CAP_SETGID);

	switch (k) {
	case SRV_ROOT:
		*want = *root;
		return 0;
	case SRV_UNPRIV:
		CK_EQ(0, become_id(&id_server));
		*want = ids_of(&id_server, 0);
		return 0;
	case SRV_SETID_CAPS:
	case SRV_SETUID_ONLY: {
		uint64_t caps = k == SRV_SETID_CAPS ? setid : CAPB(CAP_SETUID);

		CK_EQ(0, prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		CK_EQ(0, become_id(&id_server));
		CK_EQ(0, set_caps(caps, caps));
		*want = ids_of(&id_server, caps);
		return 0;
	}
	case SRV_ROOT_NO_SETGID:
		CK_EQ(0, set_caps(root->cap_prm,
				  root->cap_eff & ~CAPB(CAP_SETGID)));
		*want = *root;
		want->cap_eff &= ~CAPB(CAP_SETGID);
		return 0;
	}
	return fail_at(__LINE__, "server kind %d", k);
}

static unsigned int readable_by_kind(enum server_kind k)
{
	return k == SRV_ROOT || k == SRV_ROOT_NO_SETGID ? RD_ALL : RD_SERVER;
}

/* IMPERSONATE on @fd as the variant says, then back. */
static int lv_impersonate(const struct lv *a, int dev, int fd,
			  const struct ids *before)
{
	const FIXTURE_VARIANT(levels) *v = a->v;
	const struct ident *tid = v->anon_token ? &id_anon : &id_alice;
	const char *tname = v->anon_token ? "anonymous" : "uid:2001";
	struct ids during;
	uint32_t level = 99;

	CK_NOT_IMPERSONATING(dev);
	/*
	 * Anonymous credentials cannot be installed on a user thread (there
	 * is no task of the overflow uid to account it to): refused, and the
	 * thread is unchanged.  In-kernel callers do get them.
	 */
	CK_ST(v->outcome == AS_ANON ? SEC_E_NO_IMPERSONATION : v->impersonate,
	      impersonate(fd, &level));
	switch (v->outcome) {
	case AS_CLIENT:
		CK_EQ(v->level, level);
		during = ids_of(&id_alice, 0);
		CK_IDS(&during);
		CK_ACCESS(RD_ALICE);
		/* The token still tells who the client is. */
		CK_WHOAMI(dev, tid, v->level, tname);
		CK_ST(SEC_E_OK, revert(fd));
		break;
	case AS_ANON:
	case UNCHANGED:
		CK_EQ(0, level);
		CK_IDS(before);
		CK_ACCESS(readable_by_kind(v->server));
		CK_NOT_IMPERSONATING(dev);
		CK_ST(SEC_E_NO_IMPERSONATION, revert(fd));
		break;
	}
	CK_IDS(before);
	CK_ACCESS(readable_by_kind(v->server));
	CK_NOT_IMPERSONATING(dev);
	return 0;
}

/* The server's process: accept, look at the token, impersonate it. */
static int lv_server(void *p)
{
	struct lv *a = p;
	const FIXTURE_VARIANT(levels) *v = a->v;
	struct ksspi_context_info ci = {};
	uint8_t in[TOKBUF], out[TOKBUF];
	uint32_t in_len, flags = 0, want_flag;
	size_t out_len = sizeof(out);
	int dev, cred, ctx = -1, tok;
	struct ids before;

	close(a->other);
	CK_OK(become_server_kind(v->server, &a->e->root, &before));
	CK_IDS(&before);
	CK_ACCESS(readable_by_kind(v->server));

	dev = ksspi_open();
	CK(dev >= 0);
	cred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					 a->target, NULL);
	CK(cred >= 0);
	CK_EQ(0, recv_token(a->sock, in, sizeof(in), &in_len));
	CK_ST(v->accept, ksspi_accept_security_context(cred, &ctx, v->asc, in,
						       in_len, out, &out_len,
						       &flags));
	if (v->accept != SEC_E_OK) {
		CK_EQ(-1, ctx);
		CK_IDS(&before);
		return 0;
	}
	CK_EQ(0, out_len);
	want_flag = v->level == SECURITY_ANONYMOUS ? ASC_RET_NULL_SESSION :
		    v->level == SECURITY_IDENTIFICATION ? ASC_RET_IDENTIFY :
		    v->level == SECURITY_DELEGATION ? ASC_RET_DELEGATE : 0;
	CK_EQ(want_flag, flags & (ASC_RET_NULL_SESSION | ASC_RET_IDENTIFY |
				  ASC_RET_DELEGATE));

	ci.mask = KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
	CK_EQ(0, ksspi_query_context(ctx, &ci));
	CK_EQ(KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN), ci.mask);
	CK_EQ(v->level, ci.level);

	tok = ksspi_query_security_context_token(ctx);
	CK(tok >= 0);
	if (v->anon_token)
		CK_TOKEN(tok, &id_anon, v->level, "anonymous");
	else
		CK_TOKEN(tok, &id_alice, v->level, "uid:2001");

	/* On the context, then on its token: the same rules. */
	CK_OK(lv_impersonate(a, dev, ctx, &before));
	CK_OK(lv_impersonate(a, dev, tok, &before));
	return 0;
}

/*
 * alice's process and the server's process over a socketpair; the server
 * impersonates what it accepted.  Below impersonation level anyone may
 * impersonate and gets anonymous credentials; at impersonation level and
 * above only a thread with CAP_SETUID and CAP_SETGID.
 */
TEST_F(levels, impersonate)
{
	const struct ident *server = variant->server == SRV_ROOT ||
				     variant->server == SRV_ROOT_NO_SETGID ?
				     &id_root : &id_server;
	struct lv a = { .v = variant, .e = &self->e };
	pid_t cli, srv;
	int sv[2], r;

	server_target(a.target, sizeof(a.target), server);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	report_reset();
	a.sock = sv[0];
	a.other = sv[1];
	cli = spawn(lv_client, &a);
	a.sock = sv[1];
	a.other = sv[0];
	srv = spawn(lv_server, &a);
	close(sv[0]);
	close(sv[1]);
	r = reap(srv);
	r |= reap(cli);
	if (r)
		TH_LOG("line %d: %s", report->line, report->msg);
	ASSERT_EQ(0, r);
	/* The test process itself never changed. */
	ASSERT_IDS(&self->e.root);
}

/* ---- 4. a user impersonating herself ---- */

struct own {
	int dev;
	int bob_cred;		/* bob's OUTBOUND credentials */
	int alice_cred;		/* alice's (with staff) OUTBOUND credentials */
};

/* alice, unprivileged, serves herself and bob. */
static int own_alice_server(void *p)
{
	struct own *o = p;
	struct ids alice = ids_of(&id_alice, 0);
	char target[64];
	int in, out, ictx, actx, tok;
	uint32_t level;

	CK_EQ(0, become_alice());
	CK_IDS(&alice);
	server_target(target, sizeof(target), &id_alice);
	in = ksspi_acquire_credentials(o->dev, "local", SECPKG_CRED_INBOUND,
				       target, NULL);
	CK(in >= 0);
	out = ksspi_acquire_credentials(o->dev, "local", SECPKG_CRED_OUTBOUND,
					NULL, NULL);
	CK(out >= 0);

	/* Her own token, at impersonation level: allowed. */
	CK_ST(SEC_E_OK, local_handshake(out, in, target, 0, 0, &ictx, &actx));
	tok = ksspi_query_security_context_token(actx);
	CK(tok >= 0);
	CK_TOKEN(tok, &id_alice, SECURITY_IMPERSONATION, "uid:2001");
	CK_ST(SEC_E_OK, impersonate(actx, &level));
	CK_EQ(SECURITY_IMPERSONATION, level);
	CK_IDS(&alice);
	CK_ACCESS(RD_ALICE);
	CK_WHOAMI(o->dev, &id_alice, SECURITY_IMPERSONATION, "uid:2001");
	CK_ST(SEC_E_OK, revert(o->dev));
	CK_NOT_IMPERSONATING(o->dev);
	CK_IDS(&alice);
	close(tok);
	close(actx);
	close(ictx);

	/* bob authenticates to alice: she may not become him. */
	CK_ST(SEC_E_OK, local_handshake(o->bob_cred, in, target, 0, 0, &ictx,
					&actx));
	tok = ksspi_query_security_context_token(actx);
	CK(tok >= 0);
	CK_TOKEN(tok, &id_bob, SECURITY_IMPERSONATION, "uid:2002");
	level = 99;
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(actx, &level));
	CK_EQ(0, level);
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(tok, &level));
	CK_IDS(&alice);
	CK_ACCESS(RD_ALICE);
	CK_NOT_IMPERSONATING(o->dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(o->dev));
	CK_IDS(&alice);

	close(tok);
	close(actx);
	close(ictx);
	return 0;
}

/* alice with more groups than her token: dropping some is fine. */
static int own_alice_more_groups(void *p)
{
	struct own *o = p;
	const struct ident alice_more = {
		.uid = ALICE_UID, .gid = ALICE_GID, .ngroups = 2,
		.groups = { STAFF_GID, 2200 },
	};
	struct ids alice = ids_of(&id_alice, 0);
	struct ids more = ids_of(&alice_more, 0);
	char target[64];
	int in, ictx, actx;
	uint32_t level = 99;

	CK_EQ(0, become_id(&alice_more));
	CK_IDS(&more);
	server_target(target, sizeof(target), &id_alice);
	in = ksspi_acquire_credentials(o->dev, "local", SECPKG_CRED_INBOUND,
				       target, NULL);
	CK(in >= 0);
	CK_ST(SEC_E_OK, local_handshake(o->alice_cred, in, target, 0, 0,
					&ictx, &actx));
	CK_ST(SEC_E_OK, impersonate(actx, &level));
	CK_EQ(SECURITY_IMPERSONATION, level);
	CK_IDS(&alice);
	CK_ACCESS(RD_ALICE);
	CK_ST(SEC_E_OK, revert(actx));
	CK_IDS(&more);
	return 0;
}

/* alice without her staff group: her token would add it, so no. */
static int own_alice_fewer_groups(void *p)
{
	struct own *o = p;
	const struct ident alice_nostaff = { .uid = ALICE_UID,
					     .gid = ALICE_GID };
	struct ids nostaff = ids_of(&alice_nostaff, 0);
	char target[64];
	int in, ictx, actx;
	uint32_t level = 99;

	CK_EQ(0, become_id(&alice_nostaff));
	CK_IDS(&nostaff);
	CK_ACCESS(RD(ALICE) | RD(ANON));
	server_target(target, sizeof(target), &id_alice);
	in = ksspi_acquire_credentials(o->dev, "local", SECPKG_CRED_INBOUND,
				       target, NULL);
	CK(in >= 0);
	CK_ST(SEC_E_OK, local_handshake(o->alice_cred, in, target, 0, 0,
					&ictx, &actx));
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(actx, &level));
	CK_EQ(0, level);
	CK_IDS(&nostaff);
	CK_ACCESS(RD(ALICE) | RD(ANON));
	CK_NOT_IMPERSONATING(o->dev);
	return 0;
}

/*
 * Own identity: an unprivileged alice may impersonate a token naming
 * herself, but not bob, and not herself with a group she lacks.
 */
TEST_F(imp, own_identity)
{
	struct own o = { .dev = self->e.dev };

	o.bob_cred = acquire_as(&id_bob, SECPKG_CRED_OUTBOUND, NULL);
	ASSERT_LE(0, o.bob_cred);
	o.alice_cred = acquire_as(&id_alice, SECPKG_CRED_OUTBOUND, NULL);
	ASSERT_LE(0, o.alice_cred);
	RUN(run_child(own_alice_server, &o));
	RUN(run_child(own_alice_more_groups, &o));
	RUN(run_child(own_alice_fewer_groups, &o));
	close(o.bob_cred);
	close(o.alice_cred);
}

/* ---- 5. impersonating twice, one revert ---- */

TEST_F(imp, double_impersonation_one_revert)
{
	struct ids alice = ids_of(&id_alice, 0), bob = ids_of(&id_bob, 0);
	int a, b;
	uint32_t level;

	a = ESTABLISH(&id_alice, 0, &id_root, 0);
	b = ESTABLISH(&id_bob, 0, &id_root, 0);

	ASSERT_ST(SEC_E_OK, impersonate(a, &level));
	ASSERT_IDS(&alice);
	/* Allowed: the check is made against root's own credentials. */
	level = 99;
	ASSERT_ST(SEC_E_OK, impersonate(b, &level));
	ASSERT_EQ(SECURITY_IMPERSONATION, level);
	ASSERT_IDS(&bob);
	ASSERT_ACCESS(RD_BOB);
	ASSERT_WHOAMI(self->e.dev, &id_bob, SECURITY_IMPERSONATION,
		      "uid:2002");
	/* And back to alice, still as root's deputy. */
	ASSERT_ST(SEC_E_OK, impersonate(a, &level));
	ASSERT_IDS(&alice);
	ASSERT_ACCESS(RD_ALICE);

	/* One revert: root, entirely. */
	ASSERT_ST(SEC_E_OK, revert(b));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	ASSERT_NOT_IMPERSONATING(self->e.dev);
	ASSERT_ST(SEC_E_NO_IMPERSONATION, revert(self->e.dev));
	ASSERT_IDS(&self->e.root);
	close(a);
	close(b);
}

struct nested {
	int dev;
	int own_ctx;		/* the server's own identity */
	int imp_ctx;		/* alice at impersonation level */
};

/* An unprivileged server's failed second impersonation keeps the first. */
static int nested_unpriv(void *p)
{
	struct nested *n = p;
	struct ids server = ids_of(&id_server, 0);
	uint32_t level;

	CK_EQ(0, become_server());
	CK_ST(SEC_E_OK, impersonate(n->own_ctx, &level));
	CK_EQ(SECURITY_IMPERSONATION, level);
	CK_IDS(&server);
	level = 99;
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(n->imp_ctx, &level));
	CK_EQ(0, level);
	/* Never a half-changed thread: still the first impersonation. */
	CK_IDS(&server);
	CK_ACCESS(RD_SERVER);
	CK_WHOAMI(n->dev, &id_server, SECURITY_IMPERSONATION, "uid:2050");
	CK_ST(SEC_E_OK, revert(n->dev));
	CK_IDS(&server);
	CK_ACCESS(RD_SERVER);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(n->dev));
	return 0;
}

TEST_F(imp, nested_denied_keeps_first)
{
	struct nested n = { .dev = self->e.dev };

	n.own_ctx = ESTABLISH(&id_server, 0, &id_server, 0);
	n.imp_ctx = ESTABLISH(&id_alice, 0, &id_server, 0);
	RUN(run_child(nested_unpriv, &n));
	close(n.own_ctx);
	close(n.imp_ctx);
}

/* ---- 6. threads ---- */

struct thr {
	int dev;
	int ctx;
	const struct ids *root;
	const struct ids *alice;
	pthread_barrier_t impersonated;
	pthread_barrier_t checked;
	pid_t tid;
	int result;
};

/* A thread born while its creator impersonates: alice, but no revert. */
static int born_impersonating(struct thr *t)
{
	CK_IDS(t->alice);
	CK_ACCESS(RD_ALICE);
	CK_NOT_IMPERSONATING(t->dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(t->dev));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(t->ctx));
	CK_IDS(t->alice);
	CK_ACCESS(RD_ALICE);
	return 0;
}

static void *born_impersonating_thread(void *p)
{
	struct thr *t = p;

	t->result = born_impersonating(t);
	return NULL;
}

static int thread_a_first(struct thr *t)
{
	uint32_t level;

	t->tid = gettid();
	CK_ST(SEC_E_OK, impersonate(t->ctx, &level));
	CK_IDS(t->alice);
	CK_ACCESS(RD_ALICE);
	return 0;
}

static int thread_a_second(struct thr *t)
{
	struct thr child = *t;
	pthread_t c;

	/* B's revert did nothing to A. */
	CK_IDS(t->alice);
	CK_WHOAMI(t->dev, &id_alice, SECURITY_IMPERSONATION, "uid:2001");

	child.result = -1;
	CK_EQ(0, pthread_create(&c, NULL, born_impersonating_thread, &child));
	CK_EQ(0, pthread_join(c, NULL));
	if (child.result)
		return 1;
	CK_IDS(t->alice);

	CK_ST(SEC_E_OK, revert(t->dev));
	CK_IDS(t->root);
	CK_ACCESS(RD_ALL);
	CK_NOT_IMPERSONATING(t->dev);
	return 0;
}

static void *thread_a(void *p)
{
	struct thr *t = p;
	int r = thread_a_first(t);

	pthread_barrier_wait(&t->impersonated);
	pthread_barrier_wait(&t->checked);
	if (!r)
		r = thread_a_second(t);
	t->result = r;
	return NULL;
}

/* Thread B, while thread A impersonates. */
static int thread_b(struct thr *t)
{
	CK_NOT_IMPERSONATING(t->dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(t->dev));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(t->ctx));
	CK_IDS(t->root);
	CK_ACCESS(RD_ALL);
	CK_TASK_IDS(t->tid, t->alice);
	return 0;
}

/*
 * Credentials are per thread: another thread cannot revert A's
 * impersonation, nor can a thread A creates while impersonating (it is
 * born alice and stays alice).
 */
TEST_F(imp, revert_from_other_thread)
{
	struct ids alice = ids_of(&id_alice, 0);
	struct thr t = {
		.dev = self->e.dev, .root = &self->e.root, .alice = &alice,
		.result = -1,
	};
	pthread_t a;
	int rb;

	t.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	ASSERT_EQ(0, pthread_barrier_init(&t.impersonated, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&t.checked, NULL, 2));
	report_reset();
	ASSERT_EQ(0, pthread_create(&a, NULL, thread_a, &t));
	pthread_barrier_wait(&t.impersonated);
	rb = report->line ? 1 : thread_b(&t);
	pthread_barrier_wait(&t.checked);
	ASSERT_EQ(0, pthread_join(a, NULL));
	if (rb || t.result)
		TH_LOG("line %d: %s", report->line, report->msg);
	ASSERT_EQ(0, rb);
	ASSERT_EQ(0, t.result);
	ASSERT_IDS(&self->e.root);
	close(t.ctx);
}

/* ---- 7. fork ---- */

struct forked {
	int dev, ctx, tok;
	const struct ids *alice;
};

static int forked_while_impersonating(void *p)
{
	struct forked *f = p;

	CK_IDS(f->alice);
	CK_NOT_IMPERSONATING(f->dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(f->dev));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(f->ctx));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(f->tok));
	CK_IDS(f->alice);
	CK_ACCESS(RD_ALICE);
	return 0;
}

TEST_F(imp, fork_while_impersonating)
{
	struct ids alice = ids_of(&id_alice, 0);
	struct forked f = { .dev = self->e.dev, .alice = &alice };
	uint32_t level;

	f.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	f.tok = GET_TOKEN(f.ctx);
	ASSERT_ST(SEC_E_OK, impersonate(f.ctx, &level));
	RUN(run_child(forked_while_impersonating, &f));
	/* The parent's own revert still works. */
	ASSERT_IDS(&alice);
	ASSERT_ST(SEC_E_OK, revert(f.tok));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	close(f.tok);
	close(f.ctx);
}

/* ---- any change of the thread's credentials voids the revert ---- */

struct changed {
	int dev, alice_ctx, bob_ctx;
};

static int change_then_revert(void *p)
{
	struct changed *c = p;
	struct ids alice = ids_of(&id_alice, 0);
	uint32_t level;

	CK_ST(SEC_E_OK, impersonate(c->alice_ctx, &level));
	CK_IDS(&alice);
	/* Commits new credentials, with the same ids. */
	CK_EQ(0, prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CK_IDS(&alice);
	CK_NOT_IMPERSONATING(c->dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(c->dev));
	CK_IDS(&alice);
	CK_ACCESS(RD_ALICE);
	/* And the privilege of the original credentials is gone too. */
	level = 99;
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(c->bob_ctx, &level));
	CK_EQ(0, level);
	CK_IDS(&alice);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(c->dev));
	CK_IDS(&alice);
	return 0;
}

TEST_F(imp, credential_change_voids_revert)
{
	struct changed c = { .dev = self->e.dev };

	c.alice_ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	c.bob_ctx = ESTABLISH(&id_bob, 0, &id_root, 0);
	RUN(run_child(change_then_revert, &c));
	close(c.alice_ctx);
	close(c.bob_ctx);
}

/* ---- 9. a token passed over SCM_RIGHTS ---- */

struct scm {
	int sock, other;
	const struct ident *id;
	int32_t want;		/* IMPERSONATE's status */
	unsigned int readable;	/* what @id opens */
};

static int scm_receiver(void *p)
{
	struct scm *s = p;
	struct ids self_ids = ids_of(s->id, 0), alice = ids_of(&id_alice, 0);
	uint32_t level = 99;
	int32_t data;
	int tok, dev;

	close(s->other);
	CK_EQ(0, become_id(s->id));
	CK_IDS(&self_ids);
	CK_ACCESS(s->readable);
	dev = ksspi_open();
	CK(dev >= 0);
	tok = recv_fd(s->sock, &data);
	CK(tok >= 0);
	/* Anyone holding the descriptor may read it... */
	CK_TOKEN(tok, &id_alice, SECURITY_IMPERSONATION, "uid:2001");
	/* ...but impersonating it needs the privilege or to be alice. */
	CK_ST(s->want, impersonate(tok, &level));
	if (s->want == SEC_E_OK) {
		CK_EQ(SECURITY_IMPERSONATION, level);
		CK_IDS(&alice);
		CK_ACCESS(RD_ALICE);
		CK_WHOAMI(dev, &id_alice, SECURITY_IMPERSONATION, "uid:2001");
		CK_ST(SEC_E_OK, revert(dev));
	} else {
		CK_EQ(0, level);
		CK_IDS(&self_ids);
		CK_ACCESS(s->readable);
		CK_NOT_IMPERSONATING(dev);
		CK_ST(SEC_E_NO_IMPERSONATION, revert(tok));
	}
	CK_IDS(&self_ids);
	CK_ACCESS(s->readable);
	CK_NOT_IMPERSONATING(dev);
	return 0;
}

TEST_F(imp, token_over_scm_rights)
{
	struct scm srv = {
		.id = &id_server, .want = SEC_E_NO_IMPERSONATION,
		.readable = RD_SERVER,
	};
	struct scm ali = {
		.id = &id_alice, .want = SEC_E_OK, .readable = RD_ALICE,
	};
	int s1[2], s2[2], ctx, tok;
	pid_t p1, p2;
	int r;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s1));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s2));
	report_reset();
	/* The receivers exist before the token: they get it only by SCM. */
	srv.sock = s1[1];
	srv.other = s1[0];
	p1 = spawn(scm_receiver, &srv);
	ali.sock = s2[1];
	ali.other = s2[0];
	p2 = spawn(scm_receiver, &ali);
	close(s1[1]);
	close(s2[1]);

	ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	tok = GET_TOKEN(ctx);
	ASSERT_EQ(0, send_fd(s1[0], tok, 0));
	r = reap(p1);
	ASSERT_EQ(0, send_fd(s2[0], tok, 0));
	r |= reap(p2);
	if (r)
		TH_LOG("line %d: %s", report->line, report->msg);
	ASSERT_EQ(0, r);
	close(s1[0]);
	close(s2[0]);
	close(tok);
	close(ctx);
}

/* ---- 10. supplementary groups ---- */

TEST_F(imp, supplementary_groups)
{
	struct ids carol = ids_of(&id_carol, 0), bob = ids_of(&id_bob, 0);
	int c, b, tok;
	uint32_t level;

	c = ESTABLISH(&id_carol, 0, &id_root, 0);
	b = ESTABLISH(&id_bob, 0, &id_root, 0);
	tok = GET_TOKEN(c);
	ASSERT_TOKEN(tok, &id_carol, SECURITY_IMPERSONATION, "uid:2003");

	ASSERT_ST(SEC_E_OK, impersonate(c, &level));
	ASSERT_IDS(&carol);
	/* staff opens through the group, not through the owner. */
	ASSERT_ACCESS(RD_CAROL);
	ASSERT_ST(SEC_E_OK, revert(c));
	ASSERT_IDS(&self->e.root);

	ASSERT_ST(SEC_E_OK, impersonate(b, &level));
	ASSERT_IDS(&bob);
	ASSERT_ACCESS(RD_BOB);
	ASSERT_ST(SEC_E_OK, revert(b));
	ASSERT_IDS(&self->e.root);
	close(tok);
	close(c);
	close(b);
}

/* ---- 11. user namespaces ---- */

struct userns {
	int dev;
	int alice_tok;		/* alice, impersonation level */
	int alice_ident;	/* alice, identification level */
	int server_tok;		/* uid 2050 itself */
	uint64_t full_caps;
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static int in_userns(void *p)
{
	struct userns *u = p;
	const struct ident ns_root = { .uid = 0, .gid = 0 };
	/* alice, her group and staff are not mapped in there. */
	const struct ident alice_unmapped = {
		.uid = ANON_UID, .gid = ANON_GID, .ngroups = 1,
		.groups = { ANON_GID },
	};
	struct ids inside = ids_of(&ns_root, u->full_caps);
	struct ids server_nocaps = ids_of(&ns_root, 0);
	uint32_t level;

	CK_EQ(0, become_server());
	/* The uid change made it undumpable, its id maps root's. */
	CK_EQ(0, prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	CK_EQ(0, unshare(CLONE_NEWUSER));
	CK_EQ(0, write_file("/proc/self/uid_map", "0 2050 1"));
	CK_EQ(0, write_file("/proc/self/setgroups", "deny"));
	CK_EQ(0, write_file("/proc/self/gid_map", "0 2050 1"));
	/* Root of its own namespace, with CAP_SETUID and CAP_SETGID there. */
	CK_IDS(&inside);
	CK_ACCESS(RD_SERVER);

	/* alice is not mapped here: she reads as the overflow ids. */
	CK_TOKEN(u->alice_tok, &alice_unmapped, SECURITY_IMPERSONATION,
		 "uid:2001");
	level = 99;
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(u->alice_tok, &level));
	CK_EQ(0, level);
	CK_IDS(&inside);
	CK_ACCESS(RD_SERVER);
	CK_NOT_IMPERSONATING(u->dev);

	/* Identification level: anonymous, which user threads cannot take. */
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(u->alice_ident, &level));
	CK_IDS(&inside);
	CK_ACCESS(RD_SERVER);
	CK_NOT_IMPERSONATING(u->dev);

	/* Its own identity, made outside: allowed, without the caps. */
	CK_ST(SEC_E_OK, impersonate(u->server_tok, &level));
	CK_EQ(SECURITY_IMPERSONATION, level);
	CK_IDS(&server_nocaps);
	CK_ACCESS(RD_SERVER);
	CK_WHOAMI(u->dev, &ns_root, SECURITY_IMPERSONATION, "uid:2050");
	CK_ST(SEC_E_OK, revert(u->dev));
	CK_IDS(&inside);
	CK_NOT_IMPERSONATING(u->dev);
	return 0;
}

TEST_F(imp, user_namespace)
{
	struct userns u = { .dev = self->e.dev };
	int a, i, s;

	u.full_caps = self->e.root.cap_eff;
	a = ESTABLISH(&id_alice, 0, &id_root, 0);
	i = ESTABLISH(&id_alice, ISC_REQ_IDENTIFY, &id_root, 0);
	s = ESTABLISH(&id_server, 0, &id_root, 0);
	u.alice_tok = GET_TOKEN(a);
	u.alice_ident = GET_TOKEN(i);
	u.server_tok = GET_TOKEN(s);
	ASSERT_TOKEN(u.server_tok, &id_server, SECURITY_IMPERSONATION,
		     "uid:2050");
	RUN(run_child(in_userns, &u));
	close(u.alice_tok);
	close(u.alice_ident);
	close(u.server_tok);
	close(a);
	close(i);
	close(s);
}

/*
 * A user namespace of uid 2050 into which root mapped alice (as 1) and her
 * groups: there the thread has CAP_SETUID and CAP_SETGID over alice's ids,
 * as it could setresuid() to her.  ksspi still refuses: the credentials it
 * installs carry the client's process accounting, which exists only in the
 * client's own user namespace (Documentation/security/impersonation.rst);
 * with one of her groups left unmapped the privilege check refuses first.
 */
FIXTURE(mapped_userns) {
	struct env e;
};

FIXTURE_VARIANT(mapped_userns) {
	bool map_staff;
};

FIXTURE_VARIANT_ADD(mapped_userns, all_ids_mapped) { .map_staff = true };
FIXTURE_VARIANT_ADD(mapped_userns, staff_unmapped) { .map_staff = false };

FIXTURE_SETUP(mapped_userns)
{
	RUN(env_setup(&self->e));
}

FIXTURE_TEARDOWN(mapped_userns)
{
	env_teardown(&self->e);
}

struct mapped {
	int dev, tok;
	bool map_staff;
	uint64_t full_caps;
	int ready[2], go[2];
};

static int mapped_child(void *p)
{
	struct mapped *m = p;
	const struct ident ns_root = { .uid = 0, .gid = 0 };
	const struct ident ns_alice = {
		.uid = 1, .gid = 1, .ngroups = 1, .groups = { 2 },
	};
	struct ids inside = ids_of(&ns_root, m->full_caps);
	/* CAP_DAC_OVERRIDE there covers files whose owner ids map. */
	const unsigned int readable = RD(SERVER) | RD(ALICE) | RD(ANON);
	uint32_t level = 99;
	char c;

	close(m->ready[0]);
	close(m->go[1]);
	CK_EQ(0, become_server());
	CK_EQ(0, prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	CK_EQ(0, unshare(CLONE_NEWUSER));
	CK_EQ(1, write(m->ready[1], "r", 1));
	CK_EQ(1, read(m->go[0], &c, 1));
	CK_IDS(&inside);
	CK_ACCESS(readable);

	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(m->tok, &level));
	CK_EQ(0, level);
	CK_IDS(&inside);
	CK_ACCESS(readable);
	CK_NOT_IMPERSONATING(m->dev);
	/* With every id mapped, alice reads as herself from in here. */
	if (m->map_staff)
		CK_TOKEN(m->tok, &ns_alice, SECURITY_IMPERSONATION, "uid:2001");
	return 0;
}

static int write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return write_file(path, map);
}

TEST_F(mapped_userns, impersonate)
{
	struct mapped m = {
		.dev = self->e.dev, .map_staff = variant->map_staff,
		.full_caps = self->e.root.cap_eff,
	};
	int ctx, r;
	pid_t pid;
	char c;

	ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	m.tok = GET_TOKEN(ctx);
	ASSERT_EQ(0, pipe2(m.ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(m.go, O_CLOEXEC));
	report_reset();
	pid = spawn(mapped_child, &m);
	ASSERT_LT(0, pid);
	close(m.ready[1]);
	close(m.go[0]);
	r = read(m.ready[0], &c, 1) == 1 ? 0 : 1;
	if (!r)
		r = write_map(pid, "uid_map", "0 2050 1\n1 2001 1\n") ||
		    write_map(pid, "gid_map", variant->map_staff ?
			      "0 2050 1\n1 2001 1\n2 2100 1\n" :
			      "0 2050 1\n1 2001 1\n");
	if (r)
		kill(pid, SIGKILL);
	else
		ASSERT_EQ(1, write(m.go[1], "g", 1));
	r |= reap(pid);
	if (r)
		TH_LOG("line %d: %s", report->line, report->msg);
	ASSERT_EQ(0, r);
	close(m.tok);
	close(ctx);
}

/* ---- 12. root identities ---- */

TEST_F(imp, root_identity_refused)
{
	const struct ident gid0 = { .uid = 2004, .gid = 0 };
	const struct ident group0 = {
		.uid = 2004, .gid = 2004, .ngroups = 1, .groups = { 0 },
	};
	int ctx, tok;

	ASSERT_EQ(0, set_param("allow_root", "N"));
	/* root's principal is "uid:0": the acceptor's leg refuses it. */
	ASSERT_ST(SEC_E_LOGON_DENIED,
		  establish(&id_root, 0, &id_server, 0, &ctx));
	ASSERT_EQ(-1, ctx);
	ASSERT_ST(SEC_E_LOGON_DENIED,
		  establish(&id_root, 0, &id_root, 0, &ctx));
	ASSERT_ST(SEC_E_LOGON_DENIED,
		  establish(&id_root, ISC_REQ_IDENTIFY, &id_server, 0, &ctx));
	ASSERT_ST(SEC_E_LOGON_DENIED,
		  establish(&id_root, ISC_REQ_DELEGATE, &id_server, 0, &ctx));
	/* gid 0, primary or supplementary, is root too. */
	ASSERT_ST(SEC_E_LOGON_DENIED, establish(&gid0, 0, &id_server, 0, &ctx));
	ASSERT_ST(SEC_E_LOGON_DENIED,
		  establish(&group0, 0, &id_server, 0, &ctx));
	ASSERT_EQ(-1, ctx);
	/* Anonymous names nobody: that root may do. */
	ctx = ESTABLISH(&id_root, ISC_REQ_NULL_SESSION, &id_server,
			ASC_REQ_ALLOW_NULL_SESSION);
	tok = GET_TOKEN(ctx);
	ASSERT_TOKEN(tok, &id_anon, SECURITY_ANONYMOUS, "anonymous");
	close(tok);
	close(ctx);
	ASSERT_IDS(&self->e.root);
}

struct rootok {
	int dev, ctx;
};

static int unpriv_root_token(void *p)
{
	struct rootok *r = p;
	struct ids server = ids_of(&id_server, 0);
	uint32_t level = 99;

	CK_EQ(0, become_server());
	CK_ST(SEC_E_NO_IMPERSONATION, impersonate(r->ctx, &level));
	CK_EQ(0, level);
	CK_IDS(&server);
	CK_ACCESS(RD_SERVER);
	CK_NOT_IMPERSONATING(r->dev);
	return 0;
}

/*
 * allow_root=Y: root logs on; an unprivileged server still cannot become
 * root, and a root server that does gets uid 0 without any capability.
 */
TEST_F(imp, root_identity_allowed_by_param)
{
	struct ids root_nocaps = ids_of(&id_root, 0);
	struct rootok r = { .dev = self->e.dev };
	int tok, ctx;
	uint32_t level;

	ASSERT_EQ(0, set_param("allow_root", "Y"));
	r.ctx = ESTABLISH(&id_root, 0, &id_server, 0);
	tok = GET_TOKEN(r.ctx);
	ASSERT_TOKEN(tok, &id_root, SECURITY_IMPERSONATION, "uid:0");
	RUN(run_child(unpriv_root_token, &r));

	ctx = ESTABLISH(&id_root, 0, &id_root, 0);
	ASSERT_ST(SEC_E_OK, impersonate(ctx, &level));
	ASSERT_EQ(SECURITY_IMPERSONATION, level);
	ASSERT_IDS(&root_nocaps);
	ASSERT_ACCESS(RD_ROOT_NOCAPS);
	ASSERT_WHOAMI(self->e.dev, &id_root, SECURITY_IMPERSONATION, "uid:0");
	ASSERT_ST(SEC_E_OK, revert(ctx));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	close(ctx);
	close(tok);
	close(r.ctx);
}

/* ---- 13. expiry ---- */

static int64_t token_expiry(int tok)
{
	struct ksspi_token_info ti = {};
	uint32_t groups[MAXGROUPS];

	ti.groups = (uintptr_t)groups;
	ti.ngroups = MAXGROUPS;
	return ksspi_query_token(tok, &ti) ? -1 : ti.expiry;
}

/* Sleeps until the realtime clock reads @t and a bit: time is the point. */
static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t, .tv_nsec = 100 * 1000 * 1000 };

	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

struct expired {
	int dev, ctx;
};

static int unpriv_expired(void *p)
{
	struct expired *x = p;
	struct ids server = ids_of(&id_server, 0);
	uint32_t level = 99;

	CK_EQ(0, become_server());
	/* Identification level would be anyone's, but not once expired. */
	CK_ST(SEC_E_CONTEXT_EXPIRED, impersonate(x->ctx, &level));
	CK_EQ(0, level);
	CK_IDS(&server);
	CK_ACCESS(RD_SERVER);
	CK_NOT_IMPERSONATING(x->dev);
	return 0;
}

TEST_F(imp, expired_context)
{
	struct expired x = { .dev = self->e.dev };
	int a, tok, itok;
	int64_t exp;
	uint32_t level = 99;

	ASSERT_EQ(0, set_param("context_lifetime", "1"));
	a = ESTABLISH(&id_alice, 0, &id_root, 0);
	x.ctx = ESTABLISH(&id_alice, ISC_REQ_IDENTIFY, &id_server, 0);
	tok = GET_TOKEN(a);
	itok = GET_TOKEN(x.ctx);
	exp = token_expiry(itok);
	ASSERT_LT(0, token_expiry(tok));
	ASSERT_LE(token_expiry(tok), exp);
	ASSERT_GE(time(NULL) + 1, exp);
	sleep_until(exp);

	ASSERT_ST(SEC_E_CONTEXT_EXPIRED, impersonate(a, &level));
	ASSERT_EQ(0, level);
	ASSERT_ST(SEC_E_CONTEXT_EXPIRED, impersonate(tok, &level));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	ASSERT_NOT_IMPERSONATING(self->e.dev);
	RUN(run_child(unpriv_expired, &x));
	close(itok);
	close(tok);
	close(x.ctx);
	close(a);
}

/* A context that expires under an impersonating thread. */
TEST_F(imp, expiry_while_impersonating)
{
	struct ids alice = ids_of(&id_alice, 0);
	int a, tok;
	int64_t exp;
	uint32_t level;

	ASSERT_EQ(0, set_param("context_lifetime", "3"));
	a = ESTABLISH(&id_alice, 0, &id_root, 0);
	tok = GET_TOKEN(a);
	exp = token_expiry(tok);
	ASSERT_LE(time(NULL) + 2, exp);
	ASSERT_GE(time(NULL) + 3, exp);
	ASSERT_ST(SEC_E_OK, impersonate(a, &level));
	sleep_until(exp);
	/* Nothing takes the credentials away... */
	ASSERT_IDS(&alice);
	ASSERT_WHOAMI(self->e.dev, &id_alice, SECURITY_IMPERSONATION,
		      "uid:2001");
	/* ...impersonating the expired context again changes nothing... */
	ASSERT_ST(SEC_E_CONTEXT_EXPIRED, impersonate(tok, &level));
	ASSERT_IDS(&alice);
	ASSERT_ACCESS(RD_ALICE);
	/* ...and the revert still works. */
	ASSERT_ST(SEC_E_OK, revert(self->e.dev));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	close(tok);
	close(a);
}

/* ---- 14. threads that exit impersonating, descriptors closed ---- */

struct exiting {
	int dev, ctx;
	const struct ids *alice;
	pthread_barrier_t in, out;
	pid_t tid;
	int result;
};

static int exiting_first(struct exiting *x)
{
	uint32_t level;

	x->tid = gettid();
	CK_ST(SEC_E_OK, impersonate(x->ctx, &level));
	CK_IDS(x->alice);
	return 0;
}

/* Impersonates, lets the main thread look, exits without reverting. */
static void *exiting_thread(void *p)
{
	struct exiting *x = p;
	int r = exiting_first(x);

	pthread_barrier_wait(&x->in);
	pthread_barrier_wait(&x->out);
	x->result = r;
	return NULL;
}

static int main_while_other_impersonates(struct exiting *x,
					 const struct ids *root)
{
	CK_IDS(root);
	CK_ACCESS(RD_ALL);
	CK_NOT_IMPERSONATING(x->dev);
	CK_TASK_IDS(x->tid, x->alice);
	return 0;
}

TEST_F(imp, thread_exits_while_impersonating)
{
	struct ids alice = ids_of(&id_alice, 0);
	struct exiting x = {
		.dev = self->e.dev, .alice = &alice,
	};
	uint32_t level;
	int round, rm;
	pthread_t t;

	x.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	for (round = 0; round < 3; round++) {
		x.result = -1;
		ASSERT_EQ(0, pthread_barrier_init(&x.in, NULL, 2));
		ASSERT_EQ(0, pthread_barrier_init(&x.out, NULL, 2));
		report_reset();
		ASSERT_EQ(0, pthread_create(&t, NULL, exiting_thread, &x));
		pthread_barrier_wait(&x.in);
		rm = report->line ? 1 :
		     main_while_other_impersonates(&x, &self->e.root);
		pthread_barrier_wait(&x.out);
		ASSERT_EQ(0, pthread_join(t, NULL));
		if (rm || x.result)
			TH_LOG("line %d: %s", report->line, report->msg);
		ASSERT_EQ(0, rm);
		ASSERT_EQ(0, x.result);
		pthread_barrier_destroy(&x.in);
		pthread_barrier_destroy(&x.out);
		ASSERT_IDS(&self->e.root);
		ASSERT_NOT_IMPERSONATING(self->e.dev);
	}
	/* The main thread's own impersonation is unaffected by the dead. */
	ASSERT_ST(SEC_E_OK, impersonate(x.ctx, &level));
	ASSERT_IDS(&alice);
	ASSERT_ST(SEC_E_OK, revert(self->e.dev));
	ASSERT_IDS(&self->e.root);
	close(x.ctx);
}

/* The thread keeps what it impersonates after every descriptor is gone. */
TEST_F(imp, fds_closed_while_impersonating)
{
	struct ids alice = ids_of(&id_alice, 0);
	int ctx, tok, dev2;
	uint32_t level;

	ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	tok = GET_TOKEN(ctx);
	ASSERT_ST(SEC_E_OK, impersonate(tok, &level));
	close(tok);
	close(ctx);
	ASSERT_IDS(&alice);
	ASSERT_ACCESS(RD_ALICE);
	ASSERT_WHOAMI(self->e.dev, &id_alice, SECURITY_IMPERSONATION,
		      "uid:2001");
	/* Even the /dev/ksspi descriptor is new. */
	dev2 = open(KSSPI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev2);
	close(self->e.dev);
	self->e.dev = dev2;
	ASSERT_ST(SEC_E_OK, revert(dev2));
	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	ASSERT_NOT_IMPERSONATING(dev2);
}

/* ---- 15. nothing to impersonate ---- */

static int32_t raw_step(int ctx, const void *in, size_t len)
{
	uint8_t out[TOKBUF];
	struct ksspi_step st = {
		.size = sizeof(st), .in_token = (uintptr_t)in, .in_len = len,
		.out_token = (uintptr_t)out, .out_size = sizeof(out),
	};
	int ret = ksspi_step(ctx, &st);

	return ret ? IOCTL_FAILED(-ret) : st.status;
}

/*
 * Only an established acceptor context (or its token) can be impersonated:
 * not an initiator, not an acceptor that is new, half-way or failed.
 */
TEST_F(imp, not_an_established_acceptor)
{
	uint8_t tok[TOKBUF], junk[64];
	size_t len = sizeof(tok), tlen;
	char target[64];
	int icred, acred, ictx = -1, mctx = -1, nctx, pctx, fctx;
	uint32_t flags, level;

	server_target(target, sizeof(target), &id_root);
	icred = acquire_as(&id_alice, SECPKG_CRED_OUTBOUND, NULL);
	ASSERT_LE(0, icred);
	acred = acquire_as(&id_root, SECPKG_CRED_INBOUND, target);
	ASSERT_LE(0, acred);

	/* An established initiator. */
	ASSERT_ST(SEC_E_OK,
		  ksspi_initialize_security_context(icred, &ictx, target, 0,
						    NULL, 0, tok, &len,
						    &flags));
	tlen = len;
	level = 99;
	ASSERT_ST(SEC_E_NO_IMPERSONATION, impersonate(ictx, &level));
	ASSERT_EQ(0, level);
	ASSERT_EQ(-ENOENT, ksspi_query_security_context_token(ictx));

	/* An initiator half-way through mutual authentication. */
	len = sizeof(junk);
	ASSERT_ST(SEC_I_CONTINUE_NEEDED,
		  ksspi_initialize_security_context(icred, &mctx, target,
						    ISC_REQ_MUTUAL_AUTH, NULL,
						    0, junk, &len, &flags));
	ASSERT_ST(SEC_E_NO_IMPERSONATION, impersonate(mctx, &level));

	/* A new acceptor. */
	nctx = ksspi_new_context(acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, nctx);
	ASSERT_ST(SEC_E_NO_IMPERSONATION, impersonate(nctx, &level));
	ASSERT_EQ(-ENOENT, ksspi_query_security_context_token(nctx));

	/* An acceptor that has part of the token. */
	pctx = ksspi_new_context(acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, pctx);
	ASSERT_ST(SEC_E_INCOMPLETE_MESSAGE, raw_step(pctx, tok, 5));
	ASSERT_ST(SEC_E_NO_IMPERSONATION, impersonate(pctx, &level));

	/* A failed acceptor. */
	fctx = ksspi_new_context(acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, fctx);
	memset(junk, 0x41, sizeof(junk));
	ASSERT_ST(SEC_E_INVALID_TOKEN, raw_step(fctx, junk, sizeof(junk)));
	ASSERT_ST(SEC_E_NO_IMPERSONATION, impersonate(fctx, &level));

	/* Descriptors that are not contexts or tokens at all. */
	ASSERT_ST(IOCTL_FAILED(ENOTTY), impersonate(acred, &level));
	ASSERT_ST(IOCTL_FAILED(ENOTTY), impersonate(self->e.dev, &level));

	ASSERT_IDS(&self->e.root);
	ASSERT_ACCESS(RD_ALL);
	ASSERT_NOT_IMPERSONATING(self->e.dev);

	/* The half-way acceptor, given the whole token, becomes one. */
	ASSERT_ST(SEC_E_OK, raw_step(pctx, tok, tlen));
	ASSERT_ST(SEC_E_OK, impersonate(pctx, &level));
	ASSERT_EQ(ALICE_UID, geteuid());
	ASSERT_ST(SEC_E_OK, revert(acred));
	ASSERT_IDS(&self->e.root);

	close(fctx);
	close(pctx);
	close(nctx);
	close(mctx);
	close(ictx);
	close(acred);
	close(icred);
}

/* ABI misuse is an errno, and never changes the thread. */
TEST_F(imp, abi_misuse)
{
	struct ids alice = ids_of(&id_alice, 0);
	struct {
		struct ksspi_impersonate im;
		uint64_t more;
	} big = {};
	struct ksspi_impersonate im = { .size = sizeof(im), .flags = 1 };
	int ctx;

	ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	ASSERT_EQ(-1, ioctl(ctx, KSSPI_IOC_IMPERSONATE, &im));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_IDS(&self->e.root);
	im.flags = 0;
	im.size = 8;
	ASSERT_EQ(-1, ioctl(ctx, KSSPI_IOC_IMPERSONATE, &im));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(ctx, KSSPI_IOC_IMPERSONATE, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_IDS(&self->e.root);
	ASSERT_NOT_IMPERSONATING(self->e.dev);

	/* A larger structure with zeroes past what the kernel knows. */
	big.im.size = sizeof(big);
	ASSERT_EQ(0, ioctl(ctx, KSSPI_IOC_IMPERSONATE, &big));
	ASSERT_ST(SEC_E_OK, big.im.status);
	ASSERT_EQ(SECURITY_IMPERSONATION, big.im.level);
	ASSERT_IDS(&alice);

	/* Bad revert arguments leave the impersonation in place. */
	im.size = sizeof(im);
	im.flags = 1;
	ASSERT_EQ(-1, ioctl(self->e.dev, KSSPI_IOC_REVERT, &im));
	ASSERT_EQ(EINVAL, errno);
	big.more = 1;
	ASSERT_EQ(-1, ioctl(self->e.dev, KSSPI_IOC_REVERT, &big));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(-1, ioctl(self->e.dev, KSSPI_IOC_REVERT, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_IDS(&alice);
	ASSERT_ST(SEC_E_OK, revert(self->e.dev));
	ASSERT_IDS(&self->e.root);
	close(ctx);
}

/* ---- the client's keyrings, not the server's ---- */

struct keys {
	int dev, ctx;
	bool session;		/* KEY_SPEC_SESSION_KEYRING, not _USER_ */
	long key;
};

static int keyrings_inner(struct keys *k)
{
	int spec = k->session ? KEY_SPEC_SESSION_KEYRING :
				KEY_SPEC_USER_KEYRING;
	char desc[256], buf[64];
	long ring, aring;
	uint32_t level;

	ring = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, spec, 1);
	CK(ring > 0);
	k->key = syscall(SYS_add_key, "user", "ksspi-imp-secret",
			 "server-secret", 13, KEY_SPEC_USER_KEYRING);
	CK(k->key > 0);

	CK_ST(SEC_E_OK, impersonate(k->ctx, &level));
	CK_EQ(ALICE_UID, geteuid());
	aring = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, spec, 0);
	CK(aring > 0);
	desc[0] = 0;
	CK(syscall(SYS_keyctl, KEYCTL_DESCRIBE, aring, desc, sizeof(desc)) > 0);
	if (aring == ring || strstr(desc, ";_uid.0") ||
	    strstr(desc, ";_uid_ses.0"))
		return fail_at(__LINE__, "impersonating alice, the %s keyring is the server's (%ld: %s)",
			       k->session ? "session" : "user", aring, desc);
	/* What root keeps in its user keyring is out of reach. */
	CK_ERRNO(ENOKEY, syscall(SYS_keyctl, KEYCTL_SEARCH, spec, "user",
				 "ksspi-imp-secret", 0));
	CK_ERRNO(EACCES, syscall(SYS_keyctl, KEYCTL_READ, k->key, buf,
				 sizeof(buf)));
	return 0;
}

static int keyrings_child(void *p)
{
	struct keys *k = p;
	int r = keyrings_inner(k);

	/* Back to root, if it can, to drop the key from root's keyring. */
	revert(k->dev);
	if (k->key > 0 && !geteuid())
		syscall(SYS_keyctl, KEYCTL_INVALIDATE, k->key);
	return r;
}

/*
 * build_cred() means "the client gets its own user keyrings, not the
 * server's": impersonating alice, root's user keyring, its user session
 * keyring and what is in them must be out of reach.
 */
TEST_F(imp, user_keyring_is_the_clients)
{
	struct keys k = { .dev = self->e.dev };

	k.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	RUN(run_child(keyrings_child, &k));
	close(k.ctx);
}

TEST_F(imp, session_keyring_is_the_clients)
{
	struct keys k = { .dev = self->e.dev, .session = true };

	k.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	RUN(run_child(keyrings_child, &k));
	close(k.ctx);
}

/* ---- 8. execve (last: the kernel bug it finds WARNs and ends the VM) ---- */

FIXTURE(exec) {
	struct env e;
};

FIXTURE_VARIANT(exec) {
	bool unpriv;		/* server 2050 impersonating its own token */
};

/* Root impersonates alice and execs. */
FIXTURE_VARIANT_ADD(exec, root_as_alice) { .unpriv = false };
/* An unprivileged server impersonates its own token and execs. */
FIXTURE_VARIANT_ADD(exec, unpriv_as_itself) { .unpriv = true };

FIXTURE_SETUP(exec)
{
	RUN(env_setup(&self->e));
}

FIXTURE_TEARDOWN(exec)
{
	env_teardown(&self->e);
}

struct execd {
	int dev, ctx, tok;
	bool unpriv;
	char path[128];
};

static int exec_after_impersonating(void *p)
{
	struct execd *x = p;
	char dev[16], ctx[16], tok[16];
	char *argv[] = {
		x->path, EXEC_HELPER, x->unpriv ? "itself" : "alice",
		dev, ctx, tok, g_dir, NULL,
	};
	uint32_t level;

	if (x->unpriv)
		CK_EQ(0, become_server());
	CK_ST(SEC_E_OK, impersonate(x->ctx, &level));
	CK_EQ(x->unpriv ? SERVER_UID : ALICE_UID, geteuid());
	/* ksspi descriptors are O_CLOEXEC: keep these across the exec. */
	CK_EQ(0, fcntl(x->dev, F_SETFD, 0));
	CK_EQ(0, fcntl(x->ctx, F_SETFD, 0));
	CK_EQ(0, fcntl(x->tok, F_SETFD, 0));
	snprintf(dev, sizeof(dev), "%d", x->dev);
	snprintf(ctx, sizeof(ctx), "%d", x->ctx);
	snprintf(tok, sizeof(tok), "%d", x->tok);
	execve(x->path, argv, environ);
	return fail_at(__LINE__, "execve(%s): %s", x->path, strerror(errno));
}

/* Runs in the program exec'd while impersonating. */
static int exec_checks(bool itself, int dev, int ctx, int tok)
{
	const struct ident *who = itself ? &id_server : &id_alice;
	struct ids want = ids_of(who, 0);
	unsigned int readable = itself ? RD_SERVER : RD_ALICE;

	CK_IDS(&want);
	CK_ACCESS(readable);
	CK_NOT_IMPERSONATING(dev);
	CK_ST(SEC_E_NO_IMPERSONATION, revert(dev));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(ctx));
	CK_ST(SEC_E_NO_IMPERSONATION, revert(tok));
	CK_IDS(&want);
	CK_ACCESS(readable);
	/* The descriptors are the real ones, not closed or stale. */
	CK_TOKEN(tok, who, SECURITY_IMPERSONATION,
		 itself ? "uid:2050" : "uid:2001");
	return 0;
}

static int exec_helper(int argc, char **argv)
{
	int r;

	if (argc != 7)
		return 2;
	snprintf(g_dir, sizeof(g_dir), "%s", argv[6]);
	r = exec_checks(!strcmp(argv[2], "itself"), atoi(argv[3]),
			atoi(argv[4]), atoi(argv[5]));
	if (r)
		fprintf(stderr, "# exec helper (%s): line %d: %s\n", argv[2],
			report->line, report->msg);
	else
		fprintf(stderr, "# exec helper (%s): all checks passed\n",
			argv[2]);
	return r;
}

/* A copy of this program that anyone may execute. */
static int copy_self(const char *path)
{
	struct stat st;
	int in, out;
	off_t off = 0;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	CK(in >= 0);
	CK_EQ(0, fstat(in, &st));
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	CK(out >= 0);
	while (off < st.st_size)
		CK(sendfile(out, in, &off, st.st_size - off) > 0);
	close(in);
	CK_EQ(0, fchmod(out, 0755));
	close(out);
	return 0;
}

/*
 * execve() while impersonating: the new program is who was impersonated
 * and stays so, whatever ksspi descriptor it reverts on.  (A server that
 * impersonates a client and spawns a program for it does exactly this.)
 */
TEST_F(exec, while_impersonating)
{
	struct execd x = { .dev = self->e.dev, .unpriv = variant->unpriv };

	snprintf(x.path, sizeof(x.path), "%s/exec-helper", g_dir);
	RUN(copy_self(x.path));
	if (variant->unpriv)
		x.ctx = ESTABLISH(&id_server, 0, &id_server, 0);
	else
		x.ctx = ESTABLISH(&id_alice, 0, &id_root, 0);
	x.tok = GET_TOKEN(x.ctx);
	RUN(run_child(exec_after_impersonating, &x));
	ASSERT_IDS(&self->e.root);
	ASSERT_NOT_IMPERSONATING(self->e.dev);
	close(x.tok);
	close(x.ctx);
}

static void __attribute__((constructor)) imp_constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], EXEC_HELPER))
		return exec_helper(argc, argv);
	return test_harness_run(argc, argv);
}
