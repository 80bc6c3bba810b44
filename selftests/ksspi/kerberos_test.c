// SPDX-License-Identifier: GPL-2.0
/*
 * The kerberos and negotiate packages end to end, in the VM: a real MIT KDC
 * (selftests/krb5/kdc-setup --system), the real helper (build/ksspi-upcall)
 * reached through the real request-key, users in the guest's passwd/group,
 * and MIT's own GSS-API on the other side for interoperability
 * (build/gss-peer).  Every test runs for both packages (FIXTURE_VARIANT).
 *
 * Each handshake runs as two child processes - the initiator (alice, uid
 * 2001, unless said otherwise) and the acceptor (the server, root with the
 * system keytab) - that talk through this process, which relays the tokens
 * (and mangles one when a test asks it to).  A side is ksspi as a user
 * program (libksspi), ksspi's in-kernel API (selftests/kapi/ksspi_kapi.ko,
 * loaded by the test), or MIT GSS-API (gss-peer).  The machinery is in
 * krb5_e2e.h; the failure cases (bad keys and tokens, expiry, skew, a
 * misbehaving helper) are kerberos_fault_test.c, a binary of its own so that
 * each stays well inside the runner's per-binary deadline.
 */
#include "krb5_e2e.h"

/*
 * alice's program initiates with mutual authentication, the server
 * program accepts with the system keytab: both learn who the other is, the
 * server impersonates alice and opens files with her rights only, and
 * both ends derive the same session key.
 */
TEST_F_TIMEOUT(krb, user_handshake, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char want[NAMEBUF];

	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ir.acq_err);
	ASSERT_EQ(0, ar.acq_err);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	EXPECT_TRUE(ir.flags & ISC_RET_MUTUAL_AUTH);
	EXPECT_GE(ir.legs, 2);
	check_alice_server(_metadata, &ar, SECURITY_IMPERSONATION,
			   variant->package_id);
	/* The initiator knows the client (itself) and the server. */
	snprintf(want, sizeof(want), "alice@%s", E.realm);
	EXPECT_EQ(0, ir.names_err);
	EXPECT_STREQ(want, ir.client);
	EXPECT_NE(NULL, strstr(ir.server, "host/"));
	EXPECT_EQ(variant->package_id, ir.ci.package_id);
	EXPECT_TRUE(ir.ci.ctx_flags & ISC_RET_MUTUAL_AUTH);
	/* SESSION_KEY is for privileged callers: alice gets EPERM. */
	EXPECT_EQ(-EPERM, ir.key_len);
	ASSERT_LT(0, ar.key_len) {
		TH_LOG("server: query_session_key: %s", strerror(-ar.key_len));
	}
	EXPECT_NE(0, ar.enctype);
}

/* Without mutual authentication the initiator may finish in one leg. */
TEST_F_TIMEOUT(krb, oneway, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;

	o.isc_req = ISC_REQ_CONNECTION;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	EXPECT_FALSE(ir.flags & ISC_RET_MUTUAL_AUTH);
	if (!strcmp(variant->package, "kerberos"))
		EXPECT_EQ(1, ir.legs);
	check_alice_server(_metadata, &ar, SECURITY_IMPERSONATION,
			   variant->package_id);
}

/*
 * The default ccache is the caller's own (FILE:/tmp/krb5cc_<uid>), as MIT
 * resolves it for that uid; the caller's KRB5CCNAME is never seen.
 */
TEST_F_TIMEOUT(krb, default_ccache, 60)
{
	struct hs_opts o = base_opts(self, variant);
	char env[PATH_MAX + 64], *envp[] = { env, NULL };
	const char *dflt = "FILE:/tmp/krb5cc_2001";
	struct side_res ir, ar;

	unlink(dflt + 5);
	/* Her tickets only where KRB5CCNAME says: not found. */
	snprintf(env, sizeof(env), "KRB5CCNAME=%s", self->alice_cc);
	o.ccache = NULL;
	o.init_env = envp;
	handshake(&o, &ir, &ar);
	EXPECT_EQ(ENOKEY, ir.acq_err) {
		TH_LOG("acquire with no default ccache: %s (status %s)",
		       strerror(ir.acq_err), ksspi_status_string(ir.status));
	}

	ASSERT_EQ(0, alice_kinit(dflt, 0, NULL));
	handshake(&o, &ir, &ar);
	unlink(dflt + 5);
	ASSERT_EQ(0, ir.acq_err);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	EXPECT_EQ(ALICE_UID, ar.uid);
}

/* A handle reads only what its acquirer may read. */
TEST_F_TIMEOUT(krb, acquire_access, 60)
{
	int dev, fd, err;
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_bob())
			_exit(20);
		dev = ksspi_open();
		if (dev < 0)
			_exit(21);
		/* bob names alice's ccache: 0600, hers. */
		fd = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL,
			     self->alice_cc, NULL, &err);
		if (fd >= 0)
			_exit(22);
		if (err != EACCES) {
			fprintf(stderr, "# bob/alice's ccache: %s\n", strerror(err));
			_exit(23);
		}
		/* bob names the system keytab: root's, 0600. */
		fd = acquire(dev, variant->package, SECPKG_CRED_INBOUND, NULL,
			     NULL, E.keytab, &err);
		if (fd >= 0)
			_exit(24);
		if (err != EACCES) {
			fprintf(stderr, "# bob/system keytab: %s\n", strerror(err));
			_exit(25);
		}
		/* A ccache that does not exist: no credentials. */
		fd = acquire(dev, variant->package, SECPKG_CRED_OUTBOUND, NULL,
			     "FILE:/tmp/ksspi-e2e/no-such-ccache", NULL, &err);
		if (fd >= 0)
			_exit(26);
		if (err != ENOKEY) {
			fprintf(stderr, "# missing ccache: %s\n", strerror(err));
			_exit(27);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* The in-kernel API: a test module accepts alice's token from kernel code. */
TEST_F_TIMEOUT(krb, kernel_acceptor, 60)
{
	struct hs_opts o = base_opts(self, variant);
	char path[PATH_MAX + 64], want[NAMEBUF];
	struct side_res ir, ar;

	if (access(KAPI_FILE, F_OK)) {
		if (getenv("KSSPI_KAPI_KO"))	/* e.g. a debug-kernel build */
			snprintf(path, sizeof(path), "%s", getenv("KSSPI_KAPI_KO"));
		else
			snprintf(path, sizeof(path), "%s/selftests/kapi/ksspi_kapi.ko",
				 E.root);
		{
			int fd = open(path, O_RDONLY | O_CLOEXEC);

			ASSERT_LE(0, fd) {
				TH_LOG("%s: %s", path, strerror(errno));
			}
			ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) {
				TH_LOG("finit_module: %s", strerror(errno));
			}
			close(fd);
		}
	}
	ASSERT_EQ(0, access(KAPI_FILE, F_OK));
	o.acc_kind = SIDE_KAPI;
	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ar.acq_err);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	snprintf(want, sizeof(want), "alice@%s", E.realm);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ar.ci.state);
	EXPECT_STREQ(want, ar.name);
	EXPECT_STREQ(want, ar.tok_name);
	EXPECT_EQ(ALICE_UID, ar.uid);
	EXPECT_EQ(SECURITY_IMPERSONATION, ar.level);
	EXPECT_EQ(0, ar.imp_status);
	EXPECT_EQ(ALICE_UID, ar.fsuid);
	/* In-kernel impersonation: her file opens, bob's does not. */
	EXPECT_EQ(0, ar.open_ok_err) {
		TH_LOG("alice's file: %s", strerror(ar.open_ok_err));
	}
	EXPECT_EQ(EACCES, ar.open_denied_err);
	/* Unload it: the suite's end checks that ksspi unloads. */
	EXPECT_EQ(0, syscall(SYS_delete_module, "ksspi_kapi", O_NONBLOCK)) {
		TH_LOG("delete_module: %s", strerror(errno));
	}
}

/* ksspi initiator <-> MIT GSS-API acceptor. */
TEST_F_TIMEOUT(krb, mit_acceptor, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char want[NAMEBUF];

	o.acc_kind = SIDE_MIT;
	o.init_keep_root = true;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	snprintf(want, sizeof(want), "alice@%s", E.realm);
	EXPECT_STREQ(want, ar.client);
	EXPECT_STREQ("alice", ar.localname);
	EXPECT_TRUE(ar.flags & 0x2);	/* GSS_C_MUTUAL_FLAG */
	EXPECT_TRUE(ir.flags & ISC_RET_MUTUAL_AUTH);
	EXPECT_STREQ(ar.server, ir.server);
	check_same_key(_metadata, &ir, &ar);
}

/* MIT GSS-API initiator <-> ksspi acceptor. */
TEST_F_TIMEOUT(krb, mit_initiator, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;

	o.init_kind = SIDE_MIT;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	check_alice_server(_metadata, &ar, SECURITY_IMPERSONATION,
			   variant->package_id);
	EXPECT_STREQ(ar.client, ir.client);
	EXPECT_STREQ(ar.server, ir.server);
	check_same_key(_metadata, &ar, &ir);
}

/*
 * The baseline: MIT initiator and MIT acceptor through the same relay
 * (no ksspi).  When this fails, the fixture is broken, not ksspi.
 */
TEST_F_TIMEOUT(krb, mit_to_mit, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char want[NAMEBUF];

	o.init_kind = SIDE_MIT;
	o.acc_kind = SIDE_MIT;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	snprintf(want, sizeof(want), "alice@%s", E.realm);
	EXPECT_STREQ(want, ar.client);
	EXPECT_STREQ("alice", ar.localname);
	check_same_key(_metadata, &ir, &ar);
	/* The relay's mangling does what the ksspi tests rely on. */
	o.mangle_request = MANGLE_HEADER;
	handshake(&o, &ir, &ar);
	EXPECT_NE(SEC_E_OK, ar.status);
	EXPECT_NE(NULL, strstr(ar.error, "gss_accept_sec_context"));
	/*
	 * (MIT reports minor 0 for an AP-REQ that fails with mutual
	 * authentication asked: the error token it makes overwrites the
	 * code.  The message does not matter here, the refusal does.)
	 */
	o.mangle_request = MANGLE_CIPHER;
	handshake(&o, &ir, &ar);
	EXPECT_NE(SEC_E_OK, ar.status);
	o.mangle_request = MANGLE_NONE;
	o.mangle_reply = MANGLE_CIPHER;
	handshake(&o, &ir, &ar);
	EXPECT_EQ(SEC_E_OK, ar.status);
	EXPECT_NE(SEC_E_OK, ir.status);
	/* (through SPNEGO, MIT's minor code is lost) */
	if (!strcmp(variant->package, "kerberos")) {
		EXPECT_NE(NULL, strstr(ir.error, "integrity")) {
			TH_LOG("MIT initiator, damaged AP-REP: %s", ir.error);
		}
	}
}

/* The server's AP-REP does not verify: the initiator refuses it. */
TEST_F_TIMEOUT(krb, mutual_auth_fails, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;

	o.mangle_reply = MANGLE_CIPHER;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_MUTUAL_AUTH_FAILED, ir);
}

/* A target the KDC does not know. */
TEST_F_TIMEOUT(krb, unknown_target, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char t[NAMEBUF];

	svc_name(t, sizeof(t), "nosuchservice");
	o.target = t;
	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ir.acq_err);
	ASSERT_STATUS(SEC_E_TARGET_UNKNOWN, ir);
	EXPECT_EQ(0, ar.legs);
}

/* root@REALM maps to root, nolocal@REALM to no account: both refused. */
TEST_F_TIMEOUT(krb, refused_principals, 60)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char cc[PATH_MAX + 16];

	snprintf(cc, sizeof(cc), "FILE:%s/root.cc", self->dir);
	ASSERT_EQ(0, kinit_for_alice(cc, "root", E.root_keytab));
	o.ccache = cc;
	handshake(&o, &ir, &ar);
	ASSERT_EQ(0, ir.acq_err) {
		TH_LOG("acquire root@'s ccache: %s", strerror(ir.acq_err));
	}
	ASSERT_STATUS(SEC_E_LOGON_DENIED, ar);

	snprintf(cc, sizeof(cc), "FILE:%s/nolocal.cc", self->dir);
	ASSERT_EQ(0, kinit_for_alice(cc, "nolocal", E.nolocal_keytab));
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_LOGON_DENIED, ar);
}

/*
 * Double hop: alice delegates to host/; the server impersonates her,
 * acquires outbound credentials as her and authenticates to backend/,
 * which sees alice@REALM.
 */
TEST_F_TIMEOUT(krb, delegation_double_hop, 90)
{
	struct hs_opts o = base_opts(self, variant);
	struct side_res ir, ar;
	char backend[NAMEBUF], want[NAMEBUF];

	unlink("/tmp/krb5cc_2001");
	svc_name(backend, sizeof(backend), "backend");
	snprintf(want, sizeof(want), "alice@%s", E.realm);
	o.isc_req |= ISC_REQ_DELEGATE;
	o.hop2_target = backend;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	ASSERT_STATUS(SEC_E_OK, ir);
	EXPECT_TRUE(ir.flags & ISC_RET_DELEGATE);
	check_alice_server(_metadata, &ar, SECURITY_DELEGATION,
			   variant->package_id);
	/* The second hop runs while the server impersonates alice. */
	ASSERT_EQ(SEC_E_OK, ar.imp_status);
	ASSERT_EQ(0, ar.hop_acq_err) {
		TH_LOG("acquire as alice while impersonating: %s",
		       strerror(ar.hop_acq_err));
	}
	ASSERT_EQ(SEC_E_OK, ar.hop_init_status) {
		TH_LOG("second hop init: %s errno %d",
		       ksspi_status_string(ar.hop_init_status), ar.hop_init_err);
	}
	ASSERT_EQ(SEC_E_OK, ar.hop_acc_status) {
		TH_LOG("second hop accept: %s errno %d",
		       ksspi_status_string(ar.hop_acc_status), ar.hop_acc_err);
	}
	EXPECT_STREQ(want, ar.hop_client);
	EXPECT_EQ(ALICE_UID, ar.hop_uid);

	/* Without delegation: impersonation level, no onward credentials. */
	o.isc_req &= ~ISC_REQ_DELEGATE;
	handshake(&o, &ir, &ar);
	ASSERT_STATUS(SEC_E_OK, ar);
	EXPECT_EQ(SECURITY_IMPERSONATION, ar.level);
	ASSERT_EQ(SEC_E_OK, ar.imp_status);
	EXPECT_EQ(ENOKEY, ar.hop_acq_err) {
		TH_LOG("acquire without delegated credentials: %s (init %s)",
		       strerror(ar.hop_acq_err),
		       ksspi_status_string(ar.hop_init_status));
	}
}

/* 2 threads, each N complete handshakes, no error. */
#define PAR_THREADS	2
#define PAR_ROUNDS	4

struct par_arg {
	const char *package, *ccache, *target;
	int dev;
	int ok, fail;
	int32_t last_bad;
	char bad_name[NAMEBUF];
};

static void *par_thread(void *p)
{
	struct par_arg *a = p;
	uint8_t t1[BIGTOK], t2[BIGTOK];
	char name[NAMEBUF], want[NAMEBUF];
	int icred, acred, err, r;

	snprintf(want, sizeof(want), "alice@%s", E.realm);
	icred = acquire(a->dev, a->package, SECPKG_CRED_OUTBOUND, NULL,
			a->ccache, NULL, &err);
	acred = acquire(a->dev, a->package, SECPKG_CRED_INBOUND, NULL, NULL,
			NULL, &err);
	if (icred < 0 || acred < 0) {
		a->fail = PAR_ROUNDS;
		return NULL;
	}
	for (r = 0; r < PAR_ROUNDS; r++) {
		int ictx = -1, actx = -1;
		int32_t ist, ast = SEC_I_CONTINUE_NEEDED;
		size_t l1 = sizeof(t1), l2;
		uint32_t f;

		ist = ksspi_initialize_security_context(icred, &ictx, a->target,
							ISC_REQ_MUTUAL_AUTH,
							NULL, 0, t1, &l1, &f);
		while (ist == SEC_I_CONTINUE_NEEDED || ast == SEC_I_CONTINUE_NEEDED) {
			if (ast == SEC_I_CONTINUE_NEEDED) {
				l2 = sizeof(t2);
				ast = ksspi_accept_security_context(acred, &actx,
								    0, t1, l1,
								    t2, &l2, &f);
				if (ast < 0)
					break;
			}
			if (ist != SEC_I_CONTINUE_NEEDED)
				break;
			l1 = sizeof(t1);
			ist = ksspi_initialize_security_context(icred, &ictx,
								NULL, 0, t2,
								l2, t1, &l1,
								&f);
			if (ist < 0)
				break;
			if (ist == SEC_E_OK && ast == SEC_E_OK)
				break;
			if (ast == SEC_E_OK && ist == SEC_I_CONTINUE_NEEDED)
				break;
		}
		name[0] = 0;
		if (ast == SEC_E_OK)
			ksspi_query_names(actx, name, sizeof(name));
		if (ist == SEC_E_OK && ast == SEC_E_OK && !strcmp(name, want)) {
			a->ok++;
		} else {
			a->fail++;
			a->last_bad = ist != SEC_E_OK ? ist : ast;
			snprintf(a->bad_name, sizeof(a->bad_name), "%s", name);
		}
		if (ictx >= 0)
			close(ictx);
		if (actx >= 0)
			close(actx);
	}
	close(icred);
	close(acred);
	return NULL;
}

TEST_F_TIMEOUT(krb, parallel, 180)
{
	struct par_arg a[PAR_THREADS];
	pthread_t th[PAR_THREADS];
	int i, dev;

	dev = ksspi_open();
	ASSERT_LE(0, dev);
	for (i = 0; i < PAR_THREADS; i++) {
		a[i] = (struct par_arg){
			.package = variant->package,
			.ccache = self->alice_cc,
			.target = self->target,
			.dev = dev,
		};
		ASSERT_EQ(0, pthread_create(&th[i], NULL, par_thread, &a[i]));
	}
	for (i = 0; i < PAR_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(PAR_ROUNDS, a[i].ok) {
			TH_LOG("thread %d: %d failed, last %s (name '%s')", i,
			       a[i].fail, ksspi_status_string(a[i].last_bad),
			       a[i].bad_name);
		}
	}
	close(dev);
}

TEST_HARNESS_MAIN
