// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI fuzzer (issue 9, item 3): random and mutation-based sequences
 * over every ioctl and every descriptor type, from several processes with
 * several threads each, for a bounded time.
 *
 * Each process keeps a table of descriptors (/dev/ksspi, credentials,
 * contexts, tokens, descriptors received from another process, dups) that
 * all its threads use and close concurrently, so that an ioctl often meets
 * a descriptor another thread has just closed (EBADF) or whose number now
 * names another kind of object (ENOTTY).  Every thread runs a stream of
 * operations drawn from its own seeded PRNG: open, acquire (every
 * registered package plus "kerberos", "negotiate" and garbage names; old
 * and new structure sizes), new context, one leg with a token that is
 * genuine (a pool of tokens the process produced), mutated (bit flips,
 * truncation, extension, splices, length fields), replayed or garbage,
 * complete local handshakes, queries with random masks and buffer sizes,
 * get-token, query-token and whoami with huge counts, impersonate and
 * revert, enumerate with huge counts and odd entry sizes, raw ioctl numbers,
 * sizes from 0 to 4 GiB, random flags, bad addresses (NULL, unmapped,
 * kernel, non-canonical, straddling a guard page, read-only), descriptors
 * of other kinds (pipe, eventfd, memfd, /dev/null, debugfs), descriptors
 * passed to the next process over SCM_RIGHTS (and left in flight when the
 * socket closes), dup() and close().
 *
 * What must hold: every call succeeds or fails with an errno the ABI
 * documents for it; every SECURITY_STATUS is one the ABI defines; a thread
 * whose revert succeeds is exactly itself again, and every thread ends as
 * it started; no process dies; afterwards the module's live contexts,
 * tokens, impersonating threads, local tickets and its reference count are
 * back where they were (settled: exited threads are reaped every 2 s, and
 * tickets expire lazily); the test process's own credentials are
 * unchanged.  Kernel reports (KASAN, lockdep, kmemleak, WARN) are the VM
 * runner's and make check-debug's business.
 *
 * The Kerberos packages are part of the surface without depending on a
 * helper: for the run, an empty tmpfs hides /etc/request-key.d (and a
 * request-key.conf line for the "ksspi" key type, if any), so every call
 * that needs an upcall must fail cleanly -- an acquire with one of the
 * upcall errnos, a leg with a SECURITY_STATUS (SEC_E_NO_AUTHENTICATING_
 * AUTHORITY).  KSSPI_FUZZ_HELPER=1 keeps the configured helper instead.
 *
 * Environment: KSSPI_FUZZ_SEED (default: from the clock, printed),
 * KSSPI_FUZZ_SECONDS (default 15), KSSPI_FUZZ_PROCS (4), KSSPI_FUZZ_THREADS
 * (3).  A failure prints the seed, the process, thread and operation
 * number: KSSPI_FUZZ_SEED=<seed> with the same PROCS/THREADS replays every
 * thread's sequence of operations (the interleaving of threads is the
 * scheduler's; KSSPI_FUZZ_PROCS=1 KSSPI_FUZZ_THREADS=1 replays exactly).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>

#include <linux/ksspi_upcall.h>

#include "ksspi_test.h"
#include "hardening.h"

#define PAGE		4096
#define SLOTS		48
#define POOL		32
#define POOL_TOKMAX	2048
#define MAX_PROCS	16
#define MAX_THREADS	16
#define MSGS		12
#define FOREIGN		6
#define KADDR		((uint64_t)0xffffffff81000000ULL)
#define TICKET_MS	"2000"	/* local ticket lifetime during the run */

/* The argument of ACQUIRE_CRED as the Kerberos packages extend it. */
#define ACQUIRE_VER0	64
#define ACQUIRE_VER1	88

enum kind { K_NONE, K_DEV, K_CRED, K_CTX, K_TOK, K_OTHER, K_NR };

enum op {
	OP_OPEN, OP_ABI, OP_ENUM, OP_QUERY_PKG, OP_ACQUIRE, OP_NEW_CTX,
	OP_STEP, OP_HANDSHAKE, OP_QUERY_CTX, OP_GET_TOKEN, OP_QUERY_TOKEN,
	OP_WHOAMI, OP_IMPERSONATE, OP_REVERT, OP_RAW, OP_CLOSE, OP_DUP,
	OP_SEND, OP_RECV, OP_NR,
};

static const char *const op_names[OP_NR] = {
	"open", "abi-version", "enum", "query-package", "acquire",
	"new-context", "step", "handshake", "query-context", "get-token",
	"query-token", "whoami", "impersonate", "revert", "raw-ioctl",
	"close", "dup", "send-fd", "recv-fd",
};

/* Relative weights of the operations. */
static const unsigned int op_weight[OP_NR] = {
	[OP_OPEN] = 4, [OP_ABI] = 2, [OP_ENUM] = 4, [OP_QUERY_PKG] = 4,
	[OP_ACQUIRE] = 10, [OP_NEW_CTX] = 10, [OP_STEP] = 24,
	[OP_HANDSHAKE] = 8, [OP_QUERY_CTX] = 10, [OP_GET_TOKEN] = 6,
	[OP_QUERY_TOKEN] = 6, [OP_WHOAMI] = 4, [OP_IMPERSONATE] = 8,
	[OP_REVERT] = 8, [OP_RAW] = 6, [OP_CLOSE] = 14, [OP_DUP] = 3,
	[OP_SEND] = 3, [OP_RECV] = 3,
};

/* Counts and failures, in memory shared by every process. */
struct shared {
	_Atomic unsigned long calls[OP_NR];
	_Atomic unsigned long succeeded[OP_NR];
	_Atomic unsigned long statuses;		/* SECURITY_STATUS answers */
	_Atomic unsigned long upcall_calls;	/* calls on other packages */
	_Atomic unsigned long impersonated;
	_Atomic unsigned long failures;
	_Atomic unsigned int nmsg;
	char msg[MSGS][240];
};

struct slot {
	_Atomic int fd;
	_Atomic int kind;
	_Atomic int up;		/* made by a package that needs the helper */
};

/* One fuzzing process. */
struct proc {
	struct shared *sh;
	uint64_t seed;
	int index;
	uid_t uid;
	char target[64];	/* "fuzz/uid:<uid>" */
	char other[64];		/* someone else's principal */
	double deadline;
	struct slot slots[SLOTS];
	/* Kept open for the whole run (ops may dup them into slots). */
	int dev, icred, acred, alice;
	int foreign[FOREIGN];
	int sock_out, sock_in;	/* SCM_RIGHTS to the next process, from the previous */
	/* Tokens seen, for replays and mutations. */
	pthread_mutex_t pool_lock;
	uint8_t pool[POOL][POOL_TOKMAX];
	uint32_t pool_len[POOL];
	unsigned int pool_n;
	/* Packages: every registered one, plus names that may exist. */
	char pkgs[16][KSSPI_PACKAGE_NAME_MAX];
	unsigned int npkgs;
	char registered[8][KSSPI_PACKAGE_NAME_MAX];
	unsigned int nregistered;
	/*
	 * One thread at a time calls into a package that needs the helper:
	 * an upcall takes a /sbin/request-key process (tens to hundreds of
	 * milliseconds under TCG), the other threads keep fuzzing at speed.
	 */
	_Atomic int upcall_busy;
	/* Memory with known holes. */
	uint8_t *rw;		/* a page shared by the threads, then: */
	uint8_t *guard;		/* a PROT_NONE page */
	uint8_t *ro;		/* read-only page */
	uint64_t unmapped;
};

struct thread {
	struct proc *p;
	struct hard_rng r;
	int index;
	unsigned long iter;
	bool picked_up;		/* the descriptor slot_pick() returned is "up" */
	bool sane;		/* this call: well-formed sizes, flags, addresses */
	char creds[1024];	/* the thread's credentials at its start */
	uint8_t arg[2 * PAGE];	/* an argument structure and its tail */
	/*
	 * Last, against a guard page (thread_alloc()): what a made-up size
	 * lets the kernel write past them faults instead of landing in
	 * memory the thread does not own.
	 */
	uint8_t data[3][PAGE];	/* buffers members point at */
	uint8_t tok[POOL_TOKMAX + 64];
};

static void fail(struct thread *t, const char *fmt, ...)
{
	struct shared *sh = t->p->sh;
	unsigned int i = atomic_fetch_add(&sh->nmsg, 1);
	va_list ap;
	int n;

	atomic_fetch_add(&sh->failures, 1);
	if (i >= MSGS)
		return;
	n = snprintf(sh->msg[i], sizeof(sh->msg[i]), "proc %d thread %d op %lu: ",
		     t->p->index, t->index, t->iter);
	va_start(ap, fmt);
	vsnprintf(sh->msg[i] + n, sizeof(sh->msg[i]) - n, fmt, ap);
	va_end(ap);
}

/* ---- what the ABI allows ---- */

/* Argument errors, wrong or closed descriptors, descriptor limits. */
static bool errno_common(int e)
{
	switch (e) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY: case EBADF:
	case EMFILE: case ENFILE:
		return true;
	}
	return false;
}

/* The errnos of an AcquireCredentialsHandle that needs the helper. */
static bool errno_upcall(int e)
{
	switch (e) {
	case ENOKEY: case EHOSTUNREACH: case ETIMEDOUT: case EBADMSG:
	case EACCES: case EPROTO: case EKEYREJECTED: case EKEYREVOKED:
	case EKEYEXPIRED: case EDQUOT:
		return true;
	}
	return false;
}

static bool errno_ok(enum op op, int e)
{
	if (errno_common(e))
		return true;
	switch (op) {
	case OP_ENUM:
		return e == ERANGE;
	case OP_QUERY_PKG:
		return e == ENOPKG;
	case OP_ACQUIRE:
		return e == ENOPKG || e == EPERM || errno_upcall(e);
	case OP_NEW_CTX:
		return e == EPERM || errno_upcall(e);
	case OP_STEP:
		return e == EMSGSIZE || e == EINTR;
	case OP_QUERY_CTX:
		return e == ERANGE || e == EPERM;
	case OP_GET_TOKEN:
		return e == ENOENT || e == EKEYEXPIRED;
	case OP_QUERY_TOKEN:
		return e == ERANGE;
	case OP_WHOAMI:
		return e == ERANGE || e == ENOENT;
	default:
		return false;
	}
}

/* Every SECURITY_STATUS uapi/linux/ksspi.h defines. */
static const int32_t statuses[] = {
	SEC_E_OK, SEC_E_INSUFFICIENT_MEMORY, SEC_E_INVALID_HANDLE,
	SEC_E_UNSUPPORTED_FUNCTION, SEC_E_TARGET_UNKNOWN, SEC_E_INTERNAL_ERROR,
	SEC_E_SECPKG_NOT_FOUND, SEC_E_NOT_OWNER, SEC_E_INVALID_TOKEN,
	SEC_E_QOP_NOT_SUPPORTED, SEC_E_NO_IMPERSONATION, SEC_E_LOGON_DENIED,
	SEC_E_UNKNOWN_CREDENTIALS, SEC_E_NO_CREDENTIALS, SEC_E_MESSAGE_ALTERED,
	SEC_E_OUT_OF_SEQUENCE, SEC_E_NO_AUTHENTICATING_AUTHORITY,
	SEC_I_CONTINUE_NEEDED, SEC_I_COMPLETE_NEEDED,
	SEC_I_COMPLETE_AND_CONTINUE, SEC_E_BAD_PKGID, SEC_E_CONTEXT_EXPIRED,
	SEC_E_INCOMPLETE_MESSAGE, SEC_E_BUFFER_TOO_SMALL, SEC_E_WRONG_PRINCIPAL,
	SEC_E_TIME_SKEW, SEC_E_UNTRUSTED_ROOT, SEC_E_ILLEGAL_MESSAGE,
	SEC_E_CERT_UNKNOWN, SEC_E_CERT_EXPIRED, SEC_E_ALGORITHM_MISMATCH,
	SEC_E_UNFINISHED_CONTEXT_DELETED, SEC_E_WRONG_CREDENTIAL_HANDLE,
	SEC_E_BAD_BINDINGS, SEC_E_CERT_WRONG_USAGE, SEC_E_INVALID_PARAMETER,
	SEC_E_MUTUAL_AUTH_FAILED,
};

static bool status_defined(int32_t st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i] == st)
			return true;
	return false;
}

/* ---- descriptors ---- */

static int slot_pick(struct thread *t, int kind)
{
	struct proc *p = t->p;
	int i, j, fd;

	t->picked_up = false;
	/* Mostly a descriptor of the kind asked for, if there is one. */
	if (kind != K_NONE && !hard_one_in(&t->r, 5)) {
		j = hard_below(&t->r, SLOTS);
		for (i = 0; i < SLOTS; i++) {
			struct slot *s = &p->slots[(i + j) % SLOTS];

			fd = atomic_load(&s->fd);
			if (fd >= 0 && atomic_load(&s->kind) == kind) {
				t->picked_up = atomic_load(&s->up);
				return fd;
			}
		}
	}
	switch (hard_below(&t->r, 12)) {
	case 0:
		return p->foreign[hard_below(&t->r, FOREIGN)];
	case 1:
		return hard_one_in(&t->r, 2) ? -1 : 100000;	/* never open */
	case 2:
		return kind == K_DEV ? p->dev : kind == K_CRED ?
		       (hard_one_in(&t->r, 2) ? p->icred : p->acred) : p->dev;
	default:
		/* Any slot, empty ones included: maybe closed a moment ago. */
		i = hard_below(&t->r, SLOTS);
		fd = atomic_load(&p->slots[i].fd);
		t->picked_up = fd >= 0 && atomic_load(&p->slots[i].up);
		return fd >= 0 ? fd : p->dev;
	}
}

/* Takes ownership of @fd: into a free slot, or closed. */
static void slot_put_up(struct thread *t, int fd, int kind, bool up)
{
	struct proc *p = t->p;
	int i, j = hard_below(&t->r, SLOTS), none;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &p->slots[(i + j) % SLOTS];

		none = -1;
		if (atomic_compare_exchange_strong(&s->fd, &none, fd)) {
			atomic_store(&s->kind, kind);
			atomic_store(&s->up, up);
			return;
		}
	}
	close(fd);
}

static void slot_put(struct thread *t, int fd, int kind)
{
	slot_put_up(t, fd, kind, false);
}

/* Whether this thread may call into a helper package now. */
static bool upcall_enter(struct proc *p)
{
	return !atomic_exchange(&p->upcall_busy, 1);
}

static void upcall_leave(struct proc *p)
{
	atomic_store(&p->upcall_busy, 0);
}

/* A registered package other than "local": its calls need the helper. */
static bool needs_helper(const struct proc *p, const char *name)
{
	unsigned int i;

	if (!strcmp(name, "local"))
		return false;
	for (i = 0; i < p->nregistered; i++)
		if (!strcmp(p->registered[i], name))
			return true;
	return false;
}

/* Closes one slot's descriptor: only the thread that takes it closes it. */
static void slot_close(struct thread *t)
{
	struct slot *s = &t->p->slots[hard_below(&t->r, SLOTS)];
	int fd = atomic_exchange(&s->fd, -1);

	if (fd >= 0 && !close(fd))
		atomic_fetch_add(&t->p->sh->succeeded[OP_CLOSE], 1);
}

/* ---- random values ---- */

static uint64_t rnd_ptr(struct thread *t, void *good, size_t good_size)
{
	struct proc *p = t->p;

	switch (t->sane ? 13 : hard_below(&t->r, 14)) {
	case 0:
		return 0;
	case 1:
		return p->unmapped + hard_below(&t->r, PAGE);
	case 2:
		return KADDR + hard_below(&t->r, PAGE);
	case 3:
		return hard_rnd(&t->r) | (1ULL << 63);
	case 4:
		return hard_rnd(&t->r) & 0x00007fffffffffffULL;
	case 5:
		/* The end of a buffer hanging into the guard page. */
		return (uintptr_t)(p->guard - hard_below(&t->r, 64));
	case 6:
		return (uintptr_t)p->ro + hard_below(&t->r, PAGE);
	default:
		return (uintptr_t)good + hard_below(&t->r, good_size / 8 + 1);
	}
}

static uint32_t rnd_len(struct thread *t, uint32_t plausible)
{
	switch (t->sane ? 9 : hard_below(&t->r, 10)) {
	case 0:
		return 0;
	case 1:
		return hard_rnd(&t->r);
	case 2:
		return 0xffffffffU - hard_below(&t->r, 4);
	case 3:
		return KSSPI_TOKEN_MAX + hard_below(&t->r, 3) - 1;
	case 4:
		return KSSPI_NAME_MAX + hard_below(&t->r, 3) - 1;
	case 5:
		return 1U << hard_below(&t->r, 32);
	default:
		return hard_below(&t->r, plausible + 1);
	}
}

/* A structure size: mostly right, sometimes anything from 0 to 4 GiB. */
static uint32_t rnd_size(struct thread *t, uint32_t size)
{
	switch (t->sane ? 11 : hard_below(&t->r, 12)) {
	case 0:
		return hard_below(&t->r, size);
	case 1:
		return size + 1 + hard_below(&t->r, 64);
	case 2:
		return PAGE + hard_below(&t->r, 2);
	case 3:
		return hard_rnd(&t->r);
	case 4:
		return 0;
	default:
		return size;
	}
}

static uint32_t rnd_flags(struct thread *t)
{
	switch (t->sane ? 7 : hard_below(&t->r, 8)) {
	case 0:
		return 1U << hard_below(&t->r, 32);
	case 1:
		return hard_rnd(&t->r);
	default:
		return 0;
	}
}

static void rnd_bytes(struct thread *t, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len--)
		*b++ = hard_rnd(&t->r);
}

/*
 * Lays out an argument of @size bytes (already filled in t->arg) with a
 * random size member, maybe non-zero bytes past it, maybe at a bad
 * address; returns the address to pass.
 */
static void *place_arg(struct thread *t, size_t size)
{
	struct proc *p = t->p;
	uint32_t usize = rnd_size(t, size);
	uint8_t *a;

	memcpy(t->arg, &usize, sizeof(usize));
	if (t->sane)
		return t->arg;
	if (hard_one_in(&t->r, 10))
		t->arg[size + hard_below(&t->r, PAGE - size)] = hard_rnd(&t->r) | 1;
	switch (hard_below(&t->r, 24)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)p->unmapped;
	case 2:
		return (void *)(uintptr_t)KADDR;
	case 3:
		return (void *)(uintptr_t)p->ro;
	case 4:
		/* Straddling the guard page: the size member is readable. */
		a = p->guard - 4 - hard_below(&t->r, size);
		/* Only this thread's bytes matter: other threads race here. */
		memcpy(a, t->arg, p->guard - a);
		return a;
	default:
		return t->arg;
	}
}

/* ---- the token pool ---- */

static void pool_add(struct proc *p, const void *tok, size_t len, uint64_t r)
{
	unsigned int i;

	if (!len || len > POOL_TOKMAX)
		return;
	pthread_mutex_lock(&p->pool_lock);
	i = p->pool_n < POOL ? p->pool_n++ : r % POOL;
	memcpy(p->pool[i], tok, len);
	p->pool_len[i] = len;
	pthread_mutex_unlock(&p->pool_lock);
}

/* Copies a pool token into @buf; returns its length (0: pool empty). */
static uint32_t pool_get(struct thread *t, uint8_t *buf)
{
	struct proc *p = t->p;
	uint32_t len = 0;
	unsigned int i;

	pthread_mutex_lock(&p->pool_lock);
	if (p->pool_n) {
		i = hard_below(&t->r, p->pool_n);
		len = p->pool_len[i];
		memcpy(buf, p->pool[i], len);
	}
	pthread_mutex_unlock(&p->pool_lock);
	return len;
}

/* Mutates @buf (@len bytes, room for POOL_TOKMAX); returns the new length. */
static uint32_t mutate(struct thread *t, uint8_t *buf, uint32_t len)
{
	unsigned int n = 1 + hard_below(&t->r, 4);
	uint8_t other[POOL_TOKMAX];
	uint32_t olen, v, at;

	while (n--) {
		at = len ? hard_below(&t->r, len) : 0;
		switch (hard_below(&t->r, 9)) {
		case 0:
			if (len)
				buf[at] ^= 1 << hard_below(&t->r, 8);
			break;
		case 1:
			if (len)
				buf[at] = hard_rnd(&t->r);
			break;
		case 2:
			len = hard_below(&t->r, len + 1);	/* truncate */
			break;
		case 3:
			v = hard_below(&t->r, 64);		/* extend */
			if (len + v <= POOL_TOKMAX) {
				rnd_bytes(t, buf + len, v);
				len += v;
			}
			break;
		case 4:
			/* The local header's body length (offset 8, big endian). */
			if (len >= 12) {
				v = hard_one_in(&t->r, 2) ? hard_rnd(&t->r) :
				    len - 12 + hard_below(&t->r, 5) - 2;
				buf[8] = v >> 24;
				buf[9] = v >> 16;
				buf[10] = v >> 8;
				buf[11] = v;
			}
			break;
		case 5:
			/* The type and version bytes. */
			if (len >= 6)
				buf[4 + hard_below(&t->r, 2)] = hard_below(&t->r, 4);
			break;
		case 6:
			/* Splice the tail of another token in. */
			olen = pool_get(t, other);
			if (olen) {
				v = hard_below(&t->r, olen);
				if (at + olen - v <= POOL_TOKMAX) {
					memcpy(buf + at, other + v, olen - v);
					len = at + olen - v;
				}
			}
			break;
		case 7:
			/* Two tokens back to back (SECBUFFER_EXTRA). */
			olen = pool_get(t, other);
			if (olen && len + olen <= POOL_TOKMAX) {
				memcpy(buf + len, other, olen);
				len += olen;
			}
			break;
		default:
			/* Delete a byte. */
			if (len) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		}
	}
	return len;
}

/* ---- checking a result ---- */

/* Checks an ioctl's result; returns true when it succeeded. */
static bool check(struct thread *t, enum op op, long ret, int err)
{
	atomic_fetch_add(&t->p->sh->calls[op], 1);
	if (ret >= 0) {
		atomic_fetch_add(&t->p->sh->succeeded[op], 1);
		return true;
	}
	if (!errno_ok(op, err))
		fail(t, "%s: unexpected errno %d (%s)", op_names[op], err,
		     strerror(err));
	return false;
}

static void check_status(struct thread *t, enum op op, int32_t st)
{
	atomic_fetch_add(&t->p->sh->statuses, 1);
	if (!status_defined(st))
		fail(t, "%s: undefined SECURITY_STATUS %#x", op_names[op],
		     (uint32_t)st);
}

static long xioctl(int fd, unsigned long cmd, void *arg, int *err)
{
	long ret = ioctl(fd, cmd, arg);

	*err = ret < 0 ? errno : 0;
	return ret;
}

/* Whether the thread's credentials are what they were at its start. */
static bool creds_as_started(struct thread *t)
{
	char now[sizeof(t->creds)];

	return !hard_cred_snapshot(now, sizeof(now)) && !strcmp(now, t->creds);
}

/* ---- the operations ---- */

static void op_open(struct thread *t)
{
	int fd = open(KSSPI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (check(t, OP_OPEN, fd, errno))
		slot_put(t, fd, K_DEV);
}

static void op_abi(struct thread *t)
{
	unsigned long arg = hard_one_in(&t->r, 2) ? 0 : hard_rnd(&t->r);
	int fd = slot_pick(t, K_DEV), err;
	long ret = ioctl(fd, KSSPI_IOC_GET_ABI_VERSION, arg);

	err = ret < 0 ? errno : 0;
	if (check(t, OP_ABI, ret, err) && ret != KSSPI_ABI_VERSION)
		fail(t, "abi-version: %ld", ret);
}

static void op_enum(struct thread *t)
{
	struct ksspi_enum_packages *ep = (void *)t->arg;
	uint32_t esize = sizeof(struct ksspi_package_info);
	int fd = slot_pick(t, K_DEV), err;
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	ep->flags = rnd_flags(t);
	ep->count = hard_one_in(&t->r, 2) ? hard_below(&t->r, 20) :
		    rnd_len(t, 64);
	ep->entry_size = hard_one_in(&t->r, 2) ? esize :
			 esize + hard_below(&t->r, 64) - 8;
	if (hard_one_in(&t->r, 6))
		ep->entry_size = rnd_len(t, PAGE);
	ep->packages = rnd_ptr(t, t->data[0], 0);
	a = place_arg(t, sizeof(*ep));
	ret = xioctl(fd, KSSPI_IOC_ENUM_PACKAGES, a, &err);
	check(t, OP_ENUM, ret, err);
}

static void op_query_pkg(struct thread *t)
{
	struct ksspi_package_info *pi = (void *)t->arg;
	struct proc *p = t->p;
	int fd = slot_pick(t, K_DEV), err;
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	if (hard_one_in(&t->r, 4))
		rnd_bytes(t, pi->name, sizeof(pi->name));
	else
		strcpy(pi->name, p->pkgs[hard_below(&t->r, p->npkgs)]);
	pi->flags = rnd_flags(t);
	a = place_arg(t, sizeof(*pi));
	ret = xioctl(fd, KSSPI_IOC_QUERY_PACKAGE, a, &err);
	check(t, OP_QUERY_PKG, ret, err);
}

static const char *const principals[] = {
	"uid:0", "uid:2001", "uid:", "uid:00", "uid:4294967296", "x/uid:0",
	"/uid:0", "a b/uid:0", "fuzz/uid:-1", "alice@KSSPI.TEST",
	"host/ksspi-vm.ksspi.test@KSSPI.TEST", "HTTP/ksspi-vm.ksspi.test",
	"root@KSSPI.TEST", "@", "\x01\x02", "fuzz/",
};

/* Writes a principal for @p into @buf; returns its length. */
static uint32_t rnd_principal(struct thread *t, char *buf)
{
	struct proc *p = t->p;
	const char *s;

	switch (hard_below(&t->r, 6)) {
	case 0:
		s = p->target;
		break;
	case 1:
		s = p->other;
		break;
	case 2:
		rnd_bytes(t, buf, 64);
		return hard_below(&t->r, 65);
	default:
		s = principals[hard_below(&t->r, ARRAY_SIZE(principals))];
		break;
	}
	strcpy(buf, s);
	return strlen(s);
}

static void op_acquire(struct thread *t)
{
	struct ksspi_acquire_cred *ac = (void *)t->arg;
	struct proc *p = t->p;
	int fd = slot_pick(t, K_DEV), err;
	char *name = (char *)t->data[0];
	bool up = false;
	uint32_t usize;
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	if (hard_one_in(&t->r, 8))
		rnd_bytes(t, ac->package, sizeof(ac->package));
	else
		strcpy(ac->package, p->pkgs[hard_below(&t->r, p->npkgs)]);
	if (needs_helper(p, ac->package)) {
		up = upcall_enter(p);
		if (up)
			atomic_fetch_add(&p->sh->upcall_calls, 1);
		else
			strcpy(ac->package, "local");
	}
	ac->flags = rnd_flags(t);
	ac->use = hard_one_in(&t->r, 6) ? hard_rnd(&t->r) :
		  1 + hard_below(&t->r, 3);
	if (hard_one_in(&t->r, 2)) {
		ac->principal_len = rnd_principal(t, name);
		ac->principal = (uintptr_t)name;
		if (hard_one_in(&t->r, 5))
			ac->principal_len = rnd_len(t, 64);
		if (hard_one_in(&t->r, 5))
			ac->principal = rnd_ptr(t, name, 64);
	}
	/*
	 * The Kerberos version of the structure (ccache and keytab names
	 * after it): all zero means the defaults; a kernel without it must
	 * take zero trailing bytes and refuse others (E2BIG).
	 */
	usize = hard_one_in(&t->r, 3) ? ACQUIRE_VER1 : ACQUIRE_VER0;
	if (usize == ACQUIRE_VER1 && hard_one_in(&t->r, 2)) {
		uint32_t l = rnd_principal(t, (char *)t->data[1]);
		uint64_t ptr = rnd_ptr(t, t->data[1], 64);

		memcpy(t->arg + 64, &l, 4);	/* ccache_len */
		memcpy(t->arg + 72, &ptr, 8);	/* ccache */
	}
	a = place_arg(t, usize);
	ret = xioctl(fd, KSSPI_IOC_ACQUIRE_CRED, a, &err);
	if (up)
		upcall_leave(p);
	if (check(t, OP_ACQUIRE, ret, err))
		slot_put_up(t, ret, K_CRED, up);
}

static const uint32_t req_bits[] = {
	ISC_REQ_DELEGATE, ISC_REQ_MUTUAL_AUTH, ISC_REQ_REPLAY_DETECT,
	ISC_REQ_SEQUENCE_DETECT, ISC_REQ_CONFIDENTIALITY, ISC_REQ_INTEGRITY,
	ISC_REQ_IDENTIFY, ISC_REQ_NULL_SESSION, ISC_REQ_CONNECTION,
	ASC_REQ_ALLOW_NULL_SESSION, ASC_REQ_ALLOCATE_MEMORY,
};

static uint32_t rnd_req(struct thread *t)
{
	uint32_t f = 0;
	unsigned int n;

	if (hard_one_in(&t->r, 8))
		return hard_rnd(&t->r);
	for (n = hard_below(&t->r, 4); n; n--)
		f |= req_bits[hard_below(&t->r, ARRAY_SIZE(req_bits))];
	return f;
}

static void op_new_ctx(struct thread *t)
{
	struct ksspi_context_new *cn = (void *)t->arg;
	char *target = (char *)t->data[0];
	int fd = slot_pick(t, K_CRED), err;
	bool up = t->picked_up;
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	cn->flags = hard_one_in(&t->r, 8) ? rnd_flags(t) :
		    1 + hard_below(&t->r, 2);
	cn->req_flags = rnd_req(t);
	if (cn->flags == KSSPI_CONTEXT_INITIATE || hard_one_in(&t->r, 6)) {
		cn->target_len = rnd_principal(t, target);
		cn->target = (uintptr_t)target;
		if (hard_one_in(&t->r, 6))
			cn->target_len = rnd_len(t, 64);
		if (hard_one_in(&t->r, 6))
			cn->target = rnd_ptr(t, target, 64);
	}
	a = place_arg(t, sizeof(*cn));
	ret = xioctl(fd, KSSPI_IOC_NEW_CONTEXT, a, &err);
	if (check(t, OP_NEW_CTX, ret, err))
		slot_put_up(t, ret, K_CTX, up);
}

static void op_step(struct thread *t)
{
	struct ksspi_step *st = (void *)t->arg;
	uint8_t *out = t->data[2];
	int fd = slot_pick(t, K_CTX), err;
	bool up = t->picked_up;
	uint32_t len = 0;
	long ret;
	void *a;

	/* A context of a helper package: a leg is an upcall. */
	if (up) {
		if (!upcall_enter(t->p))
			return;
		atomic_fetch_add(&t->p->sh->upcall_calls, 1);
	}
	memset(t->arg, 0, sizeof(t->arg));
	switch (hard_below(&t->r, 6)) {
	case 0:
		break;					/* no input */
	case 1:
		len = hard_below(&t->r, 200);		/* garbage */
		rnd_bytes(t, t->tok, len);
		break;
	case 2:
	case 3:
		len = pool_get(t, t->tok);		/* replay */
		break;
	default:
		len = mutate(t, t->tok, pool_get(t, t->tok));
		break;
	}
	st->in_token = (uintptr_t)t->tok;
	st->in_len = len;
	if (hard_one_in(&t->r, 8))
		st->in_len = rnd_len(t, len);
	if (hard_one_in(&t->r, 8))
		st->in_token = rnd_ptr(t, t->tok, len);
	st->out_token = (uintptr_t)out;
	st->out_size = hard_one_in(&t->r, 6) ? hard_below(&t->r, 48) : PAGE;
	if (hard_one_in(&t->r, 8))
		st->out_size = rnd_len(t, PAGE);
	if (hard_one_in(&t->r, 8))
		st->out_token = rnd_ptr(t, out, PAGE);
	st->flags = rnd_flags(t);
	st->reserved = hard_one_in(&t->r, 10) ? hard_rnd(&t->r) : 0;
	a = place_arg(t, sizeof(*st));
	ret = xioctl(fd, KSSPI_IOC_STEP, a, &err);
	if (up)
		upcall_leave(t->p);
	if (!check(t, OP_STEP, ret, err) || a != t->arg)
		return;
	check_status(t, OP_STEP, st->status);
	if ((st->status == SEC_E_OK || st->status == SEC_I_CONTINUE_NEEDED) &&
	    st->out_len && st->out_len <= PAGE &&
	    st->out_token == (uintptr_t)out)
		pool_add(t->p, out, st->out_len, hard_rnd(&t->r));
}

/*
 * A complete local handshake between descriptors of this process: its
 * contexts and token go into the table, its tokens into the pool.
 */
static void op_handshake(struct thread *t)
{
	struct proc *p = t->p;
	uint32_t req = hard_one_in(&t->r, 2) ? ISC_REQ_MUTUAL_AUTH : 0;
	uint8_t *a = t->data[0], *b = t->data[1];
	size_t alen = PAGE, blen = PAGE;
	int ictx = -1, actx = -1, tok;
	int icred = p->alice >= 0 && hard_one_in(&t->r, 2) ? p->alice : p->icred;
	uint32_t flags;
	int32_t st, ast;

	if (hard_one_in(&t->r, 4))
		req |= req_bits[hard_below(&t->r, 8)];
	atomic_fetch_add(&p->sh->calls[OP_HANDSHAKE], 1);
	st = ksspi_initialize_security_context(icred, &ictx, p->target, req,
					       NULL, 0, a, &alen, &flags);
	check_status(t, OP_HANDSHAKE, st);
	if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
		goto out;
	pool_add(p, a, alen, hard_rnd(&t->r));
	ast = ksspi_accept_security_context(p->acred, &actx, 0, a, alen, b,
					    &blen, &flags);
	check_status(t, OP_HANDSHAKE, ast);
	if (ast != SEC_E_OK)
		goto out;
	if (blen)
		pool_add(p, b, blen, hard_rnd(&t->r));
	if (st == SEC_I_CONTINUE_NEEDED) {
		alen = PAGE;
		st = ksspi_initialize_security_context(icred, &ictx, NULL, 0, b,
						       blen, a, &alen, &flags);
		check_status(t, OP_HANDSHAKE, st);
		if (st != SEC_E_OK)
			goto out;
	}
	atomic_fetch_add(&p->sh->succeeded[OP_HANDSHAKE], 1);
	tok = ksspi_query_security_context_token(actx);
	if (tok >= 0)
		slot_put(t, tok, K_TOK);
out:
	if (ictx >= 0)
		slot_put(t, ictx, K_CTX);
	if (actx >= 0)
		slot_put(t, actx, K_CTX);
}

static void op_query_ctx(struct thread *t)
{
	struct ksspi_context_info *ci = (void *)t->arg;
	int fd = slot_pick(t, K_CTX), err, i;
	__u64 *ptrs[] = { &ci->name, &ci->client_name, &ci->server_name,
			     &ci->session_key };
	uint32_t *sizes[] = { &ci->name_size, &ci->client_name_size,
			      &ci->server_name_size, &ci->session_key_size };
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	ci->flags = rnd_flags(t);
	ci->mask = hard_one_in(&t->r, 4) ? hard_rnd(&t->r) :
		   hard_rnd(&t->r) & 0x7fff & ~KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY);
	for (i = 0; i < 4; i++) {
		*ptrs[i] = hard_one_in(&t->r, 3) ? 0 :
			   rnd_ptr(t, t->data[i % 3], 512);
		*sizes[i] = rnd_len(t, 512);
	}
	a = place_arg(t, sizeof(*ci));
	ret = xioctl(fd, KSSPI_IOC_QUERY_CONTEXT, a, &err);
	check(t, OP_QUERY_CTX, ret, err);
}

static void op_get_token(struct thread *t)
{
	unsigned long arg = hard_one_in(&t->r, 6) ? hard_rnd(&t->r) : 0;
	int fd = slot_pick(t, K_CTX);
	long ret = ioctl(fd, KSSPI_IOC_GET_TOKEN, arg);

	if (check(t, OP_GET_TOKEN, ret, ret < 0 ? errno : 0))
		slot_put(t, ret, K_TOK);
}

static void token_info_arg(struct thread *t)
{
	struct ksspi_token_info *ti = (void *)t->arg;

	memset(t->arg, 0, sizeof(t->arg));
	ti->flags = rnd_flags(t);
	ti->ngroups = hard_one_in(&t->r, 2) ? hard_below(&t->r, 4) :
		      rnd_len(t, 64);
	ti->groups = rnd_ptr(t, t->data[0], 256);
	ti->name_size = rnd_len(t, 256);
	ti->name = hard_one_in(&t->r, 4) ? 0 : rnd_ptr(t, t->data[1], 256);
}

static void op_query_token(struct thread *t)
{
	int fd = slot_pick(t, K_TOK), err;
	long ret;
	void *a;

	token_info_arg(t);
	a = place_arg(t, sizeof(struct ksspi_token_info));
	ret = xioctl(fd, KSSPI_IOC_QUERY_TOKEN, a, &err);
	check(t, OP_QUERY_TOKEN, ret, err);
}

static void op_whoami(struct thread *t)
{
	int fd = slot_pick(t, K_DEV), err;
	long ret;
	void *a;

	token_info_arg(t);
	a = place_arg(t, sizeof(struct ksspi_token_info));
	ret = xioctl(fd, KSSPI_IOC_WHOAMI, a, &err);
	check(t, OP_WHOAMI, ret, err);
}

static void op_impersonate(struct thread *t, bool revert)
{
	struct ksspi_impersonate *im = (void *)t->arg;
	enum op op = revert ? OP_REVERT : OP_IMPERSONATE;
	int fd = slot_pick(t, revert ? K_NONE : hard_one_in(&t->r, 2) ?
			   K_TOK : K_CTX), err;
	long ret;
	void *a;

	memset(t->arg, 0, sizeof(t->arg));
	im->flags = rnd_flags(t);
	im->status = hard_rnd(&t->r);
	a = place_arg(t, sizeof(*im));
	ret = xioctl(fd, revert ? KSSPI_IOC_REVERT : KSSPI_IOC_IMPERSONATE, a,
		     &err);
	if (!check(t, op, ret, err) || a != t->arg)
		return;
	check_status(t, op, im->status);
	if (!revert && im->status == SEC_E_OK)
		atomic_fetch_add(&t->p->sh->impersonated, 1);
	/* A successful revert restores exactly what the thread had. */
	if (revert && im->status == SEC_E_OK && !creds_as_started(t))
		fail(t, "revert: SEC_E_OK but the thread's credentials differ from its start");
}

/* An ioctl number of ksspi's type the descriptor does not serve, or any. */
static void op_raw(struct thread *t)
{
	unsigned long cmd;
	int fd = slot_pick(t, hard_below(&t->r, K_NR)), err;
	long ret;

	cmd = _IOC(hard_below(&t->r, 4), KSSPI_IOC_TYPE,
		   0x50 + hard_below(&t->r, 0xb0), hard_below(&t->r, 1 << 14));
	ret = xioctl(fd, cmd, t->arg, &err);
	atomic_fetch_add(&t->p->sh->calls[OP_RAW], 1);
	if (ret >= 0 || (err != ENOTTY && err != EBADF && err != EINVAL))
		fail(t, "raw ioctl %#lx: %ld errno %d", cmd, ret, err);
}

static void op_dup(struct thread *t)
{
	int fd = dup(slot_pick(t, hard_below(&t->r, K_OTHER)));

	atomic_fetch_add(&t->p->sh->calls[OP_DUP], 1);
	if (fd >= 0) {
		atomic_fetch_add(&t->p->sh->succeeded[OP_DUP], 1);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		slot_put(t, fd, K_OTHER);
	}
}

/* Passes a descriptor to the next process (it may never take it). */
static void op_send(struct thread *t)
{
	int fd = slot_pick(t, hard_below(&t->r, K_OTHER));
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	atomic_fetch_add(&t->p->sh->calls[OP_SEND], 1);
	if (sendmsg(t->p->sock_out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
		atomic_fetch_add(&t->p->sh->succeeded[OP_SEND], 1);
}

static void op_recv(struct thread *t)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	atomic_fetch_add(&t->p->sh->calls[OP_RECV], 1);
	if (recvmsg(t->p->sock_in, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		atomic_fetch_add(&t->p->sh->succeeded[OP_RECV], 1);
		slot_put(t, fd, K_OTHER);
	}
}

static enum op pick_op(struct thread *t)
{
	unsigned int total = 0, w, i;

	for (i = 0; i < OP_NR; i++)
		total += op_weight[i];
	w = hard_below(&t->r, total);
	for (i = 0; i < OP_NR; i++) {
		if (w < op_weight[i])
			return i;
		w -= op_weight[i];
	}
	return OP_STEP;
}

/* Reverts until the thread no longer impersonates; checks it is itself. */
static void thread_end(struct thread *t)
{
	struct ksspi_impersonate im;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&im, 0, sizeof(im));
		im.size = sizeof(im);
		if (ioctl(t->p->dev, KSSPI_IOC_REVERT, &im) ||
		    im.status != SEC_E_OK)
			break;
	}
	if (!creds_as_started(t))
		fail(t, "the thread's credentials differ from its start after reverting");
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	if (hard_cred_snapshot(t->creds, sizeof(t->creds))) {
		fail(t, "cannot read /proc/thread-self/status");
		return NULL;
	}
	while (hard_now() < t->p->deadline) {
		unsigned int n;

		/* Time is checked every few operations. */
		for (n = 0; n < 16; n++, t->iter++) {
			/* Half the calls well-formed, to get deeper. */
			t->sane = hard_one_in(&t->r, 2);
			switch (pick_op(t)) {
			case OP_OPEN: op_open(t); break;
			case OP_ABI: op_abi(t); break;
			case OP_ENUM: op_enum(t); break;
			case OP_QUERY_PKG: op_query_pkg(t); break;
			case OP_ACQUIRE: op_acquire(t); break;
			case OP_NEW_CTX: op_new_ctx(t); break;
			case OP_STEP: op_step(t); break;
			case OP_HANDSHAKE: op_handshake(t); break;
			case OP_QUERY_CTX: op_query_ctx(t); break;
			case OP_GET_TOKEN: op_get_token(t); break;
			case OP_QUERY_TOKEN: op_query_token(t); break;
			case OP_WHOAMI: op_whoami(t); break;
			case OP_IMPERSONATE: op_impersonate(t, false); break;
			case OP_REVERT: op_impersonate(t, true); break;
			case OP_RAW: op_raw(t); break;
			case OP_CLOSE:
				atomic_fetch_add(&t->p->sh->calls[OP_CLOSE], 1);
				slot_close(t);
				break;
			case OP_DUP: op_dup(t); break;
			case OP_SEND: op_send(t); break;
			case OP_RECV: op_recv(t); break;
			default: break;
			}
		}
	}
	thread_end(t);
	return NULL;
}

/* ---- one process ---- */

static int proc_setup(struct proc *p)
{
	struct ksspi_package_info infos[16];
	static const char *const extra[] = {
		"kerberos", "negotiate", "x509", "Kerberos", "", "local ",
		"loca", "localx",
	};
	unsigned int n = ARRAY_SIZE(infos), i;
	uint8_t *m;

	/*
	 * rw | guard | ro | unmapped | fence.  The unmapped page is a hole
	 * between two pages that stay mapped: a page unmapped on its own is
	 * where the next mapping goes (a thread's stack, whose top holds
	 * the thread's TCB), and the kernel would rightly write there.
	 */
	m = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	p->rw = m;
	p->guard = m + PAGE;
	p->ro = m + 2 * PAGE;
	memset(p->ro, 0x5a, PAGE);
	if (mprotect(p->ro, PAGE, PROT_READ) ||
	    mprotect(p->guard, PAGE, PROT_NONE) ||
	    mprotect(m + 4 * PAGE, PAGE, PROT_NONE) ||
	    munmap(m + 3 * PAGE, PAGE))
		return -1;
	p->unmapped = (uintptr_t)(m + 3 * PAGE);

	p->foreign[0] = eventfd(0, EFD_CLOEXEC);
	p->foreign[1] = open("/dev/null", O_RDWR | O_CLOEXEC);
	p->foreign[2] = memfd_create("fuzz", MFD_CLOEXEC);
	p->foreign[3] = open(HARD_STATS, O_RDONLY | O_CLOEXEC);
	if (pipe2(&p->foreign[4], O_CLOEXEC))
		return -1;

	p->dev = ksspi_open();
	if (p->dev < 0)
		return -1;
	/* The package list: what is registered, and names that may be. */
	if (!ksspi_enumerate_packages(p->dev, infos, &n)) {
		for (i = 0; i < n && p->npkgs < 8; i++) {
			strcpy(p->pkgs[p->npkgs++], infos[i].name);
			strcpy(p->registered[p->nregistered++], infos[i].name);
		}
	}
	for (i = 0; i < ARRAY_SIZE(extra); i++)
		strcpy(p->pkgs[p->npkgs++], extra[i]);
	/* "local" more often than the others: most flows need it. */
	strcpy(p->pkgs[p->npkgs++], "local");
	strcpy(p->pkgs[p->npkgs++], "local");

	uid_principal(p->target, sizeof(p->target), "fuzz", p->uid);
	uid_principal(p->other, sizeof(p->other), "fuzz",
		      p->uid ? 0 : ALICE_UID);
	p->icred = ksspi_acquire_credentials(p->dev, "local",
					     SECPKG_CRED_OUTBOUND, NULL, NULL);
	p->acred = ksspi_acquire_credentials(p->dev, "local",
					     SECPKG_CRED_INBOUND, p->target,
					     NULL);
	if (p->icred < 0 || p->acred < 0)
		return -1;
	return 0;
}

/*
 * alice's outbound credentials, for a root process (its tokens are then
 * someone else's: impersonating them needs the privilege).  Single-threaded
 * here, so the libc calls may change every thread's ids.
 */
static int acquire_alice(int dev)
{
	const gid_t staff[] = { STAFF_GID };
	int fd = -1;

	/* Real ids too (saved uid 0 to come back): see abi_test. */
	if (!setgroups(1, staff) && !setresgid(ALICE_GID, ALICE_GID, 0) &&
	    !setresuid(ALICE_UID, ALICE_UID, 0))
		fd = ksspi_acquire_credentials(dev, "local",
					       SECPKG_CRED_OUTBOUND, NULL, NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0) || setgroups(0, NULL))
		_exit(90);
	return fd;
}

/*
 * A thread's state in a mapping of its own that ends at a PROT_NONE page.
 * Its buffers are passed with counts and sizes the fuzzer makes up (an
 * enumeration of 4 packages with entries of 4 KiB is 16 KiB from data[0]):
 * the kernel may write all the caller declared, and beyond the thread's
 * own buffers that must be EFAULT, not another thread's state.
 */
static struct thread *thread_alloc(void)
{
	size_t len = (sizeof(struct thread) + PAGE - 1) / PAGE * PAGE;
	uint8_t *m;

	m = mmap(NULL, len + PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m + len, PAGE, PROT_NONE))
		return NULL;
	return (struct thread *)(m + len - sizeof(struct thread));
}

static int proc_main(struct shared *sh, uint64_t seed, int index,
		     unsigned int threads, double deadline, int sock_out,
		     int sock_in)
{
	struct thread *ts[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	struct proc *p;
	unsigned int i;

	p = calloc(1, sizeof(*p));
	if (!p)
		return 80;
	for (i = 0; i < threads; i++) {
		ts[i] = thread_alloc();
		if (!ts[i])
			return 80;
	}
	p->sh = sh;
	p->seed = seed;
	p->index = index;
	p->deadline = deadline;
	p->sock_out = sock_out;
	p->sock_in = sock_in;
	p->alice = -1;
	pthread_mutex_init(&p->pool_lock, NULL);
	for (i = 0; i < SLOTS; i++)
		atomic_init(&p->slots[i].fd, -1);

	/* Odd processes are alice, with no capability; even ones root. */
	if (index % 2) {
		if (become_alice())
			return 81;
		p->uid = ALICE_UID;
	}
	if (proc_setup(p))
		return 82;
	if (!p->uid)
		p->alice = acquire_alice(p->dev);

	for (i = 0; i < threads; i++) {
		ts[i]->p = p;
		ts[i]->index = i;
		ts[i]->r.s = hard_mix(seed, index, i);
		if (pthread_create(&tids[i], NULL, thread_main, ts[i]))
			return 83;
	}
	for (i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < SLOTS; i++) {
		int fd = atomic_exchange(&p->slots[i].fd, -1);

		if (fd >= 0)
			close(fd);
	}
	/* Descriptors still in flight go with the socket. */
	close(sock_in);
	close(sock_out);
	return 0;
}

/* ---- the test ---- */

FIXTURE(fuzz) {
	char ticket_ms[32];
	bool ticket_set;
	struct ksspi_hidden_helper hidden;
	char creds[1024];
	struct hard_live base;
};

FIXTURE_SETUP(fuzz)
{
	struct hard_live now;
	double t0;

	ASSERT_TRUE(hard_module_loaded()) TH_LOG("ksspi is not loaded");
	ASSERT_EQ(0, hard_cred_snapshot(self->creds, sizeof(self->creds)));
	/*
	 * Short-lived local tickets, so that those the fuzzer leaves unspent
	 * expire soon after the run.
	 */
	ASSERT_EQ(0, hard_read_line(HARD_PARAMS "local_ticket_ms",
				    self->ticket_ms, sizeof(self->ticket_ms)));
	ASSERT_EQ(0, set_param("local_ticket_ms", TICKET_MS));
	self->ticket_set = true;
	if (!getenv("KSSPI_FUZZ_HELPER") || !atoi(getenv("KSSPI_FUZZ_HELPER")))
		ASSERT_EQ(0, ksspi_hide_helper(&self->hidden));

	/* A stable baseline: threads of earlier tests are being reaped. */
	t0 = hard_now();
	do {
		hard_live_read(&self->base);
		usleep(200 * 1000);
		hard_live_read(&now);
	} while ((now.threads || now.contexts != self->base.contexts ||
		  now.tokens != self->base.tokens ||
		  now.refcnt != self->base.refcnt) && hard_now() - t0 < 30);
	self->base = now;
	ASSERT_LE(0, self->base.contexts) TH_LOG("no %s", HARD_STATS);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->ticket_set)
		set_param("local_ticket_ms", self->ticket_ms);
	ksspi_unhide_helper(&self->hidden);
}

/* Spends and issues local tickets, which expires the stale ones. */
static void churn_tickets(void)
{
	int dev = ksspi_open(), i = -1, a = -1, ic, ac;
	char target[64];

	if (dev < 0)
		return;
	uid_principal(target, sizeof(target), "fuzz", 0);
	ic = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_OUTBOUND,
				       NULL, NULL);
	ac = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
				       target, NULL);
	if (ic >= 0 && ac >= 0)
		local_handshake(ic, ac, target, 0, 0, &i, &a);
	if (i >= 0)
		close(i);
	if (a >= 0)
		close(a);
	if (ic >= 0)
		close(ic);
	if (ac >= 0)
		close(ac);
	close(dev);
}

TEST_F_TIMEOUT(fuzz, abi, 3600)
{
	unsigned long seconds = hard_env("KSSPI_FUZZ_SECONDS", 15);
	unsigned long procs = hard_env("KSSPI_FUZZ_PROCS", 4);
	unsigned long threads = hard_env("KSSPI_FUZZ_THREADS", 3);
	const char *seedenv = getenv("KSSPI_FUZZ_SEED");
	uint64_t seed = seedenv ? strtoull(seedenv, NULL, 0) :
			(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	int socks[MAX_PROCS][2], st, died = 0;
	unsigned long total = 0, ok = 0;
	pid_t pids[MAX_PROCS];
	struct hard_live now;
	struct shared *sh;
	char creds[1024];
	double t0, deadline;
	unsigned int i;

	ASSERT_TRUE(procs >= 1 && procs <= MAX_PROCS);
	ASSERT_TRUE(threads >= 1 && threads <= MAX_THREADS);
	ksft_print_msg("fuzz: KSSPI_FUZZ_SEED=%#llx KSSPI_FUZZ_PROCS=%lu KSSPI_FUZZ_THREADS=%lu KSSPI_FUZZ_SECONDS=%lu (seed %s)\n",
		       (unsigned long long)seed, procs, threads, seconds,
		       seedenv ? "from the environment" : "from the clock");
	ksft_print_msg("fuzz: helper %s\n", self->hidden.rkd || self->hidden.rkconf ?
		       "hidden (request-key.d on tmpfs): upcalls must fail cleanly" :
		       "as configured");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));

	/* A ring: process i sends descriptors to process i + 1. */
	for (i = 0; i < procs; i++)
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
					socks[i]));
	t0 = hard_now();
	deadline = t0 + seconds;
	fflush(NULL);
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int out = dup(socks[i][0]);
			int in = dup(socks[(i + procs - 1) % procs][1]);
			unsigned int k;

			for (k = 0; k < procs; k++) {
				close(socks[k][0]);
				close(socks[k][1]);
			}
			_exit(proc_main(sh, seed, i, threads, deadline, out, in));
		}
	}
	for (i = 0; i < procs; i++) {
		close(socks[i][0]);
		close(socks[i][1]);
	}
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			died++;
			TH_LOG("process %u: %s %d", i,
			       WIFEXITED(st) ? "exit" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
	}

	for (i = 0; i < OP_NR; i++) {
		total += sh->calls[i];
		ok += sh->succeeded[i];
	}
	ksft_print_msg("fuzz: %lu calls in %.1f s (%lu succeeded), %lu statuses checked, %lu on packages needing the helper (one thread per process at a time), %lu impersonations\n",
		       total, hard_now() - t0, ok, (unsigned long)sh->statuses,
		       (unsigned long)sh->upcall_calls,
		       (unsigned long)sh->impersonated);
	for (i = 0; i < OP_NR; i++)
		ksft_print_msg("  %-14s %8lu calls %8lu succeeded\n", op_names[i],
			       (unsigned long)sh->calls[i],
			       (unsigned long)sh->succeeded[i]);
	for (i = 0; i < sh->nmsg && i < MSGS; i++)
		TH_LOG("%s", sh->msg[i]);
	EXPECT_EQ(0, died);
	EXPECT_EQ(0, sh->failures) TH_LOG("replay: KSSPI_FUZZ_SEED=%#llx KSSPI_FUZZ_PROCS=%lu KSSPI_FUZZ_THREADS=%lu",
					  (unsigned long long)seed, procs, threads);
	EXPECT_LT(0, sh->succeeded[OP_HANDSHAKE]);

	/* Every object is gone once the reaper and ticket expiry have run. */
	t0 = hard_now();
	do {
		churn_tickets();
		usleep(250 * 1000);
		hard_live_read(&now);
	} while (!hard_live_settled(&self->base, &now) && hard_now() - t0 < 60);
	if (!hard_live_settled(&self->base, &now)) {
		hard_live_print("before", &self->base);
		hard_live_print("after", &now);
	}
	EXPECT_TRUE(hard_live_settled(&self->base, &now));
	ksft_print_msg("fuzz: live objects back to the baseline after %.1f s\n",
		       hard_now() - t0);

	ASSERT_EQ(0, hard_cred_snapshot(creds, sizeof(creds)));
	EXPECT_STREQ(self->creds, creds);
	munmap(sh, sizeof(*sh));
	fflush(stdout);
}

TEST_HARNESS_MAIN
