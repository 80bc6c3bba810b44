// SPDX-License-Identifier: GPL-2.0
/*
 * The x509 package end to end, in the VM: a test PKI made with openssl at
 * run time (selftests/x509/mkcerts, through selftests/x509/vm-setup), the
 * real helper (build/ksspi-upcall) reached through the real request-key
 * with a configuration pointing at the test CA, its CRL and mapping rules,
 * and real struct cred changes checked by opening files as the mapped user.
 *
 * The initiator's credentials are acquired by a child that becomes alice
 * (or bob) and hands the descriptor back over SCM_RIGHTS: a handle keeps
 * its acquirer's identity, so this (root) process then drives both sides
 * of every handshake, and can replay, swap or mangle any token.
 */
#include <sys/uio.h>
#include <keyutils.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ksspi_test.h"
#include "hardening.h"

#define X509_DIR	"/run/ksspi-x509"
#define X509_ENV	X509_DIR "/env"
#define ETC_CONF	"/etc/ksspi/upcall.conf"
#define TARGET		"host/server.ksspi.test"
#define BIG		40000

/* --- environment --------------------------------------------------------- */

static const char *env_get(const char *name)
{
	static char lines[128][512];
	static int n = -1;
	size_t len = strlen(name);
	int i;

	if (n < 0) {
		FILE *f = fopen(X509_ENV, "re");

		n = 0;
		if (!f)
			return NULL;
		while (n < 128 && fgets(lines[n], sizeof(lines[n]), f)) {
			lines[n][strcspn(lines[n], "\n")] = 0;
			n++;
		}
		fclose(f);
	}
	for (i = 0; i < n; i++)
		if (!strncmp(lines[i], name, len) && lines[i][len] == '=')
			return lines[i] + len + 1;
	return NULL;
}

static int run_setup(void)
{
	char root[PATH_MAX], prog[PATH_MAX + 64];
	ssize_t r;
	pid_t pid;
	int st, i;

	if (!access(X509_ENV, R_OK))
		return 0;
	r = readlink("/proc/self/exe", root, sizeof(root) - 1);
	if (r < 0)
		return -errno;
	root[r] = 0;
	/* ROOT/build/selftests/x509_test */
	for (i = 0; i < 3; i++)
		*strrchr(root, '/') = 0;
	snprintf(prog, sizeof(prog), "%s/selftests/x509/vm-setup", root);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(prog, prog, X509_DIR, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

/*
 * The PKI takes a minute or two of RSA key generation under TCG: made once,
 * before the tests and outside their deadlines (FIXTURE_SETUPs only check).
 */
static void __attribute__((constructor)) x509_setup_once(void)
{
	if (getuid() == 0 && getenv("KSSPI_VM") && run_setup())
		fprintf(stderr, "# x509: selftests/x509/vm-setup failed\n");
}

/* Installs a helper configuration (the helper reads it per request). */
static int use_conf(const char *which)
{
	char text[4096];
	const char *src = env_get(which);
	int fd, n;

	if (!src)
		return -ENOENT;
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	text[n] = 0;
	return write_file_atomic(ETC_CONF, text, 0644);
}

/* The certificates of a PEM file as DER back to back; length or -errno. */
static int pem_chain_der(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t used = 0;
	X509 *x;

	if (!f)
		return -errno;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		int n = i2d_X509(x, NULL);
		unsigned char *p = buf + used;

		if (n <= 0 || used + n > size) {
			X509_free(x);
			fclose(f);
			return -E2BIG;
		}
		i2d_X509(x, &p);
		used += n;
		X509_free(x);
	}
	fclose(f);
	return used ? (int)used : -ENODATA;
}

static int read_bin(const char *path, uint8_t *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	return n < 0 ? -errno : n;
}

/* --- acquiring as another user ------------------------------------------- */

struct out_args {
	uid_t uid;
	const char *chain_path;		/* or */
	const char *chain_pem;		/* sent inline, as DER */
	const char *key_path;		/* or */
	const char *key_der;		/* added to the child's keyring */
};

static int send_fd(int sock, int fd, int err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, 0) < 0 ? -errno : 0;
}

static int recv_fd(int sock, int *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = err, .iov_len = sizeof(*err) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	*err = EPROTO;
	if (recvmsg(sock, &mh, 0) != sizeof(*err))
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int child_acquire(const struct out_args *a)
{
	static uint8_t chain[BIG], key[8192];
	int dev, fd, n = 0, k;
	int32_t serial = 0;

	if (a->chain_pem) {
		n = pem_chain_der(a->chain_pem, chain, sizeof(chain));
		if (n < 0)
			return -n;
	}
	if (become(a->uid, a->uid, NULL, 0))
		return EPERM;
	if (a->key_der) {
		k = read_bin(a->key_der, key, sizeof(key));
		if (k < 0)
			return -k;
		serial = add_key("asymmetric", "ksspi-x509-test", key, k,
				 KEY_SPEC_PROCESS_KEYRING);
		if (serial < 0)
			return errno;
	}
	dev = ksspi_open();
	if (dev < 0)
		return ENODEV;
	fd = ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND, NULL,
					    a->chain_path,
					    a->chain_pem ? chain : NULL, n,
					    a->key_path, serial, NULL);
	return fd < 0 ? errno : -fd;
}

/*
 * Outbound credentials acquired by a->uid: a descriptor, or -1 with *err
 * the errno of the acquire.
 */
static int acquire_out(const struct out_args *a, int *err)
{
	int sv[2], fd;
	pid_t pid;
	int st;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int r = child_acquire(a);

		close(sv[0]);
		if (r < 0)
			send_fd(sv[1], -r, 0);
		else
			send_fd(sv[1], -1, r);
		_exit(0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0], err);
	if (fd >= 0)
		*err = 0;
	close(sv[0]);
	waitpid(pid, &st, 0);
	return fd;
}

static int acquire_in(const char *principal, int *err)
{
	int dev = ksspi_open(), fd;

	if (dev < 0) {
		*err = errno;
		return -1;
	}
	fd = ksspi_acquire_x509_credentials(dev, SECPKG_CRED_INBOUND,
					    principal, NULL, NULL, 0, NULL, 0,
					    NULL);
	*err = fd < 0 ? errno : 0;
	close(dev);
	return fd;
}

/* --- the handshake ------------------------------------------------------- */

struct tok {
	uint8_t b[BIG];
	size_t len;
};

struct hs {
	int ictx, actx;
	int32_t st[4];		/* isc 1, asc 1, isc 2, asc 2 */
	struct tok hello, challenge, proof;
};

static void hs_init(struct hs *h)
{
	memset(h, 0, sizeof(*h));
	h->ictx = -1;
	h->actx = -1;
}

static void hs_close(struct hs *h)
{
	if (h->ictx >= 0)
		close(h->ictx);
	if (h->actx >= 0)
		close(h->actx);
	h->ictx = -1;
	h->actx = -1;
}

/* The acceptor's last leg with @proof (the real one, or another). */
static int32_t hs_accept_proof(struct hs *h, int acred, const void *proof,
			       size_t len)
{
	uint8_t out[256];
	size_t out_len = sizeof(out);
	uint32_t flags;

	h->st[3] = ksspi_accept_security_context(acred, &h->actx, 0, proof, len,
						 out, &out_len, &flags);
	return h->st[3];
}

/* Leg 1 and 2 of both sides; stops at the first failure. */
static int32_t hs_run(struct hs *h, int icred, int acred, const char *target)
{
	uint32_t flags;

	h->hello.len = sizeof(h->hello.b);
	h->st[0] = ksspi_initialize_security_context(icred, &h->ictx, target,
						     ISC_REQ_CONNECTION, NULL, 0,
						     h->hello.b, &h->hello.len,
						     &flags);
	if (h->st[0] != SEC_I_CONTINUE_NEEDED)
		return h->st[0];
	h->challenge.len = sizeof(h->challenge.b);
	h->st[1] = ksspi_accept_security_context(acred, &h->actx,
						 ASC_REQ_CONNECTION,
						 h->hello.b, h->hello.len,
						 h->challenge.b,
						 &h->challenge.len, &flags);
	if (h->st[1] != SEC_I_CONTINUE_NEEDED)
		return h->st[1];
	h->proof.len = sizeof(h->proof.b);
	h->st[2] = ksspi_initialize_security_context(icred, &h->ictx, NULL, 0,
						     h->challenge.b,
						     h->challenge.len,
						     h->proof.b, &h->proof.len,
						     &flags);
	if (h->st[2] != SEC_E_OK)
		return h->st[2];
	return hs_accept_proof(h, acred, h->proof.b, h->proof.len);
}

/* --- checks ---------------------------------------------------------------- */

/* A 0600 file of @uid's; the caller unlinks it. */
static int private_file(char *path, size_t size, uid_t uid)
{
	int fd;

	snprintf(path, size, "/tmp/ksspi-x509-%u-XXXXXX", uid);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (fchown(fd, uid, uid) || fchmod(fd, 0600)) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

struct imp_args {
	int tok;
	const char *mine, *theirs;
};

/* Impersonates the token, opens @mine (must work) and @theirs (EACCES). */
static int impersonate_and_open(void *arg)
{
	const struct imp_args *a = arg;
	int fd;

	if (ksspi_impersonate(a->tok) != SEC_E_OK)
		return 10;
	if (geteuid() != ALICE_UID)
		return 11;
	fd = open(a->mine, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 12;
	close(fd);
	fd = open(a->theirs, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EACCES)
		return 13;
	if (ksspi_revert(a->tok) != SEC_E_OK)
		return 14;
	return geteuid() == 0 ? 0 : 15;
}

#define EXPECT_STATUS_X(want, got) do {				\
	int32_t _got = (got);						\
	EXPECT_EQ((int32_t)(want), _got) {				\
		TH_LOG("status %s, want %s", ksspi_status_string(_got),	\
		       ksspi_status_string(want));			\
	}								\
} while (0)

#define ASSERT_STATUS(want, got)					\
	ASSERT_EQ((int32_t)(want), (int32_t)(got)) {			\
		TH_LOG("status %s, want %s", ksspi_status_string(got),	\
		       ksspi_status_string(want));			\
	}

/* --- the handshake matrix: RSA/ECDSA, file key/keyring key ---------------- */

FIXTURE(x509) {
	char creds[1024];
	int icred, acred;
};

FIXTURE_VARIANT(x509) {
	const char *leaf;	/* mkcerts name prefix */
	bool keyring;		/* RSA key in alice's keyring, chain inline */
	uint32_t sig_alg;
	uint32_t strength;	/* the test rules: alice-ec by key, others by UPN */
};

FIXTURE_VARIANT_ADD(x509, rsa_file) {
	.leaf = "ALICE_RSA",
	.sig_alg = KSSPI_X509_SIG_RSA_PKCS1_SHA256,
	.strength = KSSPI_X509_STRENGTH_WEAK,
};

FIXTURE_VARIANT_ADD(x509, ecdsa_file) {
	.leaf = "ALICE_EC",
	.sig_alg = KSSPI_X509_SIG_ECDSA_SHA256,
	.strength = KSSPI_X509_STRENGTH_STRONG,
};

FIXTURE_VARIANT_ADD(x509, rsa_keyring) {
	.leaf = "ALICE_RSA",
	.keyring = true,
	.sig_alg = KSSPI_X509_SIG_RSA_PKCS1_SHA256,
	.strength = KSSPI_X509_STRENGTH_WEAK,
};

static const char *leaf_file(const char *leaf, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%s", leaf, what);
	return env_get(name);
}

static int alice_cred(const FIXTURE_VARIANT(x509) *variant, const char *leaf,
		      int *err)
{
	struct out_args a = { .uid = ALICE_UID };

	if (variant->keyring) {
		a.chain_pem = leaf_file(leaf, "CHAIN");
		a.key_der = leaf_file(leaf, "KEY_DER");
	} else {
		a.chain_path = leaf_file(leaf, "CHAIN");
		a.key_path = leaf_file(leaf, "KEY");
	}
	return acquire_out(&a, err);
}

FIXTURE_SETUP(x509)
{
	int err;

	ASSERT_EQ(0, run_setup());
	ASSERT_EQ(0, use_conf("CONF"));
	ASSERT_EQ(0, hard_cred_snapshot(self->creds, sizeof(self->creds)));
	self->icred = alice_cred(variant, variant->leaf, &err);
	ASSERT_LE(0, self->icred) {
		TH_LOG("alice's outbound credentials: %s", strerror(err));
	}
	self->acred = acquire_in(TARGET, &err);
	ASSERT_LE(0, self->acred) {
		TH_LOG("inbound credentials: %s", strerror(err));
	}
}

FIXTURE_TEARDOWN(x509)
{
	char now[1024];

	close(self->icred);
	close(self->acred);
	/* Whatever happened, this process is still root, unchanged. */
	EXPECT_EQ(0, hard_cred_snapshot(now, sizeof(now)));
	EXPECT_STREQ(self->creds, now);
}

/*
 * alice proves possession of her key; the server gets a token for alice
 * (uid, gid, groups), named by the certificate's subject, with the binding
 * strength of the rule that matched; impersonating it opens her 0600 file
 * and not bob's.
 */
TEST_F_TIMEOUT(x509, good, 120)
{
	char mine[PATH_MAX], theirs[PATH_MAX], name[1024];
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	uint32_t groups[64];
	struct ksspi_x509_info xi;
	struct imp_args ia;
	struct hs h;
	int tok;

	hs_init(&h);
	ASSERT_STATUS(SEC_E_OK, hs_run(&h, self->icred, self->acred, TARGET));
	EXPECT_EQ(SEC_E_OK, h.st[2]);

	/* Both sides name the client by the leaf's subject. */
	ASSERT_EQ(0, ksspi_query_names(h.actx, name, sizeof(name)));
	EXPECT_NE(NULL, strstr(name, "CN=alice")) {
		TH_LOG("acceptor's client name: %s", name);
	}
	ASSERT_EQ(0, ksspi_query_names(h.ictx, name, sizeof(name)));
	EXPECT_NE(NULL, strstr(name, "CN=alice"));

	ASSERT_EQ(0, ksspi_query_x509_info(h.actx, &xi));
	EXPECT_EQ(SECPKG_ATTR_KSSPI_X509_INFO, xi.attr);
	EXPECT_EQ(variant->strength, xi.strength);
	EXPECT_EQ(variant->sig_alg, xi.sig_alg);
	EXPECT_EQ(2, xi.ncerts);
	EXPECT_EQ(0, xi.possession_proven);
	ASSERT_EQ(0, ksspi_query_x509_info(h.ictx, &xi));
	EXPECT_EQ(variant->sig_alg, xi.sig_alg);
	EXPECT_EQ(0, xi.strength);

	tok = ksspi_query_security_context_token(h.actx);
	ASSERT_LE(0, tok);
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ti.groups = (uintptr_t)groups;
	ti.ngroups = 64;
	ASSERT_EQ(0, ksspi_query_token(tok, &ti));
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(ALICE_GID, ti.gid);
	EXPECT_EQ(SECURITY_IMPERSONATION, ti.level);
	EXPECT_EQ(KSSPI_PACKAGE_X509, ti.package_id);
	EXPECT_NE(NULL, strstr(name, "CN=alice"));

	ASSERT_EQ(0, private_file(mine, sizeof(mine), ALICE_UID));
	ASSERT_EQ(0, private_file(theirs, sizeof(theirs), BOB_UID));
	ia.tok = tok;
	ia.mine = mine;
	ia.theirs = theirs;
	EXPECT_EQ(0, in_child(impersonate_and_open, &ia));
	unlink(mine);
	unlink(theirs);
	close(tok);
	hs_close(&h);
}

/* A proof replayed into another context meets another challenge. */
TEST_F_TIMEOUT(x509, replay, 120)
{
	struct hs a, b;
	char name[64];
	uint32_t flags;

	hs_init(&a);
	hs_init(&b);
	ASSERT_STATUS(SEC_E_OK, hs_run(&a, self->icred, self->acred, TARGET));
	/* The same chain to a new acceptor, answered with the old proof. */
	b.hello = a.hello;
	b.challenge.len = sizeof(b.challenge.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_accept_security_context(self->acred, &b.actx, 0,
			b.hello.b, b.hello.len, b.challenge.b,
			&b.challenge.len, &flags));
	EXPECT_NE(0, memcmp(a.challenge.b, b.challenge.b, a.challenge.len));
	ASSERT_STATUS(SEC_E_LOGON_DENIED,
		      hs_accept_proof(&b, self->acred, a.proof.b, a.proof.len));
	/* No token, no name; the failed context takes no further leg. */
	EXPECT_GT(0, ksspi_query_security_context_token(b.actx));
	EXPECT_NE(0, ksspi_query_names(b.actx, name, sizeof(name)));
	ASSERT_STATUS(SEC_E_INVALID_HANDLE,
		      hs_accept_proof(&b, self->acred, a.proof.b, a.proof.len));
	hs_close(&a);
	hs_close(&b);
}

/*
 * Two acceptors challenge the same initiator chain; alice signs the second
 * one's challenge, and her proof is shown to the first: refused.
 */
TEST_F_TIMEOUT(x509, someone_elses_challenge, 120)
{
	struct hs a, b;
	uint32_t flags;

	hs_init(&a);
	hs_init(&b);
	a.hello.len = sizeof(a.hello.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_initialize_security_context(self->icred, &a.ictx,
			TARGET, 0, NULL, 0, a.hello.b, &a.hello.len, &flags));
	a.challenge.len = sizeof(a.challenge.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_accept_security_context(self->acred, &a.actx, 0,
			a.hello.b, a.hello.len, a.challenge.b,
			&a.challenge.len, &flags));
	b.challenge.len = sizeof(b.challenge.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_accept_security_context(self->acred, &b.actx, 0,
			a.hello.b, a.hello.len, b.challenge.b,
			&b.challenge.len, &flags));
	a.proof.len = sizeof(a.proof.b);
	ASSERT_STATUS(SEC_E_OK,
		      ksspi_initialize_security_context(self->icred, &a.ictx,
			NULL, 0, b.challenge.b, b.challenge.len, a.proof.b,
			&a.proof.len, &flags));
	ASSERT_STATUS(SEC_E_LOGON_DENIED,
		      hs_accept_proof(&a, self->acred, a.proof.b, a.proof.len));
	/* The challenge it was for still accepts it, once. */
	ASSERT_STATUS(SEC_E_OK,
		      hs_accept_proof(&b, self->acred, a.proof.b, a.proof.len));
	hs_close(&a);
	hs_close(&b);
}

/* A proof for another target does not log on here. */
TEST_F_TIMEOUT(x509, wrong_target, 120)
{
	struct hs h;

	hs_init(&h);
	ASSERT_STATUS(SEC_E_LOGON_DENIED,
		      hs_run(&h, self->icred, self->acred,
			     "host/elsewhere.ksspi.test"));
	EXPECT_EQ(SEC_E_OK, h.st[2]);
	hs_close(&h);
}

/* One flipped bit of the signature. */
TEST_F_TIMEOUT(x509, tampered_proof, 120)
{
	struct hs h;
	uint32_t flags;

	hs_init(&h);
	h.hello.len = sizeof(h.hello.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_initialize_security_context(self->icred, &h.ictx,
			TARGET, 0, NULL, 0, h.hello.b, &h.hello.len, &flags));
	h.challenge.len = sizeof(h.challenge.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_accept_security_context(self->acred, &h.actx, 0,
			h.hello.b, h.hello.len, h.challenge.b,
			&h.challenge.len, &flags));
	h.proof.len = sizeof(h.proof.b);
	ASSERT_STATUS(SEC_E_OK,
		      ksspi_initialize_security_context(self->icred, &h.ictx,
			NULL, 0, h.challenge.b, h.challenge.len, h.proof.b,
			&h.proof.len, &flags));
	h.proof.b[h.proof.len - 5] ^= 0x01;
	ASSERT_STATUS(SEC_E_LOGON_DENIED,
		      hs_accept_proof(&h, self->acred, h.proof.b, h.proof.len));
	hs_close(&h);
}

/*
 * Garbage at every leg: a documented status, and the context is done
 * (SEC_E_INVALID_HANDLE after).
 */
TEST_F_TIMEOUT(x509, garbage, 120)
{
	static const uint8_t junk[] = "not an x509 token at all";
	uint8_t out[BIG], bad[BIG];
	size_t out_len;
	uint32_t flags;
	struct hs h;
	int ctx;

	/* Leg 1 of the acceptor: junk; a HELLO with junk DER. */
	ctx = -1;
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_INVALID_TOKEN,
			ksspi_accept_security_context(self->acred, &ctx, 0,
				junk, sizeof(junk), out, &out_len, &flags));
	EXPECT_EQ(-1, ctx);

	hs_init(&h);
	h.hello.len = sizeof(h.hello.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_initialize_security_context(self->icred, &h.ictx,
			TARGET, 0, NULL, 0, h.hello.b, &h.hello.len, &flags));
	memcpy(bad, h.hello.b, h.hello.len);
	bad[12] ^= 0xff;	/* the first certificate's tag */
	ctx = -1;
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_CERT_UNKNOWN,
			ksspi_accept_security_context(self->acred, &ctx, 0,
				bad, h.hello.len, out, &out_len, &flags));
	/* Truncated. */
	ctx = -1;
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_CERT_UNKNOWN,
			ksspi_accept_security_context(self->acred, &ctx, 0,
				h.hello.b, h.hello.len - 1, out, &out_len,
				&flags));
	/* An unknown signature algorithm. */
	memcpy(bad, h.hello.b, h.hello.len);
	bad[11] = 9;
	ctx = -1;
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_ALGORITHM_MISMATCH,
			ksspi_accept_security_context(self->acred, &ctx, 0,
				bad, h.hello.len, out, &out_len, &flags));

	/* The initiator's second leg: junk instead of the challenge. */
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_INVALID_TOKEN,
			ksspi_initialize_security_context(self->icred, &h.ictx,
				NULL, 0, junk, sizeof(junk), out, &out_len,
				&flags));
	out_len = sizeof(out);
	EXPECT_STATUS_X(SEC_E_INVALID_HANDLE,
			ksspi_initialize_security_context(self->icred, &h.ictx,
				NULL, 0, junk, sizeof(junk), out, &out_len,
				&flags));
	hs_close(&h);

	/* The acceptor's second leg: its own challenge, reflected. */
	hs_init(&h);
	h.hello.len = sizeof(h.hello.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_initialize_security_context(self->icred, &h.ictx,
			TARGET, 0, NULL, 0, h.hello.b, &h.hello.len, &flags));
	h.challenge.len = sizeof(h.challenge.b);
	ASSERT_STATUS(SEC_I_CONTINUE_NEEDED,
		      ksspi_accept_security_context(self->acred, &h.actx, 0,
			h.hello.b, h.hello.len, h.challenge.b,
			&h.challenge.len, &flags));
	EXPECT_STATUS_X(SEC_E_INVALID_TOKEN,
			hs_accept_proof(&h, self->acred, h.challenge.b,
					h.challenge.len));
	EXPECT_STATUS_X(SEC_E_INVALID_HANDLE,
			hs_accept_proof(&h, self->acred, h.challenge.b,
					h.challenge.len));
	hs_close(&h);
}

/* --- certificates the helper refuses -------------------------------------- */

FIXTURE(bad) {
	char creds[1024];
	int acred;
};

FIXTURE_VARIANT(bad) {
	const char *leaf;
	int32_t status;
};

FIXTURE_VARIANT_ADD(bad, expired) { "EXPIRED", SEC_E_CERT_EXPIRED };
FIXTURE_VARIANT_ADD(bad, not_yet_valid) { "NOTYET", SEC_E_CERT_EXPIRED };
FIXTURE_VARIANT_ADD(bad, wrong_eku) { "WRONGEKU", SEC_E_CERT_WRONG_USAGE };
FIXTURE_VARIANT_ADD(bad, no_digital_signature) { "NOKU", SEC_E_CERT_WRONG_USAGE };
FIXTURE_VARIANT_ADD(bad, unknown_ca) { "UNKNOWNCA", SEC_E_UNTRUSTED_ROOT };
FIXTURE_VARIANT_ADD(bad, revoked) { "REVOKED", CRYPT_E_REVOKED };
FIXTURE_VARIANT_ADD(bad, tampered_cert) { "TAMPERED", SEC_E_CERT_UNKNOWN };
FIXTURE_VARIANT_ADD(bad, maps_to_root) { "ROOT_LEAF", SEC_E_LOGON_DENIED };
FIXTURE_VARIANT_ADD(bad, long_chain) { "LONG", SEC_E_CERT_UNKNOWN };

FIXTURE_SETUP(bad)
{
	int err;

	ASSERT_EQ(0, run_setup());
	ASSERT_EQ(0, use_conf("CONF"));
	ASSERT_EQ(0, hard_cred_snapshot(self->creds, sizeof(self->creds)));
	self->acred = acquire_in(TARGET, &err);
	ASSERT_LE(0, self->acred);
}

FIXTURE_TEARDOWN(bad)
{
	char now[1024];

	close(self->acred);
	EXPECT_EQ(0, hard_cred_snapshot(now, sizeof(now)));
	EXPECT_STREQ(self->creds, now);
}

TEST_F_TIMEOUT(bad, refused, 120)
{
	struct out_args a = {
		.uid = ALICE_UID,
		.chain_path = leaf_file(variant->leaf, "CHAIN"),
		.key_path = leaf_file(variant->leaf, "KEY"),
	};
	struct hs h;
	int icred, err;

	ASSERT_NE(NULL, a.chain_path);
	/* The tampered leaf carries alice-rsa's key: 0600 alice's, as hers. */
	icred = acquire_out(&a, &err);
	ASSERT_LE(0, icred) {
		TH_LOG("acquire %s: %s", variant->leaf, strerror(err));
	}
	hs_init(&h);
	ASSERT_STATUS(variant->status, hs_run(&h, icred, self->acred, TARGET));
	EXPECT_EQ(SEC_E_OK, h.st[2]);
	EXPECT_GT(0, ksspi_query_security_context_token(h.actx));
	hs_close(&h);
	close(icred);
}

/* --- policy and acquire ----------------------------------------------------- */

/*
 * Under x509_require_strong only the key binding logs alice on: her RSA
 * certificate (UPN rule, weak) is refused, her EC one (key hash) works.
 */
FIXTURE(misc) {
	int unused;
};

FIXTURE_SETUP(misc)
{
	ASSERT_EQ(0, run_setup());
}

static void unload_x509_kapi(struct __test_metadata *_metadata);

FIXTURE_TEARDOWN(misc)
{
	EXPECT_EQ(0, use_conf("CONF"));
	unload_x509_kapi(_metadata);
}

TEST_F_TIMEOUT(misc, strong_policy, 180)
{
	struct out_args rsa = { .uid = ALICE_UID }, ec = { .uid = ALICE_UID };
	struct ksspi_x509_info xi;
	int icred, acred, err;
	struct hs h;

	ASSERT_EQ(0, run_setup());
	ASSERT_EQ(0, use_conf("CONF_STRONG"));
	rsa.chain_path = env_get("ALICE_RSA_CHAIN");
	rsa.key_path = env_get("ALICE_RSA_KEY");
	ec.chain_path = env_get("ALICE_EC_CHAIN");
	ec.key_path = env_get("ALICE_EC_KEY");
	acred = acquire_in(TARGET, &err);
	ASSERT_LE(0, acred);

	icred = acquire_out(&rsa, &err);
	ASSERT_LE(0, icred);
	hs_init(&h);
	EXPECT_STATUS_X(SEC_E_LOGON_DENIED, hs_run(&h, icred, acred, TARGET));
	hs_close(&h);
	close(icred);

	icred = acquire_out(&ec, &err);
	ASSERT_LE(0, icred);
	hs_init(&h);
	EXPECT_STATUS_X(SEC_E_OK, hs_run(&h, icred, acred, TARGET));
	EXPECT_EQ(0, ksspi_query_x509_info(h.actx, &xi));
	EXPECT_EQ(KSSPI_X509_STRENGTH_STRONG, xi.strength);
	hs_close(&h);
	close(icred);
	close(acred);
	EXPECT_EQ(0, use_conf("CONF"));
}

/* What AcquireCredentialsHandle refuses, with which errno. */
TEST_F_TIMEOUT(misc, acquire_errors, 120)
{
	static const uint8_t one[5] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static uint8_t der[BIG], many[BIG];
	struct out_args a = { .uid = BOB_UID };
	int fd, err, n, dev, i;

	ASSERT_EQ(0, run_setup());
	/*
	 * bob names alice's key: 0600, hers.  The helper reports a key it
	 * cannot read as no credentials (SEC_E_NO_CREDENTIALS): ENOKEY.
	 */
	a.chain_path = env_get("ALICE_RSA_CHAIN");
	a.key_path = env_get("ALICE_RSA_KEY");
	fd = acquire_out(&a, &err);
	EXPECT_GT(0, fd);
	EXPECT_EQ(ENOKEY, err);
	/* A key that is not the leaf's. */
	a.chain_path = env_get("ALICE_RSA_CHAIN");
	a.key_path = env_get("BOB_RSA_KEY");
	fd = acquire_out(&a, &err);
	EXPECT_GT(0, fd);
	EXPECT_EQ(EKEYREJECTED, err);
	/* No such file. */
	a.chain_path = "/nonexistent/chain.pem";
	fd = acquire_out(&a, &err);
	EXPECT_GT(0, fd);
	EXPECT_EQ(ENOKEY, err);

	dev = ksspi_open();
	ASSERT_LE(0, dev);
	/* Inbound without the target it answers to; outbound without a key. */
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_INBOUND,
		NULL, NULL, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND,
		NULL, env_get("ALICE_RSA_CHAIN"), NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* Garbage DER, a huge chain, 17 certificates. */
	memset(der, 0x41, sizeof(der));
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND,
		NULL, NULL, der, 100, env_get("ALICE_RSA_KEY"), 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	n = pem_chain_der(env_get("ALICE_RSA_CHAIN"), der, sizeof(der));
	ASSERT_LT(0, n);
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND,
		NULL, NULL, der, 32769, env_get("ALICE_RSA_KEY"), 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 17; i++)
		memcpy(many + 5 * i, one, 5);
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND,
		NULL, NULL, many, 5 * 17, env_get("ALICE_RSA_KEY"), 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* A key serial that names no key of ours. */
	EXPECT_GT(0, ksspi_acquire_x509_credentials(dev, SECPKG_CRED_OUTBOUND,
		NULL, env_get("ALICE_RSA_CHAIN"), NULL, 0, NULL, 0x7ffffff0,
		NULL));
	EXPECT_EQ(ENOKEY, errno);
	close(dev);
}

/* --- the kernel-only entry: in-kernel TLS peers -------------------------- */

#define KAPI_ACCEPT	"/sys/kernel/debug/ksspi_x509_kapi/accept"

static int load_x509_kapi(void)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd, i, ret = 0;

	if (!access(KAPI_ACCEPT, F_OK))
		return 0;
	if (getenv("KSSPI_X509_KAPI_KO")) {	/* e.g. a debug-kernel build */
		snprintf(path, sizeof(path), "%s", getenv("KSSPI_X509_KAPI_KO"));
	} else {
		r = readlink("/proc/self/exe", path, sizeof(path) - 64);
		if (r < 0)
			return -errno;
		path[r] = 0;
		for (i = 0; i < 3; i++)
			*strrchr(path, '/') = 0;
		strcat(path, "/selftests/x509kapi/ksspi_x509_kapi.ko");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The test module goes after the test that loaded it: it holds a reference
 * to ksspi, which must unload at the end of the suite.  Its contexts are
 * freed by then; a reference still draining gets a few seconds.
 */
static void unload_x509_kapi(struct __test_metadata *_metadata)
{
	int i;

	if (access(KAPI_ACCEPT, F_OK))
		return;
	for (i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, "ksspi_x509_kapi", O_NONBLOCK))
			return;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			break;
		usleep(100 * 1000);
	}
	EXPECT_EQ(0, errno) TH_LOG("ksspi_x509_kapi does not unload");
}

/* Hands a chain to ksspi_x509_accept_tls_peer(); its answer in @res. */
static int kapi_accept(const char *pem, uint32_t proven, char *res,
		       size_t size)
{
	static uint8_t buf[BIG + 4];
	int n, fd, r;

	n = pem_chain_der(pem, buf + 4, BIG);
	if (n < 0)
		return n;
	memcpy(buf, &proven, 4);
	fd = open(KAPI_ACCEPT, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n + 4) != n + 4) {
		close(fd);
		return -EIO;
	}
	r = pread(fd, res, size - 1, 0);
	close(fd);
	if (r < 0)
		return -errno;
	res[r] = 0;
	return 0;
}

/*
 * A peer the kernel's TLS handshake verified is mapped without a proof;
 * the chain is still validated; without the flag nothing happens.
 */
TEST_F_TIMEOUT(misc, tls_peer, 180)
{
	char res[512];

	ASSERT_EQ(0, load_x509_kapi());
	ASSERT_EQ(0, kapi_accept(env_get("ALICE_EC_CHAIN"), 1, res,
				 sizeof(res)));
	EXPECT_EQ(0, strncmp(res, "status=0x00000000 uid=2001 level=2 ",
			     strlen("status=0x00000000 uid=2001 level=2 "))) {
		TH_LOG("alice-ec: %s", res);
	}
	EXPECT_NE(NULL, strstr(res, "CN=alice"));
	ASSERT_EQ(0, kapi_accept(env_get("UNKNOWNCA_CHAIN"), 1, res,
				 sizeof(res)));
	EXPECT_STREQ("status=0x80090325 ctx=0\n", res);
	ASSERT_EQ(0, kapi_accept(env_get("REVOKED_CHAIN"), 1, res,
				 sizeof(res)));
	EXPECT_STREQ("status=0x80092010 ctx=0\n", res);
	/* Possession not proven: refused before the helper is asked. */
	ASSERT_EQ(0, kapi_accept(env_get("ALICE_EC_CHAIN"), 0, res,
				 sizeof(res)));
	EXPECT_STREQ("status=0x8009035d ctx=0\n", res);
}

TEST_HARNESS_MAIN
