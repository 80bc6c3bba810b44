// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the kerberos and negotiate packages, through real
 * request-key upcalls answered by a scripted helper (ksspi-fake-upcall,
 * selftests/krb5pkg/fake-upcall.c) instead of MIT Kerberos: multi-leg with
 * state carried, mutual authentication, the status and errno tables, what
 * the module refuses in a helper's answer, token contents and impersonation,
 * the session key, delegation and the double hop's credentials, signals,
 * the acquire structure's versions, and leaks.  The real-KDC end-to-end
 * suite is elsewhere (selftests/suite.d).
 *
 * The helper picks its answer from the request: ACQUIRE by the principal
 * (up to '@'), INITIATE by the target (up to '/'), ACCEPT by the input
 * token (up to ':').  The test points /etc/request-key.d at the helper for
 * its run (a tmpfs mounted over it in the VM, removed at exit).
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>

#include "ksspi_test.h"

#define REALM		"@KSSPI.TEST"
#define RKD		"/etc/request-key.d"
#define MARK_DIR	"/run/ksspi-fake-upcall"
#define STATS		"/sys/kernel/debug/ksspi/stats"
#define OUTBUF		4096

static bool rkd_mounted;
static char setup_error[256];

/* The scripted helper sits next to this binary. */
static int helper_path(char *buf, size_t size)
{
	char self[2048], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(buf, size, "%s/ksspi-fake-upcall", self);
	return access(buf, X_OK);
}

/*
 * Only in the VM (KSSPI_VM=1), as root, with the module loaded: request-key
 * runs in the initial mount namespace, so the tmpfs goes over the real
 * /etc/request-key.d, which must therefore be the guest's.
 */
__attribute__((constructor)) static void setup_request_key(void)
{
	char helper[4096], line[4200];

	int fd;

	if (!getenv("KSSPI_VM")) {
		snprintf(setup_error, sizeof(setup_error),
			 "not in the test VM (KSSPI_VM unset)");
		return;
	}
	if (geteuid() || access(KSSPI_DEVICE_PATH, F_OK)) {
		snprintf(setup_error, sizeof(setup_error),
			 "needs root and the module loaded");
		return;
	}
	fd = ksspi_open();
	if (fd >= 0) {
		struct ksspi_package_info pi;

		if (ksspi_query_package(fd, "kerberos", &pi))
			snprintf(setup_error, sizeof(setup_error),
				 "this ksspi.ko has no kerberos package");
		close(fd);
		if (setup_error[0])
			return;
	}
	if (helper_path(helper, sizeof(helper))) {
		snprintf(setup_error, sizeof(setup_error),
			 "ksspi-fake-upcall not built next to the test");
		return;
	}
	mkdir(RKD, 0755);
	if (mount("kpkg", RKD, "tmpfs", 0, "mode=0755")) {
		snprintf(setup_error, sizeof(setup_error), "mount %s: %s", RKD,
			 strerror(errno));
		return;
	}
	rkd_mounted = true;
	snprintf(line, sizeof(line), "create ksspi * * %s %%k\n", helper);
	fd = open(RKD "/ksspi.conf", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_full(fd, line, strlen(line)))
		snprintf(setup_error, sizeof(setup_error), "write ksspi.conf");
	if (fd >= 0)
		close(fd);
}

static void clear_marks(void)
{
	DIR *d = opendir(MARK_DIR);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MARK_DIR "/%s", e->d_name);
		unlink(path);
	}
	closedir(d);
}

__attribute__((destructor)) static void teardown_request_key(void)
{
	if (rkd_mounted)
		umount2(RKD, MNT_DETACH);
	clear_marks();
}

#define NEED_SETUP()							\
	do {								\
		if (setup_error[0])					\
			SKIP(return, "%s", setup_error);		\
	} while (0)

/* ---- helpers ---- */

static long kio(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static long kiofd(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static int acquire(int dev, const char *pkg, uint32_t use,
		   const char *principal, int64_t *expiry)
{
	return ksspi_acquire_credentials_from(dev, pkg, use, principal, NULL,
					      NULL, expiry);
}

/* One leg on @ctx with a string input (NULL: none). */
static long step(int ctx, const char *in, struct ksspi_step *st, char *out,
		 uint32_t out_size)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (in) {
		st->in_token = (uintptr_t)in;
		st->in_len = strlen(in);
	}
	st->out_token = (uintptr_t)out;
	st->out_size = out_size;
	if (out && out_size)
		memset(out, 0, out_size);
	return kio(ctx, KSSPI_IOC_STEP, st);
}

static uint32_t ctx_state(int ctx)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };

	if (ioctl(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci))
		return ~0U;
	return ci.state;
}

/* A context of @pkg: initiator to @target, or acceptor (target NULL). */
static int new_ctx(int dev, const char *pkg, const char *target,
		   uint32_t req, int *credp)
{
	int cred, ctx;

	cred = acquire(dev, pkg, target ? SECPKG_CRED_OUTBOUND :
					  SECPKG_CRED_INBOUND, NULL, NULL);
	if (cred < 0)
		return cred;
	ctx = ksspi_new_context(cred, target ? KSSPI_CONTEXT_INITIATE :
					       KSSPI_CONTEXT_ACCEPT, target,
				req);
	if (credp)
		*credp = cred;
	else
		close(cred);
	return ctx;
}

/* One-leg acceptor handshake on @input: the status, the context in *ctxp. */
static int32_t accept_one(int dev, const char *pkg, const char *input,
			  uint32_t req, int *ctxp, char *out)
{
	struct ksspi_step st;
	int ctx = new_ctx(dev, pkg, NULL, req, NULL);

	*ctxp = ctx;
	if (ctx < 0)
		return SEC_E_INTERNAL_ERROR;
	if (step(ctx, input, &st, out, OUTBUF))
		return SEC_E_INTERNAL_ERROR;
	return st.status;
}

/* QUERY_TOKEN with room for 8 groups. */
static int query_token(int tok, struct ksspi_token_info *ti)
{
	static uint32_t groups[8];

	memset(ti, 0, sizeof(*ti));
	ti->groups = (uintptr_t)groups;
	ti->ngroups = ARRAY_SIZE(groups);
	return ksspi_query_token(tok, ti);
}

static long stat_value(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* ---- packages ---- */

TEST(packages)
{
	struct ksspi_package_info pi;
	int dev;

	NEED_SETUP();
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ksspi_query_package(dev, "kerberos", &pi));
	EXPECT_EQ(KSSPI_PACKAGE_KERBEROS, pi.id);
	EXPECT_EQ(32768, pi.max_token);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_MUTUAL_AUTH);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_DELEGATION);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_IMPERSONATION);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_GSS_COMPATIBLE);
	EXPECT_FALSE(pi.capabilities & SECPKG_FLAG_NEGOTIABLE);
	ASSERT_EQ(0, ksspi_query_package(dev, "negotiate", &pi));
	EXPECT_EQ(KSSPI_PACKAGE_NEGOTIATE, pi.id);
	EXPECT_EQ(32768, pi.max_token);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_NEGOTIABLE);
	EXPECT_TRUE(pi.capabilities & SECPKG_FLAG_DELEGATION);
	close(dev);
}

/* ---- AcquireCredentialsHandle: the errno table ---- */

FIXTURE(acq) {
	int dev;
};

FIXTURE_VARIANT(acq) {
	const char *principal;	/* picks the helper's answer */
	int err;		/* 0: a descriptor */
};

FIXTURE_VARIANT_ADD(acq, ok) { .principal = "ok" REALM, .err = 0 };
FIXTURE_VARIANT_ADD(acq, default_principal) { .principal = NULL, .err = 0 };
FIXTURE_VARIANT_ADD(acq, no_credentials) {
	.principal = "status-8009030e" REALM, .err = ENOKEY };
FIXTURE_VARIANT_ADD(acq, unknown_credentials) {
	.principal = "status-8009030d" REALM, .err = ENOKEY };
FIXTURE_VARIANT_ADD(acq, tgt_expired) {
	.principal = "status-80090317" REALM, .err = ENOKEY };
FIXTURE_VARIANT_ADD(acq, expiry_in_the_past) {
	.principal = "pastexpiry" REALM, .err = ENOKEY };
FIXTURE_VARIANT_ADD(acq, not_readable) {
	.principal = "status-80090306" REALM, .err = EACCES };
FIXTURE_VARIANT_ADD(acq, kdc_unreachable) {
	.principal = "status-80090311" REALM, .err = EHOSTUNREACH };
FIXTURE_VARIANT_ADD(acq, helper_negates) {
	.principal = "negate" REALM, .err = ENOKEY };
FIXTURE_VARIANT_ADD(acq, garbage_answer) {
	.principal = "garbage" REALM, .err = EBADMSG };
FIXTURE_VARIANT_ADD(acq, informational_status) {
	.principal = "continue" REALM, .err = EBADMSG };
FIXTURE_VARIANT_ADD(acq, other_status) {
	.principal = "status-80090304" REALM, .err = EPROTO };
FIXTURE_VARIANT_ADD(acq, unknown_status) {
	.principal = "status-80090399" REALM, .err = EPROTO };

FIXTURE_SETUP(acq)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(acq)
{
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(acq, errno_table)
{
	const char *const pkgs[] = { "kerberos", "negotiate" };
	const uint32_t uses[] = { SECPKG_CRED_INBOUND, SECPKG_CRED_OUTBOUND,
				  SECPKG_CRED_BOTH };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(pkgs); i++) {
		for (j = 0; j < ARRAY_SIZE(uses); j++) {
			int64_t expiry = -1;
			int fd;

			errno = 0;
			fd = acquire(self->dev, pkgs[i], uses[j],
				     variant->principal, &expiry);
			if (variant->err) {
				EXPECT_EQ(-variant->err, fd)
					TH_LOG("%s use %u: %s", pkgs[i], uses[j],
					       strerror(-fd));
				EXPECT_EQ(variant->err, errno);
				continue;
			}
			ASSERT_LE(0, fd) TH_LOG("%s use %u: %s", pkgs[i],
						uses[j], strerror(-fd));
			/* The helper says: an hour from the kernel's now. */
			EXPECT_LE(time(NULL) + 3500, expiry);
			EXPECT_GE(time(NULL) + 3700, expiry);
			close(fd);
		}
	}
}

/* Past upcall_timeout_ms the acquire fails with ETIMEDOUT. */
TEST(acquire_timeout)
{
	char old[32] = "";
	int dev, fd, pfd;
	ssize_t n;

	NEED_SETUP();
	pfd = open("/sys/module/ksspi/parameters/upcall_timeout_ms",
		   O_RDONLY);
	if (pfd < 0)
		SKIP(return, "no upcall_timeout_ms parameter");
	n = read(pfd, old, sizeof(old) - 1);
	close(pfd);
	ASSERT_LT(0, n);
	old[n] = 0;
	ASSERT_EQ(0, set_param("upcall_timeout_ms", "1500"));
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	fd = acquire(dev, "kerberos", SECPKG_CRED_OUTBOUND, "hang" REALM,
		     NULL);
	EXPECT_EQ(-ETIMEDOUT, fd);
	if (fd >= 0)
		close(fd);
	close(dev);
	ASSERT_EQ(0, set_param("upcall_timeout_ms", old));
}

/* ---- the acquire structure: versions, names, flags ---- */

FIXTURE(acqabi) {
	int dev;
	uint8_t buf[256];
};

FIXTURE_SETUP(acqabi)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(acqabi)
{
	if (self->dev >= 0)
		close(self->dev);
}

static struct ksspi_acquire_cred *lay_acq(uint8_t *buf, uint32_t size,
					  const char *pkg, const char *pr)
{
	struct ksspi_acquire_cred *ac = (void *)buf;

	memset(buf, 0, 256);
	ac->size = size;
	strcpy(ac->package, pkg);
	ac->use = SECPKG_CRED_OUTBOUND;
	if (pr) {
		ac->principal = (uintptr_t)pr;
		ac->principal_len = strlen(pr);
	}
	return ac;
}

TEST_F(acqabi, sizes)
{
	const uint32_t bad[] = { 0, 8, 63, 65, 72, 80, 87 };
	const uint32_t good[] = { KSSPI_ACQUIRE_CRED_SIZE_VER0,
				  KSSPI_ACQUIRE_CRED_SIZE_VER1, 96, 256 };
	struct ksspi_acquire_cred *ac;
	size_t i;
	long fd;

	EXPECT_EQ(64, KSSPI_ACQUIRE_CRED_SIZE_VER0);
	EXPECT_EQ(88, KSSPI_ACQUIRE_CRED_SIZE_VER1);
	EXPECT_EQ(KSSPI_ACQUIRE_CRED_SIZE_VER1,
		  sizeof(struct ksspi_acquire_cred));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		lay_acq(self->buf, bad[i], "kerberos", "ok" REALM);
		EXPECT_EQ(-EINVAL, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED,
					 self->buf)) TH_LOG("size %u", bad[i]);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ac = lay_acq(self->buf, good[i], "kerberos", "ok" REALM);
		fd = kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, self->buf);
		ASSERT_LE(0, fd) TH_LOG("size %u: %s", good[i],
					strerror(-fd));
		EXPECT_LT(time(NULL), ac->expiry);
		close(fd);
	}
	/* VER0 callers' bytes after their structure are never looked at. */
	ac = lay_acq(self->buf, KSSPI_ACQUIRE_CRED_SIZE_VER0, "kerberos",
		     "ok" REALM);
	ac->ccache_len = 5;
	ac->ccache = 1;
	fd = kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, self->buf);
	ASSERT_LE(0, fd);
	close(fd);
	/* Beyond the structure: zeros only. */
	lay_acq(self->buf, 96, "kerberos", "ok" REALM);
	self->buf[90] = 1;
	EXPECT_EQ(-E2BIG, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, self->buf));
}

TEST_F(acqabi, unknown_flags)
{
	struct ksspi_acquire_cred *ac;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		ac = lay_acq(self->buf, sizeof(*ac), "kerberos", "ok" REALM);
		ac->flags = 1U << bit;
		EXPECT_EQ(-EINVAL, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED,
					 self->buf)) TH_LOG("bit %d", bit);
	}
}

TEST_F(acqabi, names)
{
	static char longname[KSSPI_NAME_MAX + 2];
	const char *cc = "FILE:/tmp/kpkg-ccache", *kt = "FILE:/tmp/kpkg-keytab";
	struct ksspi_acquire_cred *ac;
	int64_t expiry = 0;
	int fd;

	/* The helper answers OK only for exactly these names. */
	fd = ksspi_acquire_credentials_from(self->dev, "kerberos",
					    SECPKG_CRED_BOTH, "names" REALM,
					    cc, kt, &expiry);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_LE(time(NULL) + 7000, expiry);
	close(fd);
	EXPECT_EQ(-ENOKEY, ksspi_acquire_credentials_from(self->dev,
			"negotiate", SECPKG_CRED_BOTH, "names" REALM, cc, NULL,
			NULL));
	EXPECT_EQ(-ENOKEY, ksspi_acquire_credentials_from(self->dev,
			"kerberos", SECPKG_CRED_BOTH, "names" REALM, NULL, kt,
			NULL));

	/* The local package takes neither. */
	EXPECT_EQ(-EINVAL, ksspi_acquire_credentials_from(self->dev, "local",
			SECPKG_CRED_INBOUND, NULL, cc, NULL, NULL));
	EXPECT_EQ(-EINVAL, ksspi_acquire_credentials_from(self->dev, "local",
			SECPKG_CRED_INBOUND, NULL, NULL, kt, NULL));

	/* Longest allowed, one more. */
	memset(longname, 'c', KSSPI_NAME_MAX + 1);
	EXPECT_EQ(-EINVAL, ksspi_acquire_credentials_from(self->dev,
			"kerberos", SECPKG_CRED_BOTH, "ok" REALM, longname,
			NULL, NULL));
	EXPECT_EQ(-EINVAL, ksspi_acquire_credentials_from(self->dev,
			"kerberos", SECPKG_CRED_BOTH, "ok" REALM, NULL,
			longname, NULL));
	longname[KSSPI_NAME_MAX] = 0;
	fd = ksspi_acquire_credentials_from(self->dev, "kerberos",
					    SECPKG_CRED_BOTH, "ok" REALM,
					    longname, longname, NULL);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);

	/* A pointer without a length; a length without a pointer. */
	ac = lay_acq(self->buf, sizeof(*ac), "kerberos", "ok" REALM);
	ac->ccache = (uintptr_t)cc;
	EXPECT_EQ(-EINVAL, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, ac));
	ac = lay_acq(self->buf, sizeof(*ac), "kerberos", "ok" REALM);
	ac->keytab = (uintptr_t)kt;
	EXPECT_EQ(-EINVAL, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, ac));
	ac = lay_acq(self->buf, sizeof(*ac), "kerberos", "ok" REALM);
	ac->ccache_len = 4;
	EXPECT_EQ(-EFAULT, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, ac));
	/* A NUL inside. */
	ac = lay_acq(self->buf, sizeof(*ac), "kerberos", "ok" REALM);
	ac->keytab = (uintptr_t)"FILE:\0/x";
	ac->keytab_len = 8;
	EXPECT_EQ(-EINVAL, kiofd(self->dev, KSSPI_IOC_ACQUIRE_CRED, ac));
}

/* ---- initiators ---- */

FIXTURE(ini) {
	int dev;
	char out[OUTBUF];
};

FIXTURE_VARIANT(ini) {
	const char *pkg;
	uint32_t id;
};

FIXTURE_VARIANT_ADD(ini, kerberos) {
	.pkg = "kerberos", .id = KSSPI_PACKAGE_KERBEROS };
FIXTURE_VARIANT_ADD(ini, negotiate) {
	.pkg = "negotiate", .id = KSSPI_PACKAGE_NEGOTIATE };

FIXTURE_SETUP(ini)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(ini)
{
	if (self->dev >= 0)
		close(self->dev);
}

/* One leg, no mutual authentication: the AP-REQ, then established. */
TEST_F(ini, one_leg)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };
	char name[256], client[256], server[256];
	struct ksspi_step st;
	int ctx;

	ctx = new_ctx(self->dev, variant->pkg, "plain/ksspi-vm",
		      ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY, NULL);
	ASSERT_LE(0, ctx);
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(ctx));
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_OK, st.status);
	EXPECT_EQ(strlen("AP-REQ-leg0"), st.out_len);
	EXPECT_STREQ("AP-REQ-leg0", self->out);
	EXPECT_EQ(ISC_RET_CONFIDENTIALITY | ISC_RET_INTEGRITY, st.ret_flags);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(ctx));

	ci.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		  KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO);
	ci.name = (uintptr_t)name;
	ci.name_size = sizeof(name);
	ci.client_name = (uintptr_t)client;
	ci.client_name_size = sizeof(client);
	ci.server_name = (uintptr_t)server;
	ci.server_name_size = sizeof(server);
	ASSERT_EQ(0, kio(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci));
	EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		  KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO), ci.mask);
	EXPECT_STREQ("alice" REALM, name);
	EXPECT_STREQ("alice" REALM, client);
	EXPECT_STREQ("plain/ksspi-vm" REALM, server);
	EXPECT_EQ(variant->id, ci.package_id);
	EXPECT_EQ(ISC_RET_CONFIDENTIALITY | ISC_RET_INTEGRITY, ci.ctx_flags);
	/* The helper's expiry (its now + 1 h), not the module's default. */
	EXPECT_EQ(st.expiry, ci.expiry);
	EXPECT_LE(ci.start + 3590, ci.expiry);
	EXPECT_GE(ci.start + 3610, ci.expiry);

	/* Done: another leg is refused without an upcall. */
	ASSERT_EQ(0, step(ctx, "x", &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_INVALID_HANDLE, st.status);
	close(ctx);
}

/* Mutual authentication: the second leg verifies the AP-REP with the
 * state the first leg left.
 */
TEST_F(ini, mutual_two_legs)
{
	struct ksspi_step st;
	uint8_t key[64];
	uint32_t enctype = 0;
	int ctx, cred;

	ctx = new_ctx(self->dev, variant->pkg, "mutual/ksspi-vm",
		      ISC_REQ_MUTUAL_AUTH, &cred);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED, st.status);
	EXPECT_EQ(0, strncmp(self->out, "AP-REQ-", 7)) TH_LOG("%s", self->out);
	EXPECT_EQ(KSSPI_STATE_IN_PROGRESS, ctx_state(ctx));
	EXPECT_FALSE(st.ret_flags & ISC_RET_MUTUAL_AUTH);
	/* No session key before establishment. */
	EXPECT_EQ(-ENOENT, ksspi_query_session_key(ctx, key, sizeof(key),
						   &enctype));

	/* A leg without the peer's answer is refused, not sent. */
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st.status);
	close(ctx);

	ctx = ksspi_new_context(cred, KSSPI_CONTEXT_INITIATE,
				"mutual/ksspi-vm", ISC_REQ_MUTUAL_AUTH);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED, st.status);
	ASSERT_EQ(0, step(ctx, "AP-REP-good", &st, self->out, OUTBUF));
	/* SEC_E_INTERNAL_ERROR here means the state was not carried. */
	EXPECT_EQ(SEC_E_OK, st.status) TH_LOG("%s",
					      ksspi_status_string(st.status));
	EXPECT_EQ(0, st.out_len);
	EXPECT_TRUE(st.ret_flags & ISC_RET_MUTUAL_AUTH);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ctx_state(ctx));
	EXPECT_EQ(32, ksspi_query_session_key(ctx, key, sizeof(key),
					      &enctype));
	EXPECT_EQ(18, enctype);
	close(ctx);

	/* An AP-REP that does not verify. */
	ctx = ksspi_new_context(cred, KSSPI_CONTEXT_INITIATE,
				"mutual/ksspi-vm", ISC_REQ_MUTUAL_AUTH);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED, st.status);
	ASSERT_EQ(0, step(ctx, "AP-REP-bad", &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_MUTUAL_AUTH_FAILED, st.status);
	EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
	close(ctx);
	close(cred);
}

/* A helper that claims mutual authentication on the first leg lies. */
TEST_F(ini, mutual_claimed_without_ap_rep)
{
	struct ksspi_step st;
	int ctx;

	ctx = new_ctx(self->dev, variant->pkg, "liar/ksspi-vm",
		      ISC_REQ_MUTUAL_AUTH, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_MUTUAL_AUTH_FAILED, st.status);
	EXPECT_EQ(0, st.out_len);
	EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
	close(ctx);

	/* Without ISC_REQ_MUTUAL_AUTH the same answer is just done. */
	ctx = new_ctx(self->dev, variant->pkg, "liar/ksspi-vm", 0, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_OK, st.status);
	/* ... and flags nobody asked for are not passed on. */
	EXPECT_EQ(0, st.ret_flags);
	close(ctx);
}

/* The output of a leg that does not fit is kept, not re-run. */
TEST_F(ini, buffer_too_small)
{
	struct ksspi_step st;
	int ctx;

	ctx = new_ctx(self->dev, variant->pkg, "plain/ksspi-vm", 0, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, 3));
	EXPECT_EQ(SEC_E_BUFFER_TOO_SMALL, st.status);
	EXPECT_EQ(strlen("AP-REQ-leg0"), st.out_len);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_OK, st.status);
	EXPECT_STREQ("AP-REQ-leg0", self->out);
	close(ctx);
}

/* What the helper is told: ids, package, use, names, no kernel flag. */
TEST_F(ini, request_contents)
{
	const char *cc = "FILE:/tmp/kpkg-ccache", *kt = "FILE:/tmp/kpkg-keytab";
	struct ksspi_step st;
	char want[512];
	int cred, ctx;

	cred = ksspi_acquire_credentials_from(self->dev, variant->pkg,
					      SECPKG_CRED_BOTH, "names" REALM,
					      cc, kt, NULL);
	ASSERT_LE(0, cred);
	ctx = ksspi_new_context(cred, KSSPI_CONTEXT_INITIATE,
				"whoami/ksspi-vm", ISC_REQ_INTEGRITY);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
	ASSERT_EQ(SEC_E_OK, st.status);
	snprintf(want, sizeof(want),
		 "uid=0 gid=0 flags=2 pkg=%u use=3 leg=0 req=%#x principal=names@KSSPI.TEST ccache=%s keytab=%s ccache_data=none",
		 variant->id, ISC_REQ_INTEGRITY, cc, kt);	/* flags: LUCID */
	EXPECT_STREQ(want, self->out);
	close(ctx);
	close(cred);
}

FIXTURE(inist) {
	int dev;
	char out[OUTBUF];
};

FIXTURE_VARIANT(inist) {
	const char *target;
	int32_t status;
};

/* The contract's statuses pass through unchanged ... */
FIXTURE_VARIANT_ADD(inist, no_credentials) {
	"status-8009030e/h", SEC_E_NO_CREDENTIALS };
FIXTURE_VARIANT_ADD(inist, target_unknown) {
	"status-80090303/h", SEC_E_TARGET_UNKNOWN };
FIXTURE_VARIANT_ADD(inist, kdc_unreachable) {
	"status-80090311/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, time_skew) {
	"status-80090324/h", SEC_E_TIME_SKEW };
FIXTURE_VARIANT_ADD(inist, expired) {
	"status-80090317/h", SEC_E_CONTEXT_EXPIRED };
FIXTURE_VARIANT_ADD(inist, logon_denied) {
	"status-8009030c/h", SEC_E_LOGON_DENIED };
/* ... anything else is a malformed answer. */
FIXTURE_VARIANT_ADD(inist, unknown_status) {
	"status-80090399/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, complete_needed) {
	"status-00090313/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, buffer_too_small_from_helper) {
	"status-80090321/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, continue_without_token) {
	"nooutput/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, state_too_big) {
	"bigstate/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, garbage) {
	"garbage/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(inist, negated) {
	"negate/h", SEC_E_NO_AUTHENTICATING_AUTHORITY };

FIXTURE_SETUP(inist)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(inist)
{
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(inist, status)
{
	const char *const pkgs[] = { "kerberos", "negotiate" };
	struct ksspi_step st;
	size_t i;
	int ctx;

	for (i = 0; i < ARRAY_SIZE(pkgs); i++) {
		ctx = new_ctx(self->dev, pkgs[i], variant->target, 0, NULL);
		ASSERT_LE(0, ctx);
		ASSERT_EQ(0, step(ctx, NULL, &st, self->out, OUTBUF));
		EXPECT_EQ(variant->status, st.status)
			TH_LOG("%s: %s", pkgs[i],
			       ksspi_status_string(st.status));
		EXPECT_EQ(0, st.out_len);
		EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
		close(ctx);
	}
}

/* ---- acceptors ---- */

FIXTURE(acc) {
	int dev;
	char out[OUTBUF];
	char dir[64];
};

FIXTURE_VARIANT(acc) {
	const char *pkg;
};

FIXTURE_VARIANT_ADD(acc, kerberos) { .pkg = "kerberos" };
FIXTURE_VARIANT_ADD(acc, negotiate) { .pkg = "negotiate" };

FIXTURE_SETUP(acc)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
	strcpy(self->dir, "/tmp/kpkg-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
}

FIXTURE_TEARDOWN(acc)
{
	char cmd[128];

	if (self->dev >= 0)
		close(self->dev);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		perror("rm");
}

static int make_file(const char *dir, const char *name, uid_t uid, gid_t gid,
		     mode_t mode)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	if (chown(path, uid, gid) || chmod(path, mode))
		return -1;
	return 0;
}

static int open_in(const char *dir, const char *name, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The token is the helper's identity, and impersonating it is alice. */
TEST_F(acc, token_and_impersonation)
{
	uint32_t groups[8];
	char name[256], path[128];
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	struct ksspi_context_info ci = { .size = sizeof(ci) };
	struct stat sb;
	int ctx, tok;

	ASSERT_EQ(SEC_E_OK, accept_one(self->dev, variant->pkg, "alice",
				       ASC_REQ_MUTUAL_AUTH, &ctx, self->out));
	EXPECT_STREQ("AP-REP", self->out);

	tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, tok);
	ti.groups = (uintptr_t)groups;
	ti.ngroups = ARRAY_SIZE(groups);
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ASSERT_EQ(0, ksspi_query_token(tok, &ti));
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(ALICE_GID, ti.gid);
	EXPECT_EQ(SECURITY_IMPERSONATION, ti.level);
	ASSERT_EQ(2, ti.ngroups);
	EXPECT_EQ(2001, groups[0]);
	EXPECT_EQ(STAFF_GID, groups[1]);
	EXPECT_STREQ("alice" REALM, name);
	EXPECT_LT(time(NULL) + 3000, ti.expiry);
	EXPECT_EQ(strcmp(variant->pkg, "kerberos") ? KSSPI_PACKAGE_NEGOTIATE :
		  KSSPI_PACKAGE_KERBEROS, ti.package_id);

	ci.mask = KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS);
	ASSERT_EQ(0, kio(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci));
	EXPECT_EQ(SECURITY_IMPERSONATION, ci.level);
	EXPECT_EQ(ASC_RET_MUTUAL_AUTH, ci.ctx_flags);
	ASSERT_EQ(0, ksspi_query_native_names(ctx, name, sizeof(name), path,
					      sizeof(path)));
	EXPECT_STREQ("alice" REALM, name);
	EXPECT_STREQ("host/ksspi-vm.ksspi.test" REALM, path);

	/* Files as alice: hers, her group's, not bob's. */
	ASSERT_EQ(0, make_file(self->dir, "alice", ALICE_UID, ALICE_GID, 0600));
	ASSERT_EQ(0, make_file(self->dir, "staff", 0, STAFF_GID, 0060));
	ASSERT_EQ(0, make_file(self->dir, "bob", BOB_UID, BOB_GID, 0600));
	ASSERT_EQ(0, chown(self->dir, ALICE_UID, ALICE_GID));

	ASSERT_EQ(SEC_E_OK, ksspi_impersonate(tok));
	EXPECT_EQ(ALICE_UID, geteuid());
	EXPECT_EQ(0, open_in(self->dir, "alice", O_RDWR));
	EXPECT_EQ(0, open_in(self->dir, "staff", O_RDWR));
	EXPECT_EQ(-EACCES, open_in(self->dir, "bob", O_RDONLY));
	EXPECT_EQ(0, open_in(self->dir, "new", O_WRONLY | O_CREAT));
	ASSERT_EQ(SEC_E_OK, ksspi_revert(tok));
	EXPECT_EQ(0, geteuid());
	snprintf(path, sizeof(path), "%s/new", self->dir);
	ASSERT_EQ(0, stat(path, &sb));
	EXPECT_EQ(ALICE_UID, sb.st_uid);
	EXPECT_EQ(ALICE_GID, sb.st_gid);
	close(tok);
	close(ctx);
}

/* Two legs: the second gets the state the first returned. */
TEST_F(acc, multi_leg_state)
{
	struct ksspi_step st;
	int ctx, tok;

	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  accept_one(self->dev, variant->pkg, "multi", 0, &ctx,
			     self->out));
	EXPECT_STREQ("more", self->out);
	EXPECT_EQ(KSSPI_STATE_IN_PROGRESS, ctx_state(ctx));
	EXPECT_EQ(-ENOENT, ksspi_query_security_context_token(ctx));
	ASSERT_EQ(0, step(ctx, "final", &st, self->out, OUTBUF));
	EXPECT_EQ(SEC_E_OK, st.status) TH_LOG("%s",
					      ksspi_status_string(st.status));
	EXPECT_EQ(0, st.out_len);
	tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, tok);
	close(tok);
	close(ctx);

	/* A fresh context's first leg has no state: the helper refuses. */
	ASSERT_EQ(SEC_E_INTERNAL_ERROR,
		  accept_one(self->dev, variant->pkg, "final", 0, &ctx,
			     self->out));
	EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
	close(ctx);
}

/* ASC_REQ_IDENTIFY: the token only identifies. */
TEST_F(acc, identify_only)
{
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	struct ksspi_step st;
	int ctx, tok;

	ctx = new_ctx(self->dev, variant->pkg, NULL, ASC_REQ_IDENTIFY, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, "deleg", &st, self->out, OUTBUF));
	ASSERT_EQ(SEC_E_OK, st.status);
	EXPECT_TRUE(st.ret_flags & ASC_RET_IDENTIFY);
	EXPECT_FALSE(st.ret_flags & ASC_RET_DELEGATE);
	tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, tok);
	ASSERT_EQ(0, query_token(tok, &ti));
	EXPECT_EQ(SECURITY_IDENTIFICATION, ti.level);
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(2, ti.ngroups);
	close(tok);
	close(ctx);
}

/* An unmapped principal at identification level: anonymous ids, name kept. */
TEST_F(acc, unmapped_identification)
{
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	char name[128];
	int ctx, tok;

	ASSERT_EQ(SEC_E_OK, accept_one(self->dev, variant->pkg, "unmapped", 0,
				       &ctx, self->out));
	tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, tok);
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ASSERT_EQ(0, ksspi_query_token(tok, &ti));
	EXPECT_EQ(SECURITY_IDENTIFICATION, ti.level);
	EXPECT_EQ(65534, ti.uid);
	EXPECT_EQ(0, ti.ngroups);
	EXPECT_STREQ("nolocal" REALM, name);
	close(tok);
	close(ctx);
}

FIXTURE(accst) {
	int dev;
	char out[OUTBUF];
};

FIXTURE_VARIANT(accst) {
	const char *input;
	int32_t status;
};

FIXTURE_VARIANT_ADD(accst, wrong_key) {
	"status-8009030c", SEC_E_LOGON_DENIED };
FIXTURE_VARIANT_ADD(accst, tampered) {
	"status-80090308", SEC_E_INVALID_TOKEN };
FIXTURE_VARIANT_ADD(accst, skew) {
	"status-80090324", SEC_E_TIME_SKEW };
FIXTURE_VARIANT_ADD(accst, expired_ticket) {
	"status-80090317", SEC_E_CONTEXT_EXPIRED };
FIXTURE_VARIANT_ADD(accst, no_keytab_keys) {
	"status-8009030e", SEC_E_NO_CREDENTIALS };
FIXTURE_VARIANT_ADD(accst, unknown_input) {
	"what", SEC_E_INVALID_TOKEN };
/* Identities the module refuses whatever the helper says. */
FIXTURE_VARIANT_ADD(accst, root) { "root", SEC_E_LOGON_DENIED };
FIXTURE_VARIANT_ADD(accst, root_group) { "rootgroup", SEC_E_LOGON_DENIED };
/* Answers that make no sense: malformed. */
FIXTURE_VARIANT_ADD(accst, impersonation_without_uid) {
	"noident", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, bad_level) {
	"badlevel", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, delegation_without_image) {
	"delegnoimage", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, image_without_delegation) {
	"imageonly", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, name_too_long) {
	"longname", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, continue_without_token) {
	"nooutput", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, unknown_status) {
	"status-80090399", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, garbage) {
	"garbage", SEC_E_NO_AUTHENTICATING_AUTHORITY };
FIXTURE_VARIANT_ADD(accst, negated) {
	"negate", SEC_E_NO_AUTHENTICATING_AUTHORITY };

FIXTURE_SETUP(accst)
{
	NEED_SETUP();
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(accst)
{
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(accst, status)
{
	const char *const pkgs[] = { "kerberos", "negotiate" };
	struct ksspi_step st;
	size_t i;
	int ctx;

	for (i = 0; i < ARRAY_SIZE(pkgs); i++) {
		ctx = new_ctx(self->dev, pkgs[i], NULL, 0, NULL);
		ASSERT_LE(0, ctx);
		ASSERT_EQ(0, step(ctx, variant->input, &st, self->out,
				  OUTBUF));
		EXPECT_EQ(variant->status, st.status)
			TH_LOG("%s: %s", pkgs[i],
			       ksspi_status_string(st.status));
		EXPECT_EQ(KSSPI_STATE_FAILED, ctx_state(ctx));
		EXPECT_EQ(-ENOENT, ksspi_query_security_context_token(ctx));
		close(ctx);
	}
}

/* An acceptor needs the client's token: refused without an upcall. */
TEST(accept_without_input)
{
	struct ksspi_step st;
	char out[64];
	int dev, ctx;

	NEED_SETUP();
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	ctx = new_ctx(dev, "kerberos", NULL, 0, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, NULL, &st, out, sizeof(out)));
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st.status);
	close(ctx);
	/* Nor does an initiator's first leg take one. */
	ctx = new_ctx(dev, "kerberos", "plain/h", 0, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, step(ctx, "x", &st, out, sizeof(out)));
	EXPECT_EQ(SEC_E_INVALID_TOKEN, st.status);
	close(ctx);
	close(dev);
}

/* ---- the session key: privileged only ---- */

static int bob_asks_key(void *arg)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };
	uint8_t key[64];
	int ctx = *(int *)arg;

	if (become_bob())
		return 10;
	if (ksspi_query_session_key(ctx, key, sizeof(key), NULL) != -EPERM ||
	    errno != EPERM)
		return 11;
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY);
	ci.session_key = (uintptr_t)key;
	ci.session_key_size = sizeof(key);
	if (ioctl(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci) != -1 || errno != EPERM)
		return 12;
	return 0;
}

TEST(session_key)
{
	struct ksspi_context_info ci = { .size = sizeof(ci) };
	struct ksspi_session_key sk = { .size = sizeof(sk) };
	static const uint8_t want[32] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01,
		0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89,
		0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf1, 0x02,
	};
	uint8_t key[64];
	uint32_t enctype = 0;
	char out[OUTBUF];
	int dev, ctx, lcred, lctx;

	NEED_SETUP();
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(SEC_E_OK, accept_one(dev, "kerberos", "alice", 0, &ctx, out));

	memset(key, 0, sizeof(key));
	ASSERT_EQ(32, ksspi_query_session_key(ctx, key, sizeof(key),
					      &enctype));
	EXPECT_EQ(18, enctype);
	EXPECT_EQ(0, memcmp(want, key, 32));
	/* Length only; too small a buffer. */
	EXPECT_EQ(32, ksspi_query_session_key(ctx, NULL, 0, NULL));
	sk.key = (uintptr_t)key;
	sk.key_size = 31;
	EXPECT_EQ(-ERANGE, kio(ctx, KSSPI_IOC_QUERY_SESSION_KEY, &sk));
	EXPECT_EQ(32, sk.key_size);
	sk.flags = 1;
	EXPECT_EQ(-EINVAL, kio(ctx, KSSPI_IOC_QUERY_SESSION_KEY, &sk));

	/* The same through QueryContextAttributes. */
	memset(key, 0, sizeof(key));
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY);
	ci.session_key = (uintptr_t)key;
	ci.session_key_size = sizeof(key);
	ASSERT_EQ(0, kio(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci));
	EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY), ci.mask);
	EXPECT_EQ(32, ci.session_key_size);
	EXPECT_EQ(0, memcmp(want, key, 32));
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY);
	ci.session_key_size = 8;
	EXPECT_EQ(-ERANGE, kio(ctx, KSSPI_IOC_QUERY_CONTEXT, &ci));
	EXPECT_EQ(32, ci.session_key_size);

	/* Nobody else. */
	EXPECT_EQ(0, in_child(bob_asks_key, &ctx));

	/* The local package has none. */
	lcred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					  NULL, NULL);
	ASSERT_LE(0, lcred);
	lctx = ksspi_new_context(lcred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, lctx);
	EXPECT_EQ(-ENOENT, ksspi_query_session_key(lctx, key, sizeof(key),
						   NULL));
	EXPECT_EQ(ENOENT, errno);
	close(lctx);
	close(lcred);
	close(ctx);
	close(dev);
}

/* ---- delegation: the image is kept and sent while impersonating ---- */

static const char deleg_hex[] =
	"0504000c0001000844454c4547415445" "4400ff544754";

/* In a child: impersonate @tok, initiate "whoami", report what was sent. */
struct hop {
	int dev;
	int tok;
	const char *ccache;
	char out[OUTBUF];
};

static int second_hop(void *arg)
{
	struct hop *h = arg;
	struct ksspi_step st;
	int cred, ctx, fd;

	if (ksspi_impersonate(h->tok) != SEC_E_OK)
		return 10;
	cred = ksspi_acquire_credentials_from(h->dev, "kerberos",
					      SECPKG_CRED_OUTBOUND, NULL,
					      h->ccache, NULL, NULL);
	if (cred < 0)
		return 11;
	ctx = ksspi_new_context(cred, KSSPI_CONTEXT_INITIATE,
				"whoami/backend", 0);
	if (ctx < 0 || step(ctx, NULL, &st, h->out, OUTBUF) ||
	    st.status != SEC_E_OK)
		return 12;
	/* Only the helper's check of the image makes this acquire work. */
	fd = ksspi_acquire_credentials_from(h->dev, "kerberos",
					    SECPKG_CRED_OUTBOUND, "deleg" REALM,
					    h->ccache, NULL, NULL);
	if ((fd >= 0) != !h->ccache)
		return 13;
	if (ksspi_revert(h->tok) != SEC_E_OK)
		return 14;
	/* Written where the parent can see it: shared anonymous memory. */
	return 0;
}

TEST(delegation)
{
	struct ksspi_token_info ti = { .size = sizeof(ti) };
	struct ksspi_step st;
	struct hop *h;
	char out[OUTBUF], want[256];
	int dev, ctx, ictx, fd;

	NEED_SETUP();
	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, h);
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(SEC_E_OK, accept_one(dev, "negotiate", "deleg",
				       ASC_REQ_DELEGATE, &ctx, out));
	h->tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, h->tok);
	ASSERT_EQ(0, query_token(h->tok, &ti));
	EXPECT_EQ(SECURITY_DELEGATION, ti.level);
	EXPECT_EQ(ALICE_UID, ti.uid);
	h->dev = dev;

	/* While impersonating: the image goes with every upcall, as alice. */
	h->ccache = NULL;
	ASSERT_EQ(0, in_child(second_hop, h));
	snprintf(want, sizeof(want),
		 "uid=2001 gid=2001 flags=2 pkg=16 use=2 leg=0 req=0 principal=default@KSSPI.TEST ccache= keytab= ccache_data=%s",
		 deleg_hex);
	EXPECT_STREQ(want, h->out);

	/* A ccache the caller names wins over the client's image. */
	h->ccache = "FILE:/tmp/kpkg-other";
	ASSERT_EQ(0, in_child(second_hop, h));
	EXPECT_NE(NULL, strstr(h->out, "ccache_data=none"));

	/* Not impersonating: no image, and the helper refuses "deleg". */
	fd = acquire(dev, "kerberos", SECPKG_CRED_OUTBOUND, "deleg" REALM,
		     NULL);
	EXPECT_EQ(-ENOKEY, fd);
	ictx = new_ctx(dev, "kerberos", "whoami/backend", 0, NULL);
	ASSERT_LE(0, ictx);
	ASSERT_EQ(0, step(ictx, NULL, &st, out, OUTBUF));
	ASSERT_EQ(SEC_E_OK, st.status);
	EXPECT_NE(NULL, strstr(out, "ccache_data=none"));
	close(ictx);
	close(h->tok);
	close(ctx);

	/* Impersonating a token without delegation sends none either. */
	ASSERT_EQ(SEC_E_OK, accept_one(dev, "kerberos", "alice", 0, &ctx,
				       out));
	h->tok = ksspi_query_security_context_token(ctx);
	ASSERT_LE(0, h->tok);
	h->ccache = NULL;
	EXPECT_EQ(13, in_child(second_hop, h));
	close(h->tok);
	close(ctx);
	close(dev);
	munmap(h, sizeof(*h));
}

/* ---- a signal while waiting: EINTR, and the leg can be run again ---- */

static void on_usr1(int sig)
{
}

struct waker {
	pthread_t target;
	int done;
};

/* Waits for the helper's marker, then signals the stepping thread. */
static void *wake(void *arg)
{
	struct waker *w = arg;
	int i;

	for (i = 0; i < 600; i++) {
		DIR *d = opendir(MARK_DIR);
		struct dirent *e;
		bool found = false;

		if (d) {
			while ((e = readdir(d)))
				found |= e->d_name[0] != '.';
			closedir(d);
		}
		if (found) {
			pthread_kill(w->target, SIGUSR1);
			w->done = 1;
			return NULL;
		}
		usleep(50000);
	}
	return NULL;
}

TEST(signal_retry)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct waker w = { .target = pthread_self() };
	struct ksspi_step st;
	char out[OUTBUF];
	pthread_t thr;
	int dev, ctx;
	long ret;

	NEED_SETUP();
	clear_marks();
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	dev = ksspi_open();
	ASSERT_LE(0, dev);
	ctx = new_ctx(dev, "kerberos", "hangonce/h", 0, NULL);
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, pthread_create(&thr, NULL, wake, &w));
	ret = step(ctx, NULL, &st, out, OUTBUF);
	pthread_join(thr, NULL);
	ASSERT_EQ(1, w.done) TH_LOG("the helper never started");
	EXPECT_EQ(-EINTR, ret);
	/* Nothing happened to the context. */
	EXPECT_EQ(KSSPI_STATE_NEW, ctx_state(ctx));
	/* The same leg again: the helper answers at once this time. */
	ASSERT_EQ(0, step(ctx, NULL, &st, out, OUTBUF));
	EXPECT_EQ(SEC_E_OK, st.status) TH_LOG("%s",
					      ksspi_status_string(st.status));
	EXPECT_STREQ("after-retry", out);
	close(ctx);
	close(dev);
	clear_marks();
}

/* ---- the in-kernel API: an in-kernel server's view ---- */

#define KMOD_NAME	"ksspi_krb5_test"
#define KMOD_RUN	"/sys/kernel/debug/" KMOD_NAME "/run"

/* Writes @cmd to the test module and reads its answer into @res. */
static int kmod_run(const char *cmd, char *res, size_t size)
{
	int fd = open(KMOD_RUN, O_RDWR | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		close(fd);
		return -EIO;
	}
	n = pread(fd, res, size - 1, 0);
	close(fd);
	if (n < 0)
		return -errno;
	res[n] = 0;
	return 0;
}

FIXTURE(kapi) {
	bool loaded;
};

FIXTURE_SETUP(kapi)
{
	char path[4096];
	int fd;

	self->loaded = false;
	NEED_SETUP();
	if (getenv("KSSPI_KRB5PKG_TEST_KO")) {
		/* Another build of the module, e.g. for the debug kernel. */
		snprintf(path, sizeof(path), "%s", getenv("KSSPI_KRB5PKG_TEST_KO"));
	} else {
		ASSERT_EQ(0, helper_path(path, sizeof(path)));
		*strrchr(path, '/') = 0;
		strcat(path, "/../../selftests/krb5pkg/" KMOD_NAME ".ko");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "%s not built (make krb5-test-module)", path);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0))
		TH_LOG("finit_module: %s", strerror(errno));
	close(fd);
	self->loaded = true;
}

/* Whatever happened: ksspi must be unloadable after the suite. */
FIXTURE_TEARDOWN(kapi)
{
	if (self->loaded)
		EXPECT_EQ(0, syscall(SYS_delete_module, KMOD_NAME, O_NONBLOCK));
}

TEST_F(kapi, in_kernel_api)
{
	static const char want_kernel[] =
		"status=0x0 out=uid=0 gid=0 flags=3 pkg=16 use=2 leg=0 ";
	char res[4096];

	if (!self->loaded)
		SKIP(return, "test module not loaded");

	/* Kernel credentials: the helper is told so (flags=1), LUCID (2). */
	ASSERT_EQ(0, kmod_run("initiate kerberos whoami/kernel", res,
			      sizeof(res)));
	EXPECT_EQ(0, strncmp(res, want_kernel, strlen(want_kernel)))
		TH_LOG("%s", res);
	ASSERT_EQ(0, kmod_run("initiate negotiate whoami/kernel", res,
			      sizeof(res)));
	EXPECT_NE(NULL, strstr(res, " flags=3 pkg=9 ")) TH_LOG("%s", res);
	ASSERT_EQ(0, kmod_run("initiate kerberos status-80090303/h", res,
			      sizeof(res)));
	EXPECT_EQ(0, strncmp(res, "status=0x80090303 out=", 22))
		TH_LOG("%s", res);

	/* An in-kernel acceptor: token, session key, impersonation. */
	ASSERT_EQ(0, kmod_run("accept kerberos alice", res, sizeof(res)));
	EXPECT_STREQ("status=0x0 key=32 enctype=18 uid=2001 level=2 name=alice@KSSPI.TEST fsuid=2001\n",
		     res);
	ASSERT_EQ(0, kmod_run("accept negotiate deleg", res, sizeof(res)));
	EXPECT_STREQ("status=0x0 key=32 enctype=18 uid=2001 level=3 name=alice@KSSPI.TEST fsuid=2001\n",
		     res);
	ASSERT_EQ(0, kmod_run("accept kerberos root", res, sizeof(res)));
	EXPECT_STREQ("status=0x8009030c\n", res);
	ASSERT_EQ(0, kmod_run("accept kerberos status-8009030e", res,
			      sizeof(res)));
	EXPECT_STREQ("status=0x8009030e\n", res);
	/* A failed acquire is an errno. */
	ASSERT_EQ(0, kmod_run("accept kerberos-nosuch x", res, sizeof(res)));
	EXPECT_STREQ("acquire=-65\n", res);	/* ENOPKG */
}

/* ---- leaks: last, after every other test's descriptors are closed ---- */

TEST(zz_no_leaks)
{
	long ctxs = -1, toks = -1;
	int i;

	NEED_SETUP();
	if (access(STATS, R_OK))
		SKIP(return, "no debugfs");
	/* Impersonation records of exited children are reaped every 2 s. */
	for (i = 0; i < 200; i++) {
		ctxs = stat_value("contexts_live");
		toks = stat_value("tokens_live");
		if (!ctxs && !toks && !stat_value("impersonating_threads"))
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, ctxs);
	EXPECT_EQ(0, toks);
}

TEST_HARNESS_MAIN
