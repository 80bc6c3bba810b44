// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/krb5_*.c against MIT krb5, both ways: a context is established in
 * this process with MIT GSS-API against the fixture's KDC
 * (selftests/krb5/kdc-setup), one side is exported (lucid context: enctype,
 * key, acceptor-subkey flag, sequence numbers) into the kernel through the
 * test module's debugfs "cmd" file, and the other side stays with MIT:
 *
 *   MIT gss_get_mic / gss_wrap (sealed, not) / gss_wrap_iov (HEADER + DATA +
 *   PADDING: RRC; and with SIGN_ONLY pieces and a TRAILER)  -> the kernel
 *   the kernel's MIC / Wrap (TRAILER layout, DCE layout, SIGN_ONLY)
 *                               -> gss_verify_mic / gss_unwrap / _iov
 *
 * for every enctype, with and without mutual authentication (acceptor
 * subkey or not), the kernel as initiator and as acceptor, 0 B to 64 KiB.
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "ksspi_test.h"

#define TEST_MODULE	"ksspi_krb5crypto_test"
#define CMD		"/sys/kernel/debug/ksspi_krb5crypto/cmd"
#define ENV_FILE	"/tmp/ksspi-krb5/env"
#define ANSWER_MAX	(1024 * 1024)

static pid_t main_pid;
static int module_loaded_here;
static int setup_error;
static char realm[128], host[256], alice_kt[PATH_MAX], system_kt[PATH_MAX];

static int mit_self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	return 0;
}

static void env_value(const char *line, const char *key, char *out,
		      size_t size)
{
	size_t n = strlen(key);

	if (!strncmp(line, key, n) && line[n] == '=')
		snprintf(out, size, "%.*s", (int)strcspn(line + n + 1, "\n"),
			 line + n + 1);
}

/* Loads the module and starts the KDC, once, in the main process. */
__attribute__((constructor)) static void kcmit_load(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], conf[PATH_MAX] = "";
	const char *ko = getenv("KSSPI_KRB5CRYPTO_TEST_KO");
	char line[PATH_MAX + 64];
	FILE *f;
	int fd;

	main_pid = getpid();
	if (mit_self_dir(dir, sizeof(dir))) {
		setup_error = EINVAL;
		return;
	}
	if (!ko) {
		snprintf(path, sizeof(path),
			 "%s/../../selftests/krb5crypto/" TEST_MODULE ".ko", dir);
		ko = path;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) == 0)
		module_loaded_here = 1;
	else if (fd < 0 || errno != EEXIST)
		setup_error = errno;
	if (fd >= 0)
		close(fd);
	if (setup_error) {
		fprintf(stderr, "# cannot load %s: %s\n", ko,
			strerror(setup_error));
		return;
	}
	snprintf(path, sizeof(path),
		 "%s/../../selftests/krb5/kdc-setup -q >/dev/null", dir);
	if (system(path)) {
		setup_error = ENOENT;
		fprintf(stderr, "# kdc-setup failed\n");
		return;
	}
	f = fopen(ENV_FILE, "re");
	if (!f) {
		setup_error = errno;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		env_value(line, "KRB5_CONFIG", conf, sizeof(conf));
		env_value(line, "KSSPI_KRB5_REALM", realm, sizeof(realm));
		env_value(line, "KSSPI_KRB5_HOST", host, sizeof(host));
		env_value(line, "KSSPI_KRB5_ALICE_KEYTAB", alice_kt,
			  sizeof(alice_kt));
		env_value(line, "KSSPI_KRB5_KEYTAB", system_kt,
			  sizeof(system_kt));
	}
	fclose(f);
	if (!conf[0] || !realm[0] || !host[0] || !alice_kt[0] ||
	    !system_kt[0]) {
		setup_error = EINVAL;
		fprintf(stderr, "# %s lacks a key\n", ENV_FILE);
		return;
	}
	setenv("KRB5_CONFIG", conf, 1);
}

__attribute__((destructor)) static void kcmit_unload(void)
{
	if (getpid() == main_pid && module_loaded_here)
		syscall(SYS_delete_module, TEST_MODULE, O_NONBLOCK);
}

/* ---- the kernel side: commands to the test module --------------------- */

static char *hex(const void *p, size_t len, int present)
{
	const unsigned char *b = p;
	char *s = malloc(2 * len + 2);
	size_t i;

	if (!s)
		abort();
	if (!present)
		return strcpy(s, "-");
	if (!len)
		return strcpy(s, "=");
	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	return s;
}

static int nibble(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Decodes one hex field of an answer into a malloc'ed buffer. */
static unsigned char *unhex(const char *s, size_t *len)
{
	size_t n = strcspn(s, " \n"), i;
	unsigned char *p = malloc(n / 2 + 1);

	if (!p)
		abort();
	*len = 0;
	if (n == 1 && (*s == '=' || *s == '-'))
		return p;
	/* Not sscanf(): it measures the whole (128 KiB) string each call. */
	for (i = 0; i + 1 < n; i += 2)
		p[i / 2] = nibble(s[i]) << 4 | nibble(s[i + 1]);
	*len = n / 2;
	return p;
}

/* One command; the answer is malloc'ed ("ok ..." or "err N"). */
static char *kcmd(int fd, const char *fmt, ...)
{
	char *req, *ans = malloc(ANSWER_MAX);
	size_t len = 0;
	ssize_t n;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&req, fmt, ap) < 0 || !ans)
		abort();
	va_end(ap);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		snprintf(ans, ANSWER_MAX, "err write %d", errno);
		free(req);
		return ans;
	}
	free(req);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, ans + len, ANSWER_MAX - 1 - len)) > 0)
		len += n;
	ans[len] = 0;
	return ans;
}

/* The n-th space-separated field of an answer ("ok" is field 0). */
static const char *nth(const char *ans, int n)
{
	while (n-- > 0) {
		ans = strchr(ans, ' ');
		if (!ans)
			return "";
		ans++;
	}
	return ans;
}

/* ---- the MIT side ------------------------------------------------------ */

static const char *const service[] = {
	[17] = "enc-aes128-sha1", [18] = "enc-aes256-sha1",
	[19] = "enc-aes128-sha256", [20] = "enc-aes256-sha384",
};

static gss_OID_desc krb5_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};

struct mit_pair {
	gss_ctx_id_t ini;
	gss_ctx_id_t acc;
};

/* Establishes a context, alice to the enctype's single-enctype service. */
static int establish(struct __test_metadata *_metadata, unsigned int et,
		     int mutual, struct mit_pair *p)
{
	char ccache[64], name[512];
	gss_key_value_element_desc ie[2] = {
		{ "client_keytab", alice_kt }, { "ccache", ccache },
	}, ae[1] = { { "keytab", system_kt } };
	gss_key_value_set_desc istore = { 2, ie }, astore = { 1, ae };
	gss_buffer_desc nb, in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
	gss_name_t client = GSS_C_NO_NAME, target = GSS_C_NO_NAME;
	OM_uint32 maj, min, aminor, flags = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |
		GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG |
		(mutual ? GSS_C_MUTUAL_FLAG : 0);
	krb5_enctype etype = et;
	int legs = 0, ret = -1;
	OM_uint32 imaj = GSS_S_CONTINUE_NEEDED, amaj = GSS_S_CONTINUE_NEEDED;

	p->ini = p->acc = GSS_C_NO_CONTEXT;
	snprintf(ccache, sizeof(ccache), "MEMORY:kc%d-%u-%d", getpid(), et,
		 mutual);
	snprintf(name, sizeof(name), "alice@%s", realm);
	nb = (gss_buffer_desc){ strlen(name), name };
	maj = gss_import_name(&min, &nb, GSS_KRB5_NT_PRINCIPAL_NAME, &client);
	ASSERT_EQ(GSS_S_COMPLETE, maj);
	snprintf(name, sizeof(name), "%s/%s@%s", service[et], host, realm);
	nb = (gss_buffer_desc){ strlen(name), name };
	maj = gss_import_name(&min, &nb, GSS_KRB5_NT_PRINCIPAL_NAME, &target);
	ASSERT_EQ(GSS_S_COMPLETE, maj);
	maj = gss_acquire_cred_from(&min, client, GSS_C_INDEFINITE,
				    GSS_C_NO_OID_SET, GSS_C_INITIATE, &istore,
				    &icred, NULL, NULL);
	ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("initiator cred: %u", min);
	/*
	 * Only this enctype: else the acceptor subkey takes the strongest
	 * enctype the initiator offers (RFC 4537), whatever the ticket's.
	 */
	maj = gss_krb5_set_allowable_enctypes(&min, icred, 1, &etype);
	ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("allowable enctypes: %u", min);
	maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				    GSS_C_NO_OID_SET, GSS_C_ACCEPT, &astore,
				    &acred, NULL, NULL);
	ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("acceptor cred: %u", min);
	while (legs++ < 4 && (imaj == GSS_S_CONTINUE_NEEDED ||
			      amaj == GSS_S_CONTINUE_NEEDED)) {
		if (imaj == GSS_S_CONTINUE_NEEDED) {
			imaj = gss_init_sec_context(&min, icred, &p->ini,
						    target, &krb5_oid, flags,
						    0, NULL, &in, NULL, &out,
						    NULL, NULL);
			gss_release_buffer(&aminor, &in);
			if (GSS_ERROR(imaj))
				break;
		}
		if (!out.length)
			continue;
		amaj = gss_accept_sec_context(&min, &p->acc, acred, &out,
					      NULL, NULL, NULL, &in, NULL,
					      NULL, NULL);
		gss_release_buffer(&aminor, &out);
		if (GSS_ERROR(amaj))
			break;
	}
	gss_release_buffer(&aminor, &in);
	EXPECT_EQ(GSS_S_COMPLETE, imaj) TH_LOG("init: %#x %u", imaj, min);
	EXPECT_EQ(GSS_S_COMPLETE, amaj) TH_LOG("accept: %#x %u", amaj, min);
	if (imaj == GSS_S_COMPLETE && amaj == GSS_S_COMPLETE)
		ret = 0;
	gss_release_cred(&min, &icred);
	gss_release_cred(&min, &acred);
	gss_release_name(&min, &client);
	gss_release_name(&min, &target);
	return ret;
}

FIXTURE(mit) {
	struct mit_pair p;
	gss_ctx_id_t peer;	/* the side that stays with MIT */
	int fd;
	uint64_t send_seq;	/* the kernel side's next sequence number */
	uint64_t recv_seq;	/* the one it expects of MIT */
	unsigned int et;
	int subkey;
};

FIXTURE_VARIANT(mit) {
	unsigned int et;
	int mutual;
	int kernel_initiates;
};

#define MIT_VARIANT(e, m, k)						\
	FIXTURE_VARIANT_ADD(mit, e##_##m##_##k) {			\
		.et = e, .mutual = !strcmp(#m, "mutual"),		\
		.kernel_initiates = !strcmp(#k, "kernel_initiator"),	\
	}
#define MIT_VARIANTS(e)							\
	MIT_VARIANT(e, mutual, kernel_initiator);			\
	MIT_VARIANT(e, mutual, kernel_acceptor);			\
	MIT_VARIANT(e, nomutual, kernel_initiator);			\
	MIT_VARIANT(e, nomutual, kernel_acceptor)
MIT_VARIANTS(17);
MIT_VARIANTS(18);
MIT_VARIANTS(19);
MIT_VARIANTS(20);

FIXTURE_SETUP(mit)
{
	gss_krb5_lucid_context_v1_t *l;
	gss_krb5_lucid_key_t *key;
	gss_ctx_id_t *mine;
	OM_uint32 maj, min;
	void *lucid = NULL;
	char *k, *ans;

	ASSERT_EQ(0, setup_error) TH_LOG("setup: %s", strerror(setup_error));
	self->fd = -1;
	ASSERT_EQ(0, establish(_metadata, variant->et, variant->mutual,
			       &self->p));
	mine = variant->kernel_initiates ? &self->p.ini : &self->p.acc;
	self->peer = variant->kernel_initiates ? self->p.acc : self->p.ini;
	maj = gss_krb5_export_lucid_sec_context(&min, mine, 1, &lucid);
	ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("export lucid: %u", min);
	l = lucid;
	ASSERT_EQ(1, l->protocol);
	ASSERT_EQ(!!variant->kernel_initiates, !!l->initiate);
	self->subkey = l->cfx_kd.have_acceptor_subkey;
	/* MIT's acceptor sends a subkey exactly when it sends an AP-REP. */
	EXPECT_EQ(variant->mutual, self->subkey);
	key = self->subkey ? &l->cfx_kd.acceptor_subkey : &l->cfx_kd.ctx_key;
	ASSERT_EQ(variant->et, key->type);
	self->et = key->type;
	self->send_seq = l->send_seq;
	self->recv_seq = l->recv_seq;
	self->fd = open(CMD, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	k = hex(key->data, key->length, 1);
	ans = kcmd(self->fd, "ctx %u %d %s", key->type,
		   (l->initiate ? 1 : 0) | (self->subkey ? 2 : 0), k);
	free(k);
	gss_krb5_free_lucid_sec_context(&min, lucid);
	EXPECT_STREQ("ok\n", ans);
	free(ans);
}

FIXTURE_TEARDOWN(mit)
{
	OM_uint32 min;

	if (self->fd >= 0)
		close(self->fd);
	gss_delete_sec_context(&min, &self->p.ini, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&min, &self->p.acc, GSS_C_NO_BUFFER);
}

static const size_t mit_sizes[] = { 0, 1, 17, 1000, 16385, 65535 };

/* The plaintext of an "ok CONF SEQ DATA" answer matches, with CONF, SEQ. */
static int check_unwrap(struct __test_metadata *_metadata, const char *ans,
			int conf, uint64_t seq, const void *msg, size_t len)
{
	unsigned char *plain;
	size_t plen;
	int ok;

	EXPECT_EQ(0, strncmp(ans, "ok ", 3)) TH_LOG("%.80s", ans);
	if (strncmp(ans, "ok ", 3))
		return -1;
	EXPECT_EQ(conf, atoi(nth(ans, 1)));
	EXPECT_EQ(seq, strtoull(nth(ans, 2), NULL, 10));
	plain = unhex(nth(ans, 3), &plen);
	ok = plen == len && !memcmp(plain, msg, len);
	EXPECT_TRUE(ok) TH_LOG("plaintext differs (%zu of %zu bytes)", plen,
			       len);
	free(plain);
	return ok ? 0 : -1;
}

TEST_F_TIMEOUT(mit, mit_to_kernel, 600)
{
	unsigned char so1[7] = "signed", so2[9] = "readonly";
	uint64_t seq = self->recv_seq;
	OM_uint32 maj, min;
	unsigned int s;
	int conf;

	for (s = 0; s < sizeof(mit_sizes) / sizeof(mit_sizes[0]); s++) {
		size_t len = mit_sizes[s];
		unsigned char *msg = malloc(len + 1);
		gss_buffer_desc in = { len, msg }, tok;
		gss_iov_buffer_desc iov[6];
		char *m, *t, *h, *a1, *a2, *tr, *ans;

		ASSERT_NE(NULL, msg);
		for (size_t i = 0; i < len; i++)
			msg[i] = (unsigned char)(i * 7 + s);
		m = hex(msg, len, 1);

		/* MIC */
		maj = gss_get_mic(&min, self->peer, 0, &in, &tok);
		ASSERT_EQ(GSS_S_COMPLETE, maj);
		t = hex(tok.value, tok.length, 1);
		ans = kcmd(self->fd, "verify_mic %s %s", m, t);
		EXPECT_EQ(0, strncmp(ans, "ok ", 3)) TH_LOG("MIC %zu: %s", len, ans);
		EXPECT_EQ(seq, strtoull(nth(ans, 1), NULL, 10));
		seq++;
		free(ans);
		free(t);
		gss_release_buffer(&min, &tok);

		/* gss_wrap, sealed and not: a STREAM */
		for (conf = 1; conf >= 0; conf--) {
			maj = gss_wrap(&min, self->peer, conf, 0, &in, NULL, &tok);
			ASSERT_EQ(GSS_S_COMPLETE, maj);
			t = hex(tok.value, tok.length, 1);
			ans = kcmd(self->fd, "unwrap_stream %s", t);
			EXPECT_EQ(0, check_unwrap(_metadata, ans, conf, seq++,
						  msg, len))
				TH_LOG("gss_wrap conf %d, %zu bytes", conf, len);
			free(ans);
			free(t);
			gss_release_buffer(&min, &tok);
		}

		/* gss_wrap_iov HEADER + DATA + PADDING: RRC, data in place */
		memset(iov, 0, sizeof(iov));
		iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER |
			      GSS_IOV_BUFFER_FLAG_ALLOCATE;
		iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
		iov[1].buffer = (gss_buffer_desc){ len, malloc(len + 1) };
		memcpy(iov[1].buffer.value, msg, len);
		iov[2].type = GSS_IOV_BUFFER_TYPE_PADDING |
			      GSS_IOV_BUFFER_FLAG_ALLOCATE;
		maj = gss_wrap_iov(&min, self->peer, 1, 0, NULL, iov, 3);
		ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("wrap_iov: %u", min);
		h = hex(iov[0].buffer.value, iov[0].buffer.length, 1);
		t = hex(iov[1].buffer.value, len, 1);
		ans = kcmd(self->fd, "unwrap %s - %s - -", h, t);
		EXPECT_EQ(0, check_unwrap(_metadata, ans, 1, seq++, msg, len))
			TH_LOG("gss_wrap_iov without TRAILER, %zu bytes", len);
		free(ans);
		free(h);
		free(t);
		free(iov[1].buffer.value);
		gss_release_iov_buffer(&min, iov, 3);

		/* with SIGN_ONLY pieces and a TRAILER, sealed and not */
		for (conf = 1; conf >= 0; conf--) {
			memset(iov, 0, sizeof(iov));
			iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER |
				      GSS_IOV_BUFFER_FLAG_ALLOCATE;
			iov[1].type = GSS_IOV_BUFFER_TYPE_SIGN_ONLY;
			iov[1].buffer = (gss_buffer_desc){ sizeof(so1), so1 };
			iov[2].type = GSS_IOV_BUFFER_TYPE_DATA;
			iov[2].buffer = (gss_buffer_desc){ len, malloc(len + 1) };
			memcpy(iov[2].buffer.value, msg, len);
			iov[3].type = GSS_IOV_BUFFER_TYPE_SIGN_ONLY;
			iov[3].buffer = (gss_buffer_desc){ sizeof(so2), so2 };
			iov[4].type = GSS_IOV_BUFFER_TYPE_PADDING |
				      GSS_IOV_BUFFER_FLAG_ALLOCATE;
			iov[5].type = GSS_IOV_BUFFER_TYPE_TRAILER |
				      GSS_IOV_BUFFER_FLAG_ALLOCATE;
			maj = gss_wrap_iov(&min, self->peer, conf, 0, NULL, iov, 6);
			ASSERT_EQ(GSS_S_COMPLETE, maj) TH_LOG("wrap_iov: %u", min);
			h = hex(iov[0].buffer.value, iov[0].buffer.length, 1);
			t = hex(iov[2].buffer.value, len, 1);
			tr = hex(iov[5].buffer.value, iov[5].buffer.length, 1);
			a1 = hex(so1, sizeof(so1), 1);
			a2 = hex(so2, sizeof(so2), 1);
			ans = kcmd(self->fd, "unwrap %s %s %s %s %s", h, a1, t, a2,
				   tr);
			EXPECT_EQ(0, check_unwrap(_metadata, ans, conf, seq++,
						  msg, len))
				TH_LOG("SIGN_ONLY + TRAILER, conf %d, %zu bytes",
				       conf, len);
			free(ans);
			/* A SIGN_ONLY piece changed is caught. */
			so1[0] ^= 1;
			free(a1);
			a1 = hex(so1, sizeof(so1), 1);
			so1[0] ^= 1;
			ans = kcmd(self->fd, "unwrap %s %s %s %s %s", h, a1, t, a2,
				   tr);
			EXPECT_STREQ("err -74\n", ans) TH_LOG("SIGN_ONLY changed");
			free(ans);
			free(a1);
			free(a2);
			free(h);
			free(t);
			free(tr);
			free(iov[2].buffer.value);
			gss_release_iov_buffer(&min, iov, 6);
		}
		free(m);
		free(msg);
	}
}

/* "ok HEADER DATA TRAILER|-" into one buffer: header, data, trailer. */
static unsigned char *join3(const char *ans, size_t *hl, size_t *dl,
			    size_t *tl)
{
	unsigned char *h = unhex(nth(ans, 1), hl), *d = unhex(nth(ans, 2), dl);
	unsigned char *t = unhex(nth(ans, 3), tl);
	unsigned char *all = malloc(*hl + *dl + *tl + 1);

	if (!all)
		abort();
	memcpy(all, h, *hl);
	memcpy(all + *hl, d, *dl);
	memcpy(all + *hl + *dl, t, *tl);
	free(h);
	free(d);
	free(t);
	return all;
}

TEST_F_TIMEOUT(mit, kernel_to_mit, 600)
{
	unsigned char so1[7] = "signed", so2[9] = "readonly";
	uint64_t seq = self->send_seq;
	OM_uint32 maj, min;
	gss_qop_t qop;
	unsigned int s;
	int conf, state;

	for (s = 0; s < sizeof(mit_sizes) / sizeof(mit_sizes[0]); s++) {
		size_t len = mit_sizes[s], hl, dl, tl;
		unsigned char *msg = malloc(len + 1), *tok;
		gss_buffer_desc in = { len, msg }, tb, out;
		static const char *const lay[] = { "trailer", "dce" };
		gss_iov_buffer_desc iov[5];
		char *m, *a1, *a2, *ans;
		unsigned int l;

		ASSERT_NE(NULL, msg);
		for (size_t i = 0; i < len; i++)
			msg[i] = (unsigned char)(i * 5 + s);
		m = hex(msg, len, 1);

		/* MIC */
		ans = kcmd(self->fd, "get_mic %llu %s", (unsigned long long)seq++,
			   m);
		ASSERT_EQ(0, strncmp(ans, "ok ", 3)) TH_LOG("%s", ans);
		tok = unhex(nth(ans, 1), &tl);
		tb = (gss_buffer_desc){ tl, tok };
		maj = gss_verify_mic(&min, self->peer, &in, &tb, &qop);
		EXPECT_EQ(GSS_S_COMPLETE, maj) TH_LOG("verify_mic %zu: %#x %u",
						      len, maj, min);
		free(tok);
		free(ans);

		/* Wrap tokens, as gss_unwrap() takes them (RRC for "dce") */
		for (l = 0; l < 2; l++)
			for (conf = 1; conf >= 0; conf--) {
				ans = kcmd(self->fd, "wrap %llu %d %s - %s -",
					   (unsigned long long)seq++, conf,
					   lay[l], m);
				ASSERT_EQ(0, strncmp(ans, "ok ", 3))
					TH_LOG("%s", ans);
				tok = join3(ans, &hl, &dl, &tl);
				tb = (gss_buffer_desc){ hl + dl + tl, tok };
				maj = gss_unwrap(&min, self->peer, &tb, &out,
						 &state, &qop);
				EXPECT_EQ(GSS_S_COMPLETE, maj)
					TH_LOG("gss_unwrap %s conf %d %zu: %#x %u",
					       lay[l], conf, len, maj, min);
				if (maj == GSS_S_COMPLETE) {
					EXPECT_EQ(conf, state);
					EXPECT_EQ(len, out.length);
					EXPECT_EQ(0, memcmp(out.value, msg, len));
					gss_release_buffer(&min, &out);
				}
				free(tok);
				free(ans);
			}

		/* SIGN_ONLY pieces, HEADER + TRAILER: gss_unwrap_iov() */
		a1 = hex(so1, sizeof(so1), 1);
		a2 = hex(so2, sizeof(so2), 1);
		for (conf = 1; conf >= 0; conf--) {
			unsigned char *h, *d, *t;

			ans = kcmd(self->fd, "wrap %llu %d trailer %s %s %s",
				   (unsigned long long)seq++, conf, a1, m, a2);
			ASSERT_EQ(0, strncmp(ans, "ok ", 3)) TH_LOG("%s", ans);
			h = unhex(nth(ans, 1), &hl);
			d = unhex(nth(ans, 2), &dl);
			t = unhex(nth(ans, 3), &tl);
			memset(iov, 0, sizeof(iov));
			iov[0] = (gss_iov_buffer_desc){ GSS_IOV_BUFFER_TYPE_HEADER,
							{ hl, h } };
			iov[1] = (gss_iov_buffer_desc){
				GSS_IOV_BUFFER_TYPE_SIGN_ONLY, { sizeof(so1), so1 } };
			iov[2] = (gss_iov_buffer_desc){ GSS_IOV_BUFFER_TYPE_DATA,
							{ dl, d } };
			iov[3] = (gss_iov_buffer_desc){
				GSS_IOV_BUFFER_TYPE_SIGN_ONLY, { sizeof(so2), so2 } };
			iov[4] = (gss_iov_buffer_desc){ GSS_IOV_BUFFER_TYPE_TRAILER,
							{ tl, t } };
			maj = gss_unwrap_iov(&min, self->peer, &state, &qop, iov, 5);
			EXPECT_EQ(GSS_S_COMPLETE, maj)
				TH_LOG("gss_unwrap_iov conf %d %zu: %#x %u", conf,
				       len, maj, min);
			EXPECT_EQ(conf, state);
			EXPECT_EQ(len, dl);
			EXPECT_EQ(0, memcmp(d, msg, len));
			free(h);
			free(d);
			free(t);
			free(ans);
		}
		free(a1);
		free(a2);
		free(m);
		free(msg);
	}
}

TEST_HARNESS_MAIN
