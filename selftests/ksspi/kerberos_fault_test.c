// SPDX-License-Identifier: GPL-2.0
/*
 * The kerberos and negotiate packages when things go wrong, end to end in
 * the VM (real KDC, real request-key; see krb5_e2e.h and
 * Documentation/dev-tools/testing.rst): a stale service key, an expired
 * ticket and TGT, clock skew, damaged / truncated / replayed / foreign
 * tokens, the KDC down, and a helper that is missing, crashes, negates,
 * hangs past its deadline or answers garbage.  Every test runs for both packages.
 */
#include "krb5_e2e.h"

/* A stale service key (kvno 1; the KDC issues kvno 2). */
TEST_F_TIMEOUT(krb, wrong_service_key, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;

	o.acc_keytab = E.stale_keytab;
	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ar.acq_err);
	ASSERT_STATUS(SEC_E_LOGON_DENIED, ar);
	EXPECT_NE(SEC_E_OK, ir.status);
}

/*
 * A ticket that expired: alice's 1-minute ticket, its AP-REQ made now and
 * accepted after the guest's clock moved 8 minutes on (past endtime + the
 * 5 min skew; the authenticator is checked after the ticket's times).
 * The guest's clock is the test's to move (selftests/krb5/README.md).
 */
TEST_F_TIMEOUT(krb, expired_ticket, 60)
{
	static const char *const svcs[] = { "host", NULL };
	struct hs_opts o = base_opts(self, variant);
	char cc[PATH_MAX + 16];
	static uint8_t tok[BIGTOK], out[BIGTOK];
	size_t len = sizeof(tok), olen = sizeof(out);
	int dev, icred, acred, ictx = -1, actx = -1, err;
	int32_t st;
	uint32_t flags;

	snprintf(cc, sizeof(cc), "FILE:%s/short.cc", self->dir);
	ASSERT_EQ(0, alice_kinit(cc, 60, svcs));
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	icred = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL, cc,
			NULL, &err);
	ASSERT_LE(0, icred) {
		TH_LOG("acquire: %s", strerror(err));
	}
	acred = acquire(dev, variant->package, SECPKG_CRED_INBOUND, NULL, NULL,
			NULL, &err);
	ASSERT_LE(0, acred);
	errno = 0;
	st = ksspi_initialize_security_context(icred, &ictx, o.target, 0, NULL,
					       0, tok, &len, &flags);
	EXPECT_EQ(0, errno);
	ASSERT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED) {
		TH_LOG("init: %s", ksspi_status_string(st));
	}
	ASSERT_EQ(0, shift_clock(self, 8 * 60));
	errno = 0;
	st = ksspi_accept_security_context(acred, &actx, 0, tok, len, out,
					   &olen, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(SEC_E_CONTEXT_EXPIRED, st) {
		TH_LOG("accept: %s, errno %d", ksspi_status_string(st), errno);
	}
	/* The initiator's expired TGT: no credentials (a new context). */
	close(ictx);
	ictx = -1;
	len = sizeof(tok);
	errno = 0;
	st = ksspi_initialize_security_context(icred, &ictx, o.target, 0, NULL,
					       0, tok, &len, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(SEC_E_NO_CREDENTIALS, st) {
		TH_LOG("init with an expired TGT: %s", ksspi_status_string(st));
	}
	close(icred);
	close(acred);
	close(dev);
	EXPECT_EQ(0, shift_clock(self, -self->clock_shift));
}

/* An authenticator 10 minutes ahead (the ccache's KDC time offset). */
TEST_F_TIMEOUT(krb, clock_skew, 60)
{
	static const char *const svcs[] = { "host", NULL };
	struct hs_opts o = base_opts(self, variant);
	char prog[PATH_MAX + 64], cc[PATH_MAX + 16];
	const char *argv[] = { prog, cc + 5, "600", NULL };
	struct side_res ir, ar;

	snprintf(cc, sizeof(cc), "FILE:%s/skew.cc", self->dir);
	ASSERT_EQ(0, alice_kinit(cc, 0, svcs));
	snprintf(prog, sizeof(prog), "%s/selftests/krb5/ccache-offset", E.root);
	ASSERT_EQ(0, run(argv));
	o.ccache = cc;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_TIME_SKEW, ar);
}

/*
 * Damaged client tokens: the framing (-> SEC_E_INVALID_TOKEN), cut in
 * half, garbage; a flipped byte in the encrypted authenticator (a bad
 * checksum -> SEC_E_LOGON_DENIED); the intact token twice (a replay ->
 * SEC_E_LOGON_DENIED); and a token of the other mechanism.
 */
TEST_F_TIMEOUT(krb, bad_tokens, 90)
{
	static const struct {
		enum mangle m;
		int32_t want;
		const char *what;
	} cases[] = {
		{ MANGLE_HEADER, SEC_E_INVALID_TOKEN, "framing" },
		{ MANGLE_TRUNCATE, SEC_E_INVALID_TOKEN, "truncated" },
		{ MANGLE_GARBAGE, SEC_E_INVALID_TOKEN, "garbage" },
		{ MANGLE_CIPHER, SEC_E_LOGON_DENIED, "ciphertext" },
	};
	static uint8_t tok[BIGTOK], bad[BIGTOK], out[BIGTOK];
	const char *other = strcmp(variant->package, "kerberos") ?
			    "kerberos" : "negotiate";
	int dev, icred, ocred, acred, ictx = -1, actx, err;
	size_t len = sizeof(tok), olen;
	uint32_t blen, flags;
	unsigned int i;
	int32_t st;

	dev = ksspi_open();
	ASSERT_LE(0, dev);
	icred = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL,
			self->alice_cc, NULL, &err);
	ASSERT_LE(0, icred) {
		TH_LOG("acquire: %s", strerror(err));
	}
	acred = acquire(dev, variant->package, SECPKG_CRED_INBOUND, NULL, NULL,
			NULL, &err);
	ASSERT_LE(0, acred);
	errno = 0;
	st = ksspi_initialize_security_context(icred, &ictx, self->target, 0,
					       NULL, 0, tok, &len, &flags);
	EXPECT_EQ(0, errno);
	ASSERT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, tok, len);
		blen = len;
		mangle(cases[i].m, bad, &blen);
		actx = -1;
		olen = sizeof(out);
		errno = 0;
		st = ksspi_accept_security_context(acred, &actx, 0, bad, blen,
						   out, &olen, &flags);
		EXPECT_EQ(0, errno);
		EXPECT_EQ(cases[i].want, st) {
			TH_LOG("%s token: %s (errno %d)", cases[i].what,
			       ksspi_status_string(st), errno);
		}
		EXPECT_EQ(-1, actx);
	}
	/* The intact token once, then again: a replay. */
	actx = -1;
	olen = sizeof(out);
	errno = 0;
	st = ksspi_accept_security_context(acred, &actx, 0, tok, len, out,
					   &olen, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED) {
		TH_LOG("intact token: %s", ksspi_status_string(st));
	}
	if (actx >= 0)
		close(actx);
	actx = -1;
	olen = sizeof(out);
	errno = 0;
	st = ksspi_accept_security_context(acred, &actx, 0, tok, len, out,
					   &olen, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(SEC_E_LOGON_DENIED, st) {
		TH_LOG("replayed token: %s", ksspi_status_string(st));
	}
	/* The other package's token: the wrong mechanism. */
	close(ictx);
	ictx = -1;
	ocred = acquire(dev, other, SECPKG_CRED_OUTBOUND, NULL, self->alice_cc,
			NULL, &err);
	ASSERT_LE(0, ocred);
	len = sizeof(tok);
	errno = 0;
	st = ksspi_initialize_security_context(ocred, &ictx, self->target, 0,
					       NULL, 0, tok, &len, &flags);
	EXPECT_EQ(0, errno);
	ASSERT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED);
	actx = -1;
	olen = sizeof(out);
	errno = 0;
	st = ksspi_accept_security_context(acred, &actx, 0, tok, len, out,
					   &olen, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st) {
		TH_LOG("%s token to a %s acceptor: %s", other,
		       variant->package, ksspi_status_string(st));
	}
	close(ictx);
	close(ocred);
	close(icred);
	close(acred);
	close(dev);
}

/* The KDC is down: the initiator cannot get a service ticket. */
TEST_F_TIMEOUT(krb, kdc_down, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char t[NAMEBUF];

	/* A TGT but no cifs/ ticket: the TGS exchange is needed. */
	svc_name(t, sizeof(t), "cifs");
	o.target = t;
	ASSERT_EQ(0, kdc_stop());
	self->kdc_stopped = true;
	ASSERT_FALSE(kdc_alive());
	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ir.acq_err) {
		TH_LOG("acquire with the KDC down: %s", strerror(ir.acq_err));
	}
	ASSERT_STATUS(SEC_E_NO_AUTHENTICATING_AUTHORITY, ir);
	ASSERT_EQ(0, kdc_start());
	self->kdc_stopped = false;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	ASSERT_STATUS(SEC_E_OK, ar);
}

/* ============================================================================
 * The helper misbehaves: missing, crashing, negating, hanging, garbage.
 */

enum fault { FAULT_MISSING, FAULT_CRASH, FAULT_NEGATE, FAULT_HANG,
	     FAULT_MALFORMED };

FIXTURE(helper_fault) {
	char dir[PATH_MAX];
	char alice_cc[PATH_MAX + 32];
	char target[NAMEBUF];
};

FIXTURE_VARIANT(helper_fault) {
	const char *name;
	const char *package;
	enum fault fault;
};

#define FAULT_VARIANT(pkg, what, f)					\
	FIXTURE_VARIANT_ADD(helper_fault, pkg##_##what) {		\
		.name = #pkg "_" #what, .package = #pkg, .fault = f,	\
	}

FAULT_VARIANT(kerberos, missing, FAULT_MISSING);
FAULT_VARIANT(kerberos, crash, FAULT_CRASH);
FAULT_VARIANT(kerberos, negate, FAULT_NEGATE);
FAULT_VARIANT(kerberos, hang, FAULT_HANG);
FAULT_VARIANT(kerberos, malformed, FAULT_MALFORMED);
FAULT_VARIANT(negotiate, missing, FAULT_MISSING);
FAULT_VARIANT(negotiate, crash, FAULT_CRASH);
FAULT_VARIANT(negotiate, negate, FAULT_NEGATE);
FAULT_VARIANT(negotiate, hang, FAULT_HANG);
FAULT_VARIANT(negotiate, malformed, FAULT_MALFORMED);

FIXTURE_SETUP(helper_fault)
{
	e2e_setup(_metadata, variant->name);
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->alice_cc, sizeof(self->alice_cc), "FILE:%s/alice.cc",
		 self->dir);
	ASSERT_EQ(0, alice_kinit(self->alice_cc, 0, NULL));
	snprintf(self->target, sizeof(self->target), "%s", pkg_target());
}

FIXTURE_TEARDOWN(helper_fault)
{
	EXPECT_EQ(0, use_real_helper());
	EXPECT_EQ(0, restore_timeout());
	rm_tree(self->dir);
	e2e_time(_metadata);
}

/* A script in @dir named @name; returns its path in @path. */
static int script(const char *dir, const char *name, const char *body,
		  char *path, size_t size)
{
	char *text;
	int ret;

	snprintf(path, size, "%s/%s", dir, name);
	if (asprintf(&text, "#!/bin/sh\n%s\n", body) < 0)
		return -ENOMEM;
	ret = write_file_atomic(path, text, 0755);
	free(text);
	return ret;
}

/* Malformed responses the fake helper instantiates, one per upcall. */
static int write_payloads(const char *dir)
{
	struct ksspi_upcall_like {
		uint32_t magic;
		uint16_t version, op;
		uint32_t size, flags;
		uint64_t id;
		int32_t status;
		uint32_t ret_flags, gss_major, gss_minor;
		int64_t expiry;
		uint32_t uid, gid, level, enctype;
	} forged = {
		.magic = 0x5055736bU,	/* KSSPI_UPCALL_MAGIC */
		.version = 1,
		.op = 3,		/* ACCEPT */
		.size = sizeof(forged),
		.id = 0xfedcba9876543210ULL, /* answers no request */
		.status = 0,
		.uid = 0,		/* and claims root */
		.gid = 0,
		.level = SECURITY_DELEGATION,
	};
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/p0", dir);
	if (write_file_atomic(path, "this is not a response\n", 0644))
		return -1;
	snprintf(path, sizeof(path), "%s/p1", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_full(fd, &forged, 10))	/* a cut header */
		return -1;
	close(fd);
	snprintf(path, sizeof(path), "%s/p2", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_full(fd, &forged, sizeof(forged)))
		return -1;
	close(fd);
	return 0;
}

/* Is any process of @pids (one per line in @file) still alive? */
static bool any_alive(const char *file, char *which, size_t size)
{
	char line[64], path[64], st[512];
	FILE *f = fopen(file, "re");
	bool alive = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		long pid = strtol(line, NULL, 10);
		char *s;

		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (pid <= 0 || read_small(path, st, sizeof(st)))
			continue;
		s = strrchr(st, ')');
		if (s && s[1] == ' ' && s[2] == 'Z')
			continue;
		alive = true;
		snprintf(which, size, "%ld", pid);
	}
	fclose(f);
	return alive;
}

struct intr_arg {
	int cred;
	const uint8_t *tok;
	size_t len;
	int ctx;
	int32_t status;
	int err;
};

static void on_usr1(int sig)
{
}

static void *accept_thread(void *p)
{
	static uint8_t out[BIGTOK];
	struct intr_arg *a = p;
	size_t olen = sizeof(out);
	uint32_t flags;

	a->ctx = -1;
	errno = 0;
	a->status = ksspi_accept_security_context(a->cred, &a->ctx, 0, a->tok,
						  a->len, out, &olen, &flags);
	a->err = errno;
	return NULL;
}

/*
 * A caller waiting for a hung helper gets a signal: the call fails with
 * EINTR at once and the helper is killed.
 */
static void check_eintr(struct __test_metadata *_metadata, const char *pids,
			int acred, const uint8_t *tok, size_t len)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct intr_arg arg = { .cred = acred, .tok = tok, .len = len };
	char which[32] = "";
	uint64_t deadline;
	pthread_t th;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0, lower_timeout("60000"));
	unlink(pids);
	ASSERT_EQ(0, pthread_create(&th, NULL, accept_thread, &arg));
	/* Wait until the helper runs: the caller is then in the upcall. */
	deadline = now_ms() + 20000;
	while (access(pids, F_OK) && now_ms() < deadline)
		usleep(20000);
	ASSERT_EQ(0, access(pids, F_OK));
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(EINTR, arg.err) {
		TH_LOG("interrupted accept: %s, errno %d",
		       ksspi_status_string(arg.status), arg.err);
	}
	EXPECT_EQ(-1, arg.ctx);
	deadline = now_ms() + 15000;
	while (any_alive(pids, which, sizeof(which)) && now_ms() < deadline)
		usleep(50000);
	EXPECT_FALSE(any_alive(pids, which, sizeof(which))) {
		TH_LOG("helper %s survives the interrupted call", which);
	}
	ASSERT_EQ(0, restore_timeout());
}

TEST_F_TIMEOUT(helper_fault, calls_fail_cleanly, 120)
{
	char path[PATH_MAX + 64], cmd[PATH_MAX * 2], body[PATH_MAX * 2];
	char pids[PATH_MAX + 16], which[32] = "";
	static uint8_t tok[BIGTOK], out[BIGTOK];
	int dev, icred, acred, ictx = -1, actx = -1, fd, err, round;
	int expect_errno;
	size_t len = sizeof(tok), olen;
	uint32_t flags;
	uint64_t deadline;
	int32_t st;

	dev = ksspi_open();
	ASSERT_LE(0, dev);
	/* Handles and a valid client token, with the real helper. */
	icred = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL,
			self->alice_cc, NULL, &err);
	ASSERT_LE(0, icred) {
		TH_LOG("acquire: %s", strerror(err));
	}
	acred = acquire(dev, variant->package, SECPKG_CRED_INBOUND, NULL, NULL,
			NULL, &err);
	ASSERT_LE(0, acred);
	errno = 0;
	st = ksspi_initialize_security_context(icred, &ictx, self->target, 0,
					       NULL, 0, tok, &len, &flags);
	EXPECT_EQ(0, errno);
	ASSERT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED);
	close(ictx);
	ictx = -1;

	snprintf(pids, sizeof(pids), "%s/pids", self->dir);
	switch (variant->fault) {
	case FAULT_MISSING:
		snprintf(cmd, sizeof(cmd), "%s/no-such-helper %%k", self->dir);
		expect_errno = EHOSTUNREACH;
		break;
	case FAULT_CRASH:
		ASSERT_EQ(0, script(self->dir, "crash",
				    "kill -SEGV $$\nexit 99", path,
				    sizeof(path)));
		snprintf(cmd, sizeof(cmd), "%s %%k", path);
		expect_errno = EHOSTUNREACH;
		break;
	case FAULT_NEGATE:
		ASSERT_EQ(0, script(self->dir, "negate",
				    "exec /bin/keyctl negate \"$1\" 30 0", path,
				    sizeof(path)));
		snprintf(cmd, sizeof(cmd), "%s %%k", path);
		/* The helper said no: to AcquireCredentialsHandle, no keys. */
		expect_errno = ENOKEY;
		break;
	case FAULT_HANG:
		snprintf(body, sizeof(body), "echo $$ >>%s\nexec sleep 600",
			 pids);
		ASSERT_EQ(0, script(self->dir, "hang", body, path,
				    sizeof(path)));
		snprintf(cmd, sizeof(cmd), "%s %%k", path);
		expect_errno = ETIMEDOUT;
		break;
	case FAULT_MALFORMED:
	default:
		ASSERT_EQ(0, write_payloads(self->dir));
		/* Each call gets the next payload: p0, p1, p2, p0, ... */
		snprintf(body, sizeof(body),
			 "d=%s; n=$(cat $d/n 2>/dev/null || echo 0)\n"
			 "echo $(( (n + 1) %% 3 )) >$d/n\n"
			 "exec /bin/keyctl pinstantiate \"$1\" 0 <$d/p$n",
			 self->dir);
		ASSERT_EQ(0, script(self->dir, "malformed", body, path,
				    sizeof(path)));
		snprintf(cmd, sizeof(cmd), "%s %%k", path);
		expect_errno = EBADMSG;
		break;
	}
	if (variant->fault == FAULT_HANG)
		ASSERT_EQ(0, lower_timeout("1500"));
	ASSERT_EQ(0, set_upcall(cmd));

	for (round = 0; round < (variant->fault == FAULT_MALFORMED ? 3 : 1);
	     round++) {
		/* The acceptor, with a valid token. */
		olen = sizeof(out);
		actx = -1;
		errno = 0;
		st = ksspi_accept_security_context(acred, &actx, 0, tok, len,
						   out, &olen, &flags);
		err = errno;
		EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY, st) {
			TH_LOG("accept, round %d: %s, errno %d", round,
			       ksspi_status_string(st), err);
		}
		EXPECT_EQ(0, err);
		EXPECT_EQ(-1, actx);
		/* The initiator, a new context. */
		olen = sizeof(out);
		ictx = -1;
		errno = 0;
		st = ksspi_initialize_security_context(icred, &ictx,
						       self->target, 0, NULL,
						       0, out, &olen, &flags);
		err = errno;
		EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY, st) {
			TH_LOG("init, round %d: %s, errno %d", round,
			       ksspi_status_string(st), err);
		}
		EXPECT_EQ(0, err);
		EXPECT_EQ(-1, ictx);
		/* AcquireCredentialsHandle reports an errno. */
		fd = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL,
			     self->alice_cc, NULL, &err);
		EXPECT_GT(0, fd);
		if (variant->fault == FAULT_CRASH) {
			EXPECT_TRUE(err == EHOSTUNREACH || err == EPROTO) {
				TH_LOG("acquire: %s", strerror(err));
			}
		} else {
			EXPECT_EQ(expect_errno, err) {
				TH_LOG("acquire: %s", strerror(err));
			}
		}
		if (fd >= 0)
			close(fd);
	}

	if (variant->fault == FAULT_HANG) {
		/* No helper survives its deadline (bounded wait). */
		deadline = now_ms() + 15000;
		while (any_alive(pids, which, sizeof(which)) &&
		       now_ms() < deadline)
			usleep(50000);
		EXPECT_FALSE(any_alive(pids, which, sizeof(which))) {
			TH_LOG("hung helper %s still runs after its deadline",
			       which);
		}
		/*
		 * (On a slow kernel the helper may not have written its pid
		 * within 1.5 s; check_eintr() waits until it has.)
		 */
		ASSERT_EQ(0, restore_timeout());
		check_eintr(_metadata, pids, acred, tok, len);
	}

	/* The real helper again: everything works (no state was left). */
	ASSERT_EQ(0, use_real_helper());
	olen = sizeof(out);
	actx = -1;
	errno = 0;
	st = ksspi_accept_security_context(acred, &actx, 0, tok, len, out,
					   &olen, &flags);
	EXPECT_EQ(0, errno);
	EXPECT_TRUE(st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED) {
		TH_LOG("accept after recovery: %s", ksspi_status_string(st));
	}
	if (actx >= 0)
		close(actx);
	close(icred);
	close(acred);
	close(dev);
}

TEST_HARNESS_MAIN
