// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency soak (issue 9, item 5): several processes with several
 * threads each run complete local handshakes, QueryContextAttributes,
 * QuerySecurityContextToken, QueryToken, impersonation (checked with the
 * thread's own euid and whoami), revert, passing token descriptors to the
 * next process over SCM_RIGHTS (the receiver queries and impersonates
 * them: allowed for root, and for alice only with her own tokens, not
 * bob's) and
 * closes -- while the test process keeps trying to unload the module.
 *
 * The run is split into rounds.  During a round every worker process holds
 * /dev/ksspi open, so every delete_module() must fail with EWOULDBLOCK (or
 * EBUSY) and leave the module working.  At the end of a round the workers
 * stop, take every descriptor still in flight out of their sockets, close
 * everything; the live contexts, tokens and impersonating threads must be
 * back to where they were, and the module must then unload (retried while
 * the impersonation reaper, every 2 s, has not yet dropped the records of
 * exited threads) and is loaded again with the same parameters for the
 * next round.  Every operation of every worker must succeed with the right
 * answer: a single error fails the test.
 *
 * Runs in `make check` (it comes after lifetime_test, which reloads the
 * module the same way, and leaves the module loaded with its parameters).
 * Without the module file (KSSPI_MODULE, default ./ksspi.ko) the rounds run
 * without the unload and reload.
 *
 * Environment: KSSPI_SOAK_SECONDS (default 16), KSSPI_SOAK_ROUNDS (4),
 * KSSPI_SOAK_PROCS (4), KSSPI_SOAK_THREADS (3).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "ksspi_test.h"
#include "hardening.h"

#define MAX_PROCS	16
#define MAX_THREADS	16
#define MSGS		10

enum phase { PH_WAIT, PH_RUN, PH_STOP, PH_COLLECT, PH_END };

struct shared {
	_Atomic int phase;
	_Atomic int round;
	_Atomic unsigned int ready;	/* processes holding /dev/ksspi this round */
	_Atomic unsigned int stopped;	/* processes whose threads stopped */
	_Atomic unsigned int drained;	/* processes that closed everything */
	_Atomic unsigned long handshakes, impersonations, passed, received;
	_Atomic unsigned long errors;
	_Atomic unsigned int nmsg;
	char msg[MSGS][200];
};

struct proc {
	struct shared *sh;
	int index;
	uid_t uid;
	char target[64];
	int dev, icred, acred, alice;
	int sock_out, sock_in;
};

struct thread {
	struct proc *p;
	int index;
	unsigned long n;
	uid_t euid;
};

static void err(struct proc *p, const char *fmt, ...)
{
	unsigned int i = atomic_fetch_add(&p->sh->nmsg, 1);
	va_list ap;
	int n;

	atomic_fetch_add(&p->sh->errors, 1);
	if (i >= MSGS)
		return;
	n = snprintf(p->sh->msg[i], sizeof(p->sh->msg[i]), "round %d proc %d: ",
		     atomic_load(&p->sh->round), p->index);
	va_start(ap, fmt);
	vsnprintf(p->sh->msg[i] + n, sizeof(p->sh->msg[i]) - n, fmt, ap);
	va_end(ap);
}

/* The thread's own effective uid (the raw syscall: per thread). */
static uid_t thread_euid(void)
{
	return syscall(SYS_geteuid);
}

static uid_t token_uid(int tok)
{
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	uint32_t groups[16];
	char name[64];

	ti.groups = (uintptr_t)groups;
	ti.ngroups = 16;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	if (ksspi_query_token(tok, &ti))
		return (uid_t)-1;
	return ti.uid;
}

/* Impersonates @tok of @uid and reverts, checking every step. */
static void impersonate_check(struct thread *t, int tok, uid_t uid)
{
	struct proc *p = t->p;
	bool may = p->uid == 0 || uid == p->uid;
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	uint32_t groups[16];
	char name[64];
	int32_t st;

	ti.groups = (uintptr_t)groups;
	ti.ngroups = 16;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	st = ksspi_impersonate(tok);
	if (!may) {
		if (st != SEC_E_NO_IMPERSONATION)
			err(p, "uid %u impersonating uid %u: %s", p->uid, uid,
			    ksspi_status_string(st));
		if (thread_euid() != t->euid)
			err(p, "a refused impersonation changed the thread's euid");
		return;
	}
	if (st != SEC_E_OK) {
		err(p, "impersonate uid %u: %s", uid, ksspi_status_string(st));
		return;
	}
	atomic_fetch_add(&p->sh->impersonations, 1);
	if (thread_euid() != uid)
		err(p, "impersonating uid %u, the thread's euid is %u", uid,
		    thread_euid());
	if (ksspi_whoami(p->dev, &ti) || ti.uid != uid)
		err(p, "whoami while impersonating uid %u: uid %u", uid, ti.uid);
	st = ksspi_revert(tok);
	if (st != SEC_E_OK)
		err(p, "revert: %s", ksspi_status_string(st));
	if (thread_euid() != t->euid)
		err(p, "after revert the thread's euid is %u, not %u",
		    thread_euid(), t->euid);
}

static void send_fd(struct proc *p, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, c = 't';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	/* A full queue is no error: the receiver is busy. */
	if (sendmsg(p->sock_out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
		atomic_fetch_add(&p->sh->passed, 1);
	else if (errno != EAGAIN)
		err(p, "sendmsg: %s", strerror(errno));
}

/* A token descriptor from the previous process, or -1. */
static int recv_fd(struct proc *p)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(p->sock_in, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	else
		err(p, "a message without a descriptor");
	return fd;
}

/* One iteration: a handshake and everything done with its result. */
static void iteration(struct thread *t)
{
	struct proc *p = t->p;
	bool alice = p->alice >= 0 && (t->n & 1);
	int icred = alice ? p->alice : p->icred;
	/* A root process's clients are alice and bob; alice's are alice. */
	uid_t cuid = alice || p->uid ? ALICE_UID : BOB_UID;
	uint32_t req = (t->n & 2) ? ISC_REQ_MUTUAL_AUTH : 0;
	char name[64], want[64], cname[64], sname[64];
	int ictx, actx, tok, fd;
	int32_t st;

	st = local_handshake(icred, p->acred, p->target, req, 0, &ictx, &actx);
	if (st != SEC_E_OK) {
		err(p, "handshake: %s", ksspi_status_string(st));
		goto out;
	}
	atomic_fetch_add(&p->sh->handshakes, 1);
	uid_principal(want, sizeof(want), NULL, cuid);
	if (ksspi_query_names(actx, name, sizeof(name)) || strcmp(name, want))
		err(p, "acceptor's name '%s', not '%s'", name, want);
	if (ksspi_query_native_names(ictx, cname, sizeof(cname), sname,
				     sizeof(sname)) ||
	    strcmp(cname, want) || strcmp(sname, p->target))
		err(p, "initiator's names '%s' '%s'", cname, sname);
	tok = ksspi_query_security_context_token(actx);
	if (tok < 0) {
		err(p, "get-token: %s", strerror(-tok));
		goto out;
	}
	if (token_uid(tok) != cuid)
		err(p, "token uid %u, not %u", token_uid(tok), cuid);
	impersonate_check(t, tok, cuid);
	/* Impersonate through the context as well, now and then. */
	if ((t->n & 7) == 5)
		impersonate_check(t, actx, cuid);
	if (t->n & 4)
		send_fd(p, tok);
	close(tok);

	fd = recv_fd(p);
	if (fd >= 0) {
		uid_t u = token_uid(fd);

		atomic_fetch_add(&p->sh->received, 1);
		if (u != BOB_UID && u != ALICE_UID)
			err(p, "a passed token of uid %u", u);
		else
			impersonate_check(t, fd, u);
		close(fd);
	}
out:
	if (ictx >= 0)
		close(ictx);
	if (actx >= 0)
		close(actx);
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	t->euid = thread_euid();
	while (atomic_load(&t->p->sh->phase) == PH_RUN) {
		iteration(t);
		t->n++;
	}
	return NULL;
}

static void wait_phase(struct shared *sh, int phase)
{
	while (atomic_load(&sh->phase) < phase)
		usleep(5 * 1000);
}

/*
 * Outbound credentials of @uid for a root process (root's own are no use:
 * an identity mapping to uid 0 is refused without allow_root).  Real ids
 * too, saved uid 0 to come back (see abi_test).
 */
static int acquire_as(int dev, uid_t uid, gid_t gid, const gid_t *groups,
		      int ngroups)
{
	int fd = -1;

	if (!setgroups(ngroups, groups) && !setresgid(gid, gid, 0) &&
	    !setresuid(uid, uid, 0))
		fd = ksspi_acquire_credentials(dev, "local",
					       SECPKG_CRED_OUTBOUND, NULL, NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0) || setgroups(0, NULL))
		_exit(90);
	return fd;
}

static void round_open(struct proc *p)
{
	p->alice = -1;
	p->dev = ksspi_open();
	if (p->dev < 0) {
		err(p, "open %s: %s", KSSPI_DEVICE_PATH, strerror(-p->dev));
		return;
	}
	if (p->uid) {
		p->icred = ksspi_acquire_credentials(p->dev, "local",
						     SECPKG_CRED_OUTBOUND, NULL,
						     NULL);
	} else {
		const gid_t staff[] = { STAFF_GID };

		p->icred = acquire_as(p->dev, BOB_UID, BOB_GID, NULL, 0);
		p->alice = acquire_as(p->dev, ALICE_UID, ALICE_GID, staff, 1);
	}
	p->acred = ksspi_acquire_credentials(p->dev, "local",
					     SECPKG_CRED_INBOUND, p->target,
					     NULL);
	if (p->icred < 0 || p->acred < 0 || (!p->uid && p->alice < 0))
		err(p, "acquire: %d %d %d", p->icred, p->acred, p->alice);
}

static void round_close(struct proc *p)
{
	int *fds[] = { &p->alice, &p->acred, &p->icred, &p->dev };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int proc_main(struct shared *sh, int index, unsigned int threads,
		     int sock_out, int sock_in)
{
	struct thread ts[MAX_THREADS] = {};
	pthread_t tids[MAX_THREADS];
	struct proc p = { .sh = sh, .index = index, .sock_out = sock_out,
			  .sock_in = sock_in, .dev = -1, .icred = -1,
			  .acred = -1, .alice = -1 };
	int round, fd;
	unsigned int i;

	if (index % 2) {
		if (become_alice())
			return 81;
		p.uid = ALICE_UID;
	}
	uid_principal(p.target, sizeof(p.target), "soak", p.uid);
	for (round = 0;; round++) {
		/* Wait for the round (or the end) to start. */
		while (atomic_load(&sh->round) == round - 1 ||
		       atomic_load(&sh->phase) != PH_RUN) {
			if (atomic_load(&sh->phase) == PH_END)
				return 0;
			usleep(5 * 1000);
		}
		round_open(&p);
		atomic_fetch_add(&sh->ready, 1);
		for (i = 0; i < threads; i++) {
			ts[i].p = &p;
			ts[i].index = i;
			if (pthread_create(&tids[i], NULL, thread_main, &ts[i]))
				return 83;
		}
		for (i = 0; i < threads; i++)
			pthread_join(tids[i], NULL);
		atomic_fetch_add(&sh->stopped, 1);
		/* Nobody sends now: take what is in flight to us. */
		wait_phase(sh, PH_COLLECT);
		while ((fd = recv_fd(&p)) >= 0)
			close(fd);
		round_close(&p);
		atomic_fetch_add(&sh->drained, 1);
		while (atomic_load(&sh->phase) == PH_COLLECT)
			usleep(5 * 1000);
	}
}

static int delete_module(const char *name, int flags)
{
	return syscall(SYS_delete_module, name, flags);
}

FIXTURE(soak) {
	int modfd;
	char params[1024];
	char why[160];
	struct hard_live base;
};

FIXTURE_SETUP(soak)
{
	const char *path = getenv("KSSPI_MODULE") ?: "ksspi.ko";
	struct hard_live now;
	double t0;

	self->modfd = -1;
	ASSERT_TRUE(hard_module_loaded()) TH_LOG("ksspi is not loaded");
	ASSERT_EQ(0, hard_current_params(self->params, sizeof(self->params)));
	/* Open it now: never unload what could not be loaded again. */
	self->modfd = open(path, O_RDONLY | O_CLOEXEC);
	if (self->modfd < 0)
		snprintf(self->why, sizeof(self->why),
			 "cannot open %s (set KSSPI_MODULE): %s", path,
			 strerror(errno));
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

FIXTURE_TEARDOWN(soak)
{
	/* The rest of the suite needs the module. */
	if (self->modfd >= 0 && !hard_module_loaded()) {
		if (syscall(SYS_finit_module, self->modfd, self->params, 0))
			TH_LOG("reloading ksspi failed: %m");
	}
	if (self->modfd >= 0)
		close(self->modfd);
}

/* Waits until @counter reaches @n, or @secs pass; returns whether it did. */
static bool wait_count(_Atomic unsigned int *counter, unsigned int n,
		       double secs)
{
	double t0 = hard_now();

	while (atomic_load(counter) < n) {
		if (hard_now() - t0 > secs)
			return false;
		usleep(5 * 1000);
	}
	return true;
}

/* Contexts, tokens and impersonating threads back to @base (settled). */
static bool objects_settled(const struct hard_live *base, struct hard_live *now)
{
	double t0 = hard_now();

	do {
		hard_live_read(now);
		if (now->contexts == base->contexts &&
		    now->tokens == base->tokens && now->threads == base->threads)
			return true;
		usleep(100 * 1000);
	} while (hard_now() - t0 < 30);
	return false;
}

TEST_F_TIMEOUT(soak, unload_while_busy, 3600)
{
	unsigned long seconds = hard_env("KSSPI_SOAK_SECONDS", 16);
	unsigned long rounds = hard_env("KSSPI_SOAK_ROUNDS", 4);
	unsigned long procs = hard_env("KSSPI_SOAK_PROCS", 4);
	unsigned long threads = hard_env("KSSPI_SOAK_THREADS", 3);
	bool reload = self->modfd >= 0;
	unsigned long refused = 0, unloads = 0;
	int socks[MAX_PROCS][2], st, died = 0, ret, e;
	struct hard_live now, zero = {};
	char params[sizeof(self->params)], creds[1024], creds1[1024];
	double t0, tr, round_len;
	pid_t pids[MAX_PROCS];
	struct shared *sh;
	unsigned int i;
	int r;

	ASSERT_TRUE(procs >= 2 && procs <= MAX_PROCS);
	ASSERT_TRUE(threads >= 1 && threads <= MAX_THREADS);
	ASSERT_LE(1, rounds);
	ASSERT_EQ(0, hard_cred_snapshot(creds, sizeof(creds)));
	if (!reload)
		ksft_print_msg("soak: no unload and reload: %s\n", self->why);
	round_len = (double)seconds / rounds;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	atomic_store(&sh->round, -1);

	for (i = 0; i < procs; i++)
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
					socks[i]));
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
			_exit(proc_main(sh, i, threads, out, in));
		}
	}
	for (i = 0; i < procs; i++) {
		close(socks[i][0]);
		close(socks[i][1]);
	}

	t0 = hard_now();
	for (r = 0; r < (int)rounds; r++) {
		atomic_store(&sh->ready, 0);
		atomic_store(&sh->stopped, 0);
		atomic_store(&sh->drained, 0);
		atomic_store(&sh->round, r);
		atomic_store(&sh->phase, PH_RUN);
		ASSERT_TRUE(wait_count(&sh->ready, procs, 60))
			TH_LOG("round %d: workers did not open /dev/ksspi", r);

		/* Busy: every unload must be refused, the module untouched. */
		tr = hard_now();
		while (hard_now() - tr < round_len) {
			errno = 0;
			ret = delete_module("ksspi", O_NONBLOCK);
			e = errno;
			if (ret == 0) {
				TH_LOG("round %d: the module unloaded while in use", r);
				ASSERT_EQ(0, syscall(SYS_finit_module,
						     self->modfd, self->params, 0));
			}
			EXPECT_NE(0, ret);
			EXPECT_TRUE(e == EWOULDBLOCK || e == EBUSY)
				TH_LOG("delete_module: %s", strerror(e));
			refused++;
			usleep(50 * 1000);
		}
		EXPECT_TRUE(hard_module_loaded());

		atomic_store(&sh->phase, PH_STOP);
		ASSERT_TRUE(wait_count(&sh->stopped, procs, 60))
			TH_LOG("round %d: workers did not stop", r);
		atomic_store(&sh->phase, PH_COLLECT);
		ASSERT_TRUE(wait_count(&sh->drained, procs, 60))
			TH_LOG("round %d: workers did not close", r);

		/* Nothing is left: every object of the round is gone. */
		EXPECT_TRUE(objects_settled(r == 0 || !reload ? &self->base :
					    &zero, &now)) {
			hard_live_print("before", r == 0 || !reload ?
					&self->base : &zero);
			hard_live_print("after", &now);
		}
		atomic_store(&sh->phase, PH_WAIT);
		if (!reload)
			continue;

		/* Idle: the module unloads (exited threads are reaped every 2 s). */
		tr = hard_now();
		do {
			ret = delete_module("ksspi", O_NONBLOCK);
			if (ret == 0 || errno != EWOULDBLOCK)
				break;
			usleep(100 * 1000);
		} while (hard_now() - tr < 15);
		ASSERT_EQ(0, ret) TH_LOG("round %d: delete_module: %m (refcnt %ld)",
					 r, hard_refcnt());
		unloads++;
		EXPECT_FALSE(hard_module_loaded());
		EXPECT_EQ(-ENOENT, ksspi_open());
		ASSERT_EQ(0, syscall(SYS_finit_module, self->modfd, self->params,
				     0)) TH_LOG("reloading ksspi with '%s': %m",
						self->params);
		ASSERT_EQ(0, hard_current_params(params, sizeof(params)));
		EXPECT_STREQ(self->params, params);
	}
	atomic_store(&sh->phase, PH_END);
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			died++;
			TH_LOG("process %u: %s %d", i,
			       WIFEXITED(st) ? "exit" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
	}
	ksft_print_msg("soak: %lu rounds in %.1f s, %lu processes x %lu threads: %lu handshakes, %lu impersonations, %lu tokens passed (%lu received), %lu unloads refused while busy, %lu unload+reload cycles, %lu errors\n",
		       rounds, hard_now() - t0, procs, threads,
		       (unsigned long)sh->handshakes,
		       (unsigned long)sh->impersonations,
		       (unsigned long)sh->passed, (unsigned long)sh->received,
		       refused, unloads, (unsigned long)sh->errors);
	for (i = 0; i < sh->nmsg && i < MSGS; i++)
		TH_LOG("%s", sh->msg[i]);
	EXPECT_EQ(0, died);
	EXPECT_EQ(0, sh->errors);
	EXPECT_LT(0, sh->handshakes);
	EXPECT_LT(0, sh->received);
	EXPECT_TRUE(hard_module_loaded());
	ASSERT_EQ(0, hard_cred_snapshot(creds1, sizeof(creds1)));
	EXPECT_STREQ(creds, creds1);
	munmap(sh, sizeof(*sh));
	fflush(stdout);
}

TEST_HARNESS_MAIN
