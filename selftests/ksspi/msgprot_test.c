// SPDX-License-Identifier: GPL-2.0
/*
 * Message protection end to end: MakeSignature, VerifySignature,
 * EncryptMessage and DecryptMessage on kerberos and negotiate contexts
 * against MIT's userspace GSS-API on the peer context (build/gss-peer
 * --msg), for every enctype the fixture KDC issues, with ksspi on either
 * side of the context.  Interop both ways (sizes 0 B to 64 KiB, sealed
 * and integrity only), tampering, replays and reordering, truncation,
 * malformed buffer arrays, SIZES, concurrency, expiry.
 *
 * Needs the fixture realm (selftests/krb5/kdc-setup) and the real helper;
 * run in the VM as root.  See Documentation/userspace-api/ksspi-messages.rst.
 */
#include "krb5_e2e.h"

#include <sys/mman.h>

#define ISC_BASE	(ISC_REQ_REPLAY_DETECT |			\
			 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY | \
			 ISC_REQ_INTEGRITY)
#define ASC_BASE	(ASC_REQ_REPLAY_DETECT |			\
			 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY | \
			 ASC_REQ_INTEGRITY)
#define BIG		(1U << 17)

static const uint32_t sizes[] = {
	0, 1, 15, 16, 17, 31, 64, 1000, 1023, 1024, 4097, 16384, 65535, 65536,
};

/*
 * KSSPI_SUITE_QUICK=1 (make check-debug sets it: the debug kernel is several
 * times slower): every other size, still 0 B to 64 KiB with odd lengths.
 * The production-kernel run covers them all.
 */
static unsigned int size_step(void)
{
	const char *q = getenv("KSSPI_SUITE_QUICK");

	return q && atoi(q) ? 2 : 1;
}

/* Checksum length of each enctype (RFC 3962, RFC 8009). */
static uint32_t cksum_len(uint32_t enctype)
{
	switch (enctype) {
	case 17:
	case 18:
		return 12;
	case 19:
		return 16;
	case 20:
		return 24;
	}
	return 0;
}

FIXTURE(msg) {
	char dir[PATH_MAX];
	char cc[PATH_MAX + 32];
	char peer_out[PATH_MAX + 16];
	int dev;
	int ctx;
	int sock;
	pid_t peer;
	uint32_t flags;
	uint32_t enctype;	/* of the established context */
	uint8_t *a, *b, *c;	/* BIG each */
};

/*
 * Without mutual authentication the context key is the ticket's session
 * key, whose enctype the service dictates (session_enctypes); with it the
 * acceptor sends a subkey of the enctype it negotiates (RFC 4537), and
 * tokens carry the AcceptorSubkey flag.
 */
FIXTURE_VARIANT(msg) {
	const char *package;
	const char *service;
	uint32_t enctype;	/* 0: any (the negotiated subkey) */
	bool ksspi_init;	/* ksspi initiates, MIT accepts */
	bool mutual;
};

#define V(pkg, svc, et, side, init)					\
	FIXTURE_VARIANT_ADD(msg, pkg##_##svc##_##side) {		\
		.package = #pkg,					\
		.service = "enc-" #svc,					\
		.enctype = et,						\
		.ksspi_init = init,					\
	}
#define VM(pkg, side, init)						\
	FIXTURE_VARIANT_ADD(msg, pkg##_subkey_##side) {			\
		.package = #pkg,					\
		.service = "enc-aes128-sha256",				\
		.ksspi_init = init,					\
		.mutual = true,						\
	}

V(kerberos, aes128_sha1, 17, init, true);
V(kerberos, aes256_sha1, 18, init, true);
V(kerberos, aes128_sha256, 19, init, true);
V(kerberos, aes256_sha384, 20, init, true);
V(kerberos, aes128_sha1, 17, accept, false);
V(kerberos, aes256_sha1, 18, accept, false);
V(kerberos, aes128_sha256, 19, accept, false);
V(kerberos, aes256_sha384, 20, accept, false);
VM(kerberos, init, true);
VM(kerberos, accept, false);

/* The fixture's service names use '-' where the variant names use '_'. */
static void service_name(char *buf, size_t size, const char *svc, char sep,
			 const char *host)
{
	char *p;

	snprintf(buf, size, "%s%c%s", svc, sep, host);
	for (p = buf; *p && *p != sep; p++)
		if (*p == '_')
			*p = '-';
}

static pid_t start_peer(FIXTURE_DATA(msg) *self,
			const FIXTURE_VARIANT(msg) *variant, int fd,
			bool no_sequence)
{
	char peer[PATH_MAX + 32], fdstr[16], target[NAMEBUF];
	const char *argv[16];
	pid_t pid;
	int i = 0, out;

	snprintf(peer, sizeof(peer), "%s/build/gss-peer", E.root);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	argv[i++] = peer;
	argv[i++] = variant->ksspi_init ? "accept" : "init";
	argv[i++] = "--fd";
	argv[i++] = fdstr;
	argv[i++] = "--msg";
	if (!strcmp(variant->package, "negotiate"))
		argv[i++] = "--spnego";
	if (variant->ksspi_init) {
		argv[i++] = "--keytab";
		argv[i++] = E.keytab;
	} else {
		if (variant->mutual)
			argv[i++] = "--mutual";
		if (no_sequence)
			argv[i++] = "--no-sequence";
		service_name(target, sizeof(target), variant->service, '@',
			     E.host);
		argv[i++] = target;
	}
	argv[i] = NULL;
	pid = fork();
	if (pid)
		return pid;
	out = open(self->peer_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   0600);
	if (out < 0 || dup2(out, 1) < 0)
		_exit(4);
	setenv("KRB5CCNAME", self->cc, 1);
	execv(peer, (char *const *)argv);
	_exit(127);
}

/* Establishes self->ctx with the peer; returns the final status. */
static int32_t establish(struct __test_metadata *_metadata,
			 FIXTURE_DATA(msg) *self,
			 const FIXTURE_VARIANT(msg) *variant, uint32_t req,
			 bool no_sequence)
{
	static uint8_t in[BIGTOK], out[BIGTOK];
	char target[NAMEBUF];
	int sv[2], cred, err = 0;
	uint32_t in_len = 0;
	size_t out_len;
	int32_t st;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return SEC_E_INTERNAL_ERROR;
	/* The peer's end must survive exec. */
	if (fcntl(sv[1], F_SETFD, 0))
		return SEC_E_INTERNAL_ERROR;
	self->peer = start_peer(self, variant, sv[1], no_sequence);
	close(sv[1]);
	self->sock = sv[0];
	if (self->peer < 0)
		return SEC_E_INTERNAL_ERROR;
	if (variant->mutual)
		req |= ISC_REQ_MUTUAL_AUTH;	/* == ASC_REQ_MUTUAL_AUTH */

	if (variant->ksspi_init) {
		const gid_t g[] = { STAFF_GID };

		/* Alice's handle (the helper runs as its owner), then back. */
		if (setgroups(1, g) || setresgid(ALICE_GID, ALICE_GID, 0) ||
		    setresuid(ALICE_UID, ALICE_UID, 0))
			return SEC_E_INTERNAL_ERROR;
		cred = acquire(self->dev, variant->package,
			       SECPKG_CRED_OUTBOUND, NULL, self->cc, NULL,
			       &err);
		if (setresuid(0, 0, 0) || setresgid(0, 0, 0) ||
		    setgroups(0, NULL))
			return SEC_E_INTERNAL_ERROR;
		EXPECT_LE(0, cred) {
			TH_LOG("acquire: %s", strerror(err)); }
		if (cred < 0)
			return SEC_E_NO_CREDENTIALS;
		service_name(target, sizeof(target), variant->service, '/',
			     E.host);
		for (;;) {
			out_len = sizeof(out);
			st = ksspi_initialize_security_context(cred,
					&self->ctx, target, req,
					in_len ? in : NULL, in_len, out,
					&out_len, &self->flags);
			if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
				break;
			if (out_len && send_token(self->sock, out, out_len))
				st = SEC_E_INTERNAL_ERROR;
			if (st != SEC_I_CONTINUE_NEEDED)
				break;
			if (recv_token(self->sock, in, sizeof(in), &in_len)) {
				st = SEC_E_INTERNAL_ERROR;
				break;
			}
		}
	} else {
		cred = acquire(self->dev, variant->package,
			       SECPKG_CRED_INBOUND, NULL, NULL, NULL, &err);
		EXPECT_LE(0, cred) {
			TH_LOG("acquire: %s", strerror(err)); }
		if (cred < 0)
			return SEC_E_NO_CREDENTIALS;
		for (;;) {
			if (recv_token(self->sock, in, sizeof(in), &in_len)) {
				st = SEC_E_INTERNAL_ERROR;
				break;
			}
			out_len = sizeof(out);
			st = ksspi_accept_security_context(cred, &self->ctx,
					req, in, in_len, out, &out_len,
					&self->flags);
			if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
				break;
			if (out_len && send_token(self->sock, out, out_len))
				st = SEC_E_INTERNAL_ERROR;
			if (st != SEC_I_CONTINUE_NEEDED)
				break;
		}
	}
	close(cred);
	if (st == SEC_E_OK) {
		uint8_t key[64];

		/* A last token the finished side does not need, then ready. */
		do {
			if (recv_token(self->sock, in, sizeof(in), &in_len))
				return SEC_E_INTERNAL_ERROR;
		} while (in_len != 16 || memcmp(in, "KSSPI-MSG-READY!", 16));

		if (ksspi_query_session_key(self->ctx, key, sizeof(key),
					    &self->enctype) <= 0)
			return SEC_E_INTERNAL_ERROR;
	}
	return st;
}

/* ---- talking to the peer --------------------------------------------------- */

/* One request of up to three pieces. */
static int peer_send(int sock, uint8_t op, const void *a, uint32_t alen,
		     const void *b, uint32_t blen)
{
	uint32_t len = 1 + alen + blen;

	if (write_full(sock, &len, 4) || write_full(sock, &op, 1) ||
	    (alen && write_full(sock, a, alen)) ||
	    (blen && write_full(sock, b, blen)))
		return -1;
	return 0;
}

/* An answer: the major status, and the rest into @buf. */
static int peer_recv(int sock, uint32_t *major, uint8_t *buf, uint32_t size,
		     uint32_t *len)
{
	uint32_t n;

	if (read_full(sock, &n, 4) || n < 4 || n - 4 > size ||
	    read_full(sock, major, 4))
		return -1;
	*len = n - 4;
	return *len ? read_full(sock, buf, *len) : 0;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

/* MIT seals or signs @len bytes of pattern @seed; the token into @tok. */
static uint32_t mit_make(struct __test_metadata *_metadata, int sock,
			 uint8_t op, int conf, uint32_t len, uint32_t seed,
			 uint8_t *tok)
{
	static uint8_t req[BIG];
	uint32_t major = 1, tlen = 0;

	if (op == 'm') {
		fill(req, len, seed);
		EXPECT_EQ(0, peer_send(sock, 'm', req, len, NULL, 0));
	} else {
		req[0] = conf;
		fill(req + 1, len, seed);
		EXPECT_EQ(0, peer_send(sock, op, req, len + 1, NULL, 0));
	}
	EXPECT_EQ(0, peer_recv(sock, &major, tok, BIG, &tlen));
	EXPECT_EQ(0, major);
	return tlen;
}

static int32_t decrypt_stream(int ctx, uint8_t *tok, uint32_t tlen,
			      uint8_t **data, uint32_t *dlen, uint32_t *qop)
{
	struct ksspi_sec_buffer b[2] = {
		{ SECBUFFER_STREAM, tlen, (uintptr_t)tok },
		{ SECBUFFER_DATA, 0, 0 },
	};
	int32_t st = ksspi_decrypt_message(ctx, b, 2, 0, qop);

	*data = (uint8_t *)(uintptr_t)b[1].data;
	*dlen = b[1].len;
	return st;
}

static int32_t verify(int ctx, uint8_t *data, uint32_t dlen, uint8_t *tok,
		      uint32_t tlen)
{
	struct ksspi_sec_buffer b[2] = {
		{ SECBUFFER_DATA, dlen, (uintptr_t)data },
		{ SECBUFFER_TOKEN, tlen, (uintptr_t)tok },
	};
	uint32_t qop = 7;
	int32_t st = ksspi_verify_signature(ctx, b, 2, 0, &qop);

	return st == SEC_E_OK && qop ? SEC_E_INTERNAL_ERROR : st;
}

#define ASSERT_SEC(want, got) do {					\
	int32_t _got = (got);						\
	ASSERT_EQ(want, _got) {						\
		TH_LOG("status %s (0x%08x), errno %d", ksspi_status_string(_got), \
		       _got, errno);					\
	}								\
} while (0)

#define EXPECT_SEC(want, got) do {					\
	int32_t _got = (got);						\
	EXPECT_EQ(want, _got) {						\
		TH_LOG("status %s (0x%08x), errno %d", ksspi_status_string(_got), \
		       _got, errno);					\
	}								\
} while (0)

static void msgfx_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(msg) *self, const char *name,
		      krb5_deltat lifetime)
{
	self->ctx = -1;
	self->sock = -1;
	self->peer = -1;
	self->dev = -1;
	e2e_setup(_metadata, name);
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->cc, sizeof(self->cc), "FILE:%s/alice.cc", self->dir);
	snprintf(self->peer_out, sizeof(self->peer_out), "%s/peer.out",
		 self->dir);
	ASSERT_EQ(0, alice_kinit(self->cc, lifetime, NULL));
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
	self->a = malloc(BIG);
	self->b = malloc(BIG);
	self->c = malloc(BIG);
	ASSERT_TRUE(self->a && self->b && self->c);
}

static void msgfx_teardown(struct __test_metadata *_metadata,
			 FIXTURE_DATA(msg) *self)
{
	int st;

	if (self->sock >= 0) {
		peer_send(self->sock, 'q', NULL, 0, NULL, 0);
		close(self->sock);
	}
	if (self->peer > 0) {
		EXPECT_EQ(self->peer, waitpid(self->peer, &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			char text[1024] = "";

			read_small(self->peer_out, text, sizeof(text));
			TH_LOG("gss-peer: status %#x: %s", st, text);
		}
	}
	if (self->ctx >= 0)
		close(self->ctx);
	if (self->dev >= 0)
		close(self->dev);
	free(self->a);
	free(self->b);
	free(self->c);
	rm_tree(self->dir);
	e2e_time(_metadata);
}

FIXTURE_SETUP(msg)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_%s_%s%s", variant->package,
		 variant->service, variant->ksspi_init ? "init" : "accept",
		 variant->mutual ? "_mutual" : "");
	msgfx_setup(_metadata, self, name, 0);
}

FIXTURE_TEARDOWN(msg)
{
	msgfx_teardown(_metadata, self);
}

static uint32_t base_req(const FIXTURE_VARIANT(msg) *variant)
{
	return variant->ksspi_init ? ISC_BASE : ASC_BASE;
}

/* The context has the enctype the service allows, and says so. */
static void check_context(struct __test_metadata *_metadata,
			  FIXTURE_DATA(msg) *self,
			  const FIXTURE_VARIANT(msg) *variant)
{
	if (variant->enctype) {
		ASSERT_EQ(variant->enctype, self->enctype);
	} else {
		ASSERT_NE(0, cksum_len(self->enctype));
	}
	ASSERT_TRUE(self->flags & (variant->ksspi_init ? ISC_RET_INTEGRITY :
							 ASC_RET_INTEGRITY));
	ASSERT_TRUE(self->flags & (variant->ksspi_init ?
				   ISC_RET_CONFIDENTIALITY :
				   ASC_RET_CONFIDENTIALITY));
}

/* MIT -> ksspi: gss_wrap (both kinds), gss_wrap_iov, gss_get_mic. */
static void mit_to_ksspi(struct __test_metadata *_metadata,
                         FIXTURE_DATA(msg) *self,
                         const FIXTURE_VARIANT(msg) *variant)
{
	uint32_t i, tlen, dlen, qop, seed = 0;
	uint8_t *data;
	int conf;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	check_context(_metadata, self, variant);
	for (i = 0; i < ARRAY_SIZE(sizes); i += size_step()) {
		for (conf = 0; conf <= 1; conf++) {
			/* A whole token in a stream buffer. */
			tlen = mit_make(_metadata, self->sock, 'w', conf,
					sizes[i], ++seed, self->a);
			ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a,
							    tlen, &data,
							    &dlen, &qop));
			ASSERT_EQ(sizes[i], dlen);
			ASSERT_EQ(conf ? 0 : SECQOP_WRAP_NO_ENCRYPT, qop);
			fill(self->b, sizes[i], seed);
			ASSERT_EQ(0, memcmp(self->b, data, dlen))
				TH_LOG("size %u conf %d", sizes[i], conf);

			/* gss_wrap_iov without a trailer: TOKEN + DATA. */
			tlen = mit_make(_metadata, self->sock, 'i', conf,
					sizes[i], ++seed, self->a);
			{
				uint32_t hl;
				struct ksspi_sec_buffer b[2];

				memcpy(&hl, self->a, 4);
				ASSERT_EQ(tlen, 4 + hl + sizes[i]);
				b[0] = (struct ksspi_sec_buffer){
					SECBUFFER_TOKEN, hl,
					(uintptr_t)(self->a + 4) };
				b[1] = (struct ksspi_sec_buffer){
					SECBUFFER_DATA, sizes[i],
					(uintptr_t)(self->a + 4 + hl) };
				qop = 7;
				ASSERT_SEC(SEC_E_OK, ksspi_decrypt_message(
						   self->ctx, b, 2, 0, &qop));
				ASSERT_EQ(conf ? 0 : SECQOP_WRAP_NO_ENCRYPT,
					  qop);
				ASSERT_EQ(sizes[i], b[1].len);
				fill(self->b, sizes[i], seed);
				ASSERT_EQ(0, memcmp(self->b, self->a + 4 + hl,
						    sizes[i]));
			}
		}
		/* gss_get_mic */
		tlen = mit_make(_metadata, self->sock, 'm', 0, sizes[i],
				++seed, self->a);
		fill(self->b, sizes[i], seed);
		ASSERT_SEC(SEC_E_OK, verify(self->ctx, self->b, sizes[i],
					    self->a, tlen));
	}
}

/* ksspi -> MIT: EncryptMessage (both kinds) and MakeSignature. */
static void ksspi_to_mit(struct __test_metadata *_metadata,
                         FIXTURE_DATA(msg) *self,
                         const FIXTURE_VARIANT(msg) *variant)
{
	struct ksspi_context_info ci = {
		.mask = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
			KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES),
	};
	uint32_t i, major, len, ck;
	int conf;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	check_context(_metadata, self, variant);
	ck = cksum_len(self->enctype);
	ASSERT_EQ(0, ksspi_query_context(self->ctx, &ci));
	ASSERT_EQ(KSSPI_ATTR(SECPKG_ATTR_SIZES) |
		  KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES), ci.mask);
	ASSERT_EQ(16 + ck, ci.max_signature);
	ASSERT_EQ(16 + 16 + 16 + ck, ci.security_trailer);
	ASSERT_EQ(ci.security_trailer, ci.stream_header);
	ASSERT_EQ(0, ci.stream_trailer);
	ASSERT_EQ(2, ci.stream_buffers);
	ASSERT_LE(1, ci.block_size);
	ASSERT_EQ(KSSPI_MESSAGE_MAX - ci.stream_header, ci.stream_max_message);

	for (i = 0; i < ARRAY_SIZE(sizes); i += size_step()) {
		for (conf = 0; conf <= 1; conf++) {
			struct ksspi_sec_buffer b[3] = {
				{ SECBUFFER_TOKEN, ci.security_trailer,
				  (uintptr_t)self->a },
				{ SECBUFFER_DATA, sizes[i],
				  (uintptr_t)(self->a + ci.security_trailer) },
				{ SECBUFFER_PADDING, 16, (uintptr_t)self->c },
			};
			uint8_t *data = self->a + ci.security_trailer;

			fill(data, sizes[i], i * 2 + conf);
			ASSERT_SEC(SEC_E_OK, ksspi_encrypt_message(self->ctx,
					conf ? 0 : SECQOP_WRAP_NO_ENCRYPT,
					b, 3, 0));
			ASSERT_EQ(conf ? ci.security_trailer : 16 + ck,
				  b[0].len);
			ASSERT_EQ(sizes[i], b[1].len);
			ASSERT_EQ(0, b[2].len);
			fill(self->b, sizes[i], i * 2 + conf);
			if (conf && sizes[i] >= 16)
				EXPECT_NE(0, memcmp(self->b, data, sizes[i]));
			/* TOKEN || DATA is a gss_wrap token (RRC set). */
			ASSERT_EQ(0, peer_send(self->sock, 'u', self->a,
					       b[0].len, data, sizes[i]));
			ASSERT_EQ(0, peer_recv(self->sock, &major, self->c,
					       BIG, &len));
			ASSERT_EQ(0, major) {
			TH_LOG("size %u conf %d",
						   sizes[i], conf); }
			ASSERT_EQ(1 + sizes[i], len);
			ASSERT_EQ(conf, self->c[0]);
			ASSERT_EQ(0, memcmp(self->b, self->c + 1, sizes[i]));
		}
		{
			struct ksspi_sec_buffer b[2] = {
				{ SECBUFFER_DATA, sizes[i], (uintptr_t)self->b },
				{ SECBUFFER_TOKEN, 64, (uintptr_t)self->a },
			};
			uint32_t n = sizes[i];

			fill(self->b, n, 99 + i);
			ASSERT_SEC(SEC_E_OK, ksspi_make_signature(self->ctx, 0,
								  b, 2, 0));
			ASSERT_EQ(ci.max_signature, b[1].len);
			memcpy(self->c, &n, 4);
			memcpy(self->c + 4, self->b, n);
			memcpy(self->c + 4 + n, self->a, b[1].len);
			ASSERT_EQ(0, peer_send(self->sock, 'v', self->c,
					       4 + n + b[1].len, NULL, 0));
			ASSERT_EQ(0, peer_recv(self->sock, &major, self->c,
					       BIG, &len));
			ASSERT_EQ(0, major) {
			TH_LOG("MIC size %u", n); }
		}
	}
}

/* Every byte of a token flipped once: SEC_E_MESSAGE_ALTERED, no damage. */
static void tamper(struct __test_metadata *_metadata,
                   FIXTURE_DATA(msg) *self,
                   const FIXTURE_VARIANT(msg) *variant)
{
	uint32_t tlen, dlen, qop, i, bit;
	uint8_t *data;
	int kind;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	for (kind = 0; kind < 3; kind++) {
		const uint8_t op = kind == 2 ? 'm' : 'w';

		tlen = mit_make(_metadata, self->sock, op, kind == 1, 37,
				kind, self->a);
		fill(self->b, 37, kind);
		for (i = 0; i < tlen; i++) {
			/* Once per byte, a different bit each time. */
			for (bit = i % 8; bit == i % 8; bit++) {
				memcpy(self->c, self->a, tlen);
				self->c[i] ^= 1 << bit;
				if (kind == 2)
					EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
						   verify(self->ctx, self->b,
							  37, self->c, tlen));
				else
					EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
						   decrypt_stream(self->ctx,
							self->c, tlen, &data,
							&dlen, &qop));
				if (_metadata->passed == 0)
					TH_LOG("kind %d byte %u/%u bit %u",
					       kind, i, tlen, bit);
				ASSERT_TRUE(_metadata->passed);
			}
		}
		/* The signed data altered instead. */
		if (kind == 2) {
			self->b[36] ^= 0x80;
			EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
				   verify(self->ctx, self->b, 37, self->a,
					  tlen));
			self->b[36] ^= 0x80;
			ASSERT_SEC(SEC_E_OK, verify(self->ctx, self->b, 37,
						    self->a, tlen));
		} else {
			/* None of that moved the sequence state. */
			ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a,
							    tlen, &data,
							    &dlen, &qop));
			ASSERT_EQ(37, dlen);
			ASSERT_EQ(0, memcmp(self->b, data, 37));
		}
	}

	/* Our own token reflected back at us is not the peer's. */
	{
		struct ksspi_sec_buffer b[2] = {
			{ SECBUFFER_TOKEN, 128, (uintptr_t)self->a },
			{ SECBUFFER_DATA, 40, (uintptr_t)(self->a + 128) },
		};

		ASSERT_SEC(SEC_E_OK, ksspi_encrypt_message(self->ctx, 0, b, 2,
							   0));
		memmove(self->a + b[0].len, self->a + 128, 40);
		EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
			   decrypt_stream(self->ctx, self->a, b[0].len + 40,
					  &data, &dlen, &qop));
	}
}

/* Strict order with SEQUENCE_DETECT: replays and reordering refused. */
static void sequence(struct __test_metadata *_metadata,
                     FIXTURE_DATA(msg) *self,
                     const FIXTURE_VARIANT(msg) *variant)
{
	uint32_t la, lb, lm, dlen, qop;
	uint8_t *data;
	struct ksspi_message m = {
		.count = 2,
	};
	struct ksspi_sec_buffer sb[2];

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	ASSERT_TRUE(self->flags & ISC_RET_SEQUENCE_DETECT);
	ASSERT_TRUE(self->flags & ISC_RET_REPLAY_DETECT);
	la = mit_make(_metadata, self->sock, 'w', 1, 10, 1, self->a);
	lb = mit_make(_metadata, self->sock, 'w', 1, 10, 2, self->b);
	lm = mit_make(_metadata, self->sock, 'm', 0, 10, 3, self->c + 64);
	memcpy(self->c + 1024, self->a, la);
	memcpy(self->c + 2048, self->b, lb);

	/* B before A: refused, and nothing consumed. */
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->b, lb, &data, &dlen, &qop));
	memcpy(self->b, self->c + 2048, lb);
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, la, &data,
					    &dlen, &qop));
	/* A again: a replay. */
	memcpy(self->a, self->c + 1024, la);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, la, &data, &dlen, &qop));
	/* The MIC (third) before B: out of order. */
	fill(self->c, 10, 3);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   verify(self->ctx, self->c, 10, self->c + 64, lm));
	/* The ioctl reports the token's number. */
	sb[0] = (struct ksspi_sec_buffer){ SECBUFFER_STREAM, lb,
					    (uintptr_t)self->b };
	sb[1] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, 0, 0 };
	m.buffers = (uintptr_t)sb;
	ASSERT_EQ(0, ksspi_message_ioctl(self->ctx, KSSPI_IOC_DECRYPT_MESSAGE,
					 &m));
	ASSERT_SEC(SEC_E_OK, m.status);
	ASSERT_EQ(10, sb[1].len);
	ASSERT_SEC(SEC_E_OK, verify(self->ctx, self->c, 10, self->c + 64, lm));
	/* B again. */
	memcpy(self->b, self->c + 2048, lb);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->b, lb, &data, &dlen, &qop));
}

/* REPLAY_DETECT alone: any order in a 64-token window, no replays. */
static void replay_window(struct __test_metadata *_metadata,
                          FIXTURE_DATA(msg) *self,
                          const FIXTURE_VARIANT(msg) *variant)
{
	static uint32_t len[70];
	uint32_t i, dlen, qop;
	uint8_t *data, *toks;
	uint32_t req = variant->ksspi_init ?
		       ISC_BASE & ~ISC_REQ_SEQUENCE_DETECT :
		       ASC_BASE & ~ASC_REQ_SEQUENCE_DETECT;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant, req, true));
	ASSERT_TRUE(self->flags & ISC_RET_REPLAY_DETECT);
	ASSERT_FALSE(self->flags & ISC_RET_SEQUENCE_DETECT);
	toks = calloc(70, 256);
	ASSERT_NE(NULL, toks);
	for (i = 0; i < 70; i++)
		len[i] = mit_make(_metadata, self->sock, 'w', 1, 5, i,
				  toks + i * 256);
	/* 1, then 0: both fine (reordered within the window). */
	memcpy(self->a, toks + 256, len[1]);
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, len[1], &data,
					    &dlen, &qop));
	memcpy(self->a, toks, len[0]);
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, len[0], &data,
					    &dlen, &qop));
	/* Both again: replays. */
	memcpy(self->a, toks, len[0]);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, len[0], &data, &dlen,
				  &qop));
	memcpy(self->a, toks + 256, len[1]);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, len[1], &data, &dlen,
				  &qop));
	/* 69: moves the window; 3 is now 66 behind, 5 is 64 behind. */
	memcpy(self->a, toks + 69 * 256, len[69]);
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, len[69],
					    &data, &dlen, &qop));
	memcpy(self->a, toks + 3 * 256, len[3]);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, len[3], &data, &dlen,
				  &qop));
	memcpy(self->a, toks + 5 * 256, len[5]);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, len[5], &data, &dlen,
				  &qop));
	/* 6 is 63 behind: still in the window, once. */
	memcpy(self->a, toks + 6 * 256, len[6]);
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, len[6], &data,
					    &dlen, &qop));
	memcpy(self->a, toks + 6 * 256, len[6]);
	EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
		   decrypt_stream(self->ctx, self->a, len[6], &data, &dlen,
				  &qop));
	free(toks);
}

/* Truncated input: SEC_E_INCOMPLETE_MESSAGE, and the token still works. */
static void truncated(struct __test_metadata *_metadata,
                      FIXTURE_DATA(msg) *self,
                      const FIXTURE_VARIANT(msg) *variant)
{
	uint32_t tlen, mlen, dlen, qop, cut, ck;
	uint8_t *data;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	tlen = mit_make(_metadata, self->sock, 'w', 1, 100, 5, self->a);
	mlen = mit_make(_metadata, self->sock, 'm', 0, 100, 6, self->c);
	ck = cksum_len(self->enctype);
	for (cut = 0; cut < 16 + ck; cut++) {
		memcpy(self->b, self->a, tlen);
		EXPECT_SEC(SEC_E_INCOMPLETE_MESSAGE,
			   decrypt_stream(self->ctx, self->b, cut, &data,
					  &dlen, &qop));
	}
	fill(self->b + 4096, 100, 6);
	/* Longer than the smallest token: cut and altered look alike. */
	memcpy(self->b, self->a, tlen);
	EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
		   decrypt_stream(self->ctx, self->b, tlen - 1, &data, &dlen,
				  &qop));
	for (cut = 1; cut < 16 + ck; cut++)
		EXPECT_SEC(SEC_E_INCOMPLETE_MESSAGE,
			   verify(self->ctx, self->b + 4096, 100, self->c,
				  cut));
	ASSERT_SEC(SEC_E_OK, decrypt_stream(self->ctx, self->a, tlen, &data,
					    &dlen, &qop));
	ASSERT_SEC(SEC_E_OK, verify(self->ctx, self->b + 4096, 100, self->c,
				    mlen));
}

static int msg_ioctl(int ctx, unsigned long cmd, struct ksspi_message *m)
{
	return ioctl(ctx, cmd, m) ? -errno : 0;
}

/* Malformed buffer arrays and arguments: errno or status, nothing used. */
static void bad_buffers(struct __test_metadata *_metadata,
                        FIXTURE_DATA(msg) *self,
                        const FIXTURE_VARIANT(msg) *variant)
{
	struct ksspi_context_info ci = { .mask = KSSPI_ATTR(SECPKG_ATTR_SIZES) };
	struct ksspi_sec_buffer b[KSSPI_MESSAGE_BUFFERS_MAX + 1];
	struct ksspi_message m;
	void *bad;
	int i;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	ASSERT_EQ(0, ksspi_query_context(self->ctx, &ci));
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);

#define RESET(n) do {							\
	memset(&m, 0, sizeof(m));					\
	m.size = sizeof(m);						\
	m.count = (n);							\
	m.buffers = (uintptr_t)b;					\
	b[0] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, 16,		\
					  (uintptr_t)self->b };		\
	b[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 128,		\
					  (uintptr_t)self->a };		\
} while (0)

	/* errnos: the ABI misused */
	RESET(2);
	m.flags = 1;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	m.seq_no = 1;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(0);
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(KSSPI_MESSAGE_BUFFERS_MAX + 1);
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	m.qop = 1;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_VERIFY_SIGNATURE,
				     &m));
	RESET(2);
	b[0].type = 99;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	b[1].type = SECBUFFER_TOKEN | SECBUFFER_READONLY;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	b[0].type = SECBUFFER_DATA | SECBUFFER_READONLY |
		    SECBUFFER_READONLY_WITH_CHECKSUM;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	m.size = 8;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	b[0].len = KSSPI_MESSAGE_MAX;
	EXPECT_EQ(-EMSGSIZE, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE,
				       &m));
	RESET(2);
	m.buffers = (uintptr_t)bad;
	EXPECT_EQ(-EFAULT, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	b[0].data = (uintptr_t)bad;
	EXPECT_EQ(-EFAULT, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	RESET(2);
	b[1].data = (uintptr_t)bad;
	EXPECT_EQ(-EFAULT, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_EQ(-EFAULT, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE,
				     bad));
	RESET(2);
	EXPECT_EQ(-ENOTTY, msg_ioctl(self->dev, KSSPI_IOC_MAKE_SIGNATURE, &m));

	/* statuses: the buffers do not make a message */
	RESET(1);
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_SEC(SEC_E_INVALID_TOKEN, m.status);
	RESET(3);
	b[2] = b[1];
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_SEC(SEC_E_INVALID_TOKEN, m.status);
	RESET(2);
	b[1].len = ci.max_signature - 1;
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_SEC(SEC_E_BUFFER_TOO_SMALL, m.status);
	RESET(2);
	b[1].len = ci.security_trailer - 1;
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_SEC(SEC_E_BUFFER_TOO_SMALL, m.status);
	RESET(2);
	m.qop = 0x1234;
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_SEC(SEC_E_QOP_NOT_SUPPORTED, m.status);
	RESET(2);
	m.qop = SECQOP_WRAP_NO_ENCRYPT;
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m));
	EXPECT_SEC(SEC_E_QOP_NOT_SUPPORTED, m.status);
	/* a stream with two data buffers, or with a token */
	RESET(3);
	b[1] = (struct ksspi_sec_buffer){ SECBUFFER_STREAM, 128,
					   (uintptr_t)self->a };
	b[2] = b[0];
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_DECRYPT_MESSAGE, &m));
	EXPECT_SEC(SEC_E_INVALID_TOKEN, m.status);
	RESET(3);
	b[2] = (struct ksspi_sec_buffer){ SECBUFFER_STREAM, 128,
					   (uintptr_t)self->c };
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_DECRYPT_MESSAGE, &m));
	EXPECT_SEC(SEC_E_INVALID_TOKEN, m.status);
	/* a stream to encrypt */
	RESET(2);
	b[1].type = SECBUFFER_STREAM;
	EXPECT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_ENCRYPT_MESSAGE, &m));
	EXPECT_SEC(SEC_E_INVALID_TOKEN, m.status);

	/* The first version of the query: SIZES yes, STREAM_SIZES not. */
	{
		struct ksspi_context_info old = {
			.size = KSSPI_CONTEXT_INFO_SIZE_VER0,
			.mask = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
				KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES),
		};

		ASSERT_EQ(0, ioctl(self->ctx, KSSPI_IOC_QUERY_CONTEXT, &old));
		EXPECT_EQ(KSSPI_ATTR(SECPKG_ATTR_SIZES), old.mask);
		EXPECT_EQ(ci.max_signature, old.max_signature);
		EXPECT_EQ(0, old.stream_header);
	}

	/* None of it used a sequence number: MIT verifies the next MIC. */
	for (i = 0; i < 2; i++) {
		uint32_t n = 16, major, len;

		RESET(2);
		ASSERT_EQ(0, msg_ioctl(self->ctx, KSSPI_IOC_MAKE_SIGNATURE,
				       &m));
		ASSERT_SEC(SEC_E_OK, m.status);
		ASSERT_EQ(ci.max_signature, b[1].len);
		memcpy(self->c, &n, 4);
		memcpy(self->c + 4, self->b, n);
		memcpy(self->c + 4 + n, self->a, b[1].len);
		ASSERT_EQ(0, peer_send(self->sock, 'v', self->c,
				       4 + n + b[1].len, NULL, 0));
		ASSERT_EQ(0, peer_recv(self->sock, &major, self->c, BIG,
				       &len));
		ASSERT_EQ(0, major);
	}
	munmap(bad, 4096);
#undef RESET
}

struct signer {
	int ctx;
	uint8_t *data;
	uint8_t (*tok)[64];
	uint64_t *seq;
	uint32_t *len;
	int n;
	int bad;
};

static void *sign_many(void *arg)
{
	struct signer *s = arg;
	int i;

	for (i = 0; i < s->n; i++) {
		struct ksspi_sec_buffer b[2] = {
			{ SECBUFFER_DATA, 32, (uintptr_t)s->data },
			{ SECBUFFER_TOKEN, 64, (uintptr_t)s->tok[i] },
		};
		struct ksspi_message m = {
			.count = 2,
			.buffers = (uintptr_t)b,
		};

		if (ksspi_message_ioctl(s->ctx, KSSPI_IOC_MAKE_SIGNATURE, &m) ||
		    m.status != SEC_E_OK)
			s->bad++;
		s->seq[i] = m.seq;
		s->len[i] = b[1].len;
	}
	return NULL;
}

/* Two threads signing on one context: every number once, all verify. */
static void concurrent(struct __test_metadata *_metadata,
                       FIXTURE_DATA(msg) *self,
                       const FIXTURE_VARIANT(msg) *variant)
{
	enum { N = 100 };
	static uint8_t tok[2][N][64];
	static uint64_t seq[2][N];
	static uint32_t len[2][N];
	struct signer s[2];
	pthread_t t[2];
	uint64_t lo = UINT64_MAX, want;
	uint32_t major, alen;
	int i, j, k;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, self, variant,
				       base_req(variant), false));
	fill(self->b, 32, 77);
	for (i = 0; i < 2; i++) {
		s[i] = (struct signer){ self->ctx, self->b, tok[i], seq[i],
					len[i], N, 0 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, sign_many, &s[i]));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		ASSERT_EQ(0, s[i].bad);
		for (j = 0; j < N; j++)
			lo = seq[i][j] < lo ? seq[i][j] : lo;
	}
	/* In sequence order to the peer, which detects gaps and replays. */
	for (want = lo; want < lo + 2 * N; want++) {
		int found = 0;

		for (i = 0; i < 2; i++) {
			for (j = 0; j < N; j++) {
				uint32_t n = 32;

				if (seq[i][j] != want)
					continue;
				found++;
				memcpy(self->c, &n, 4);
				memcpy(self->c + 4, self->b, n);
				memcpy(self->c + 4 + n, tok[i][j], len[i][j]);
				ASSERT_EQ(0, peer_send(self->sock, 'v',
						       self->c,
						       4 + n + len[i][j],
						       NULL, 0));
				ASSERT_EQ(0, peer_recv(self->sock, &major,
						       self->a, BIG, &alen));
				ASSERT_EQ(0, major) {
			TH_LOG("seq %llu",
						(unsigned long long)want); }
			}
		}
		k = found;
		ASSERT_EQ(1, k) {
			TH_LOG("seq %llu", (unsigned long long)want); }
	}
}

/* ---- the matrices ------------------------------------------------------------ */

TEST_F_TIMEOUT(msg, mit_to_ksspi, 300) { mit_to_ksspi(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, ksspi_to_mit, 300) { ksspi_to_mit(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, tamper, 300) { tamper(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, sequence, 300) { sequence(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, replay_window, 300) { replay_window(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, truncated, 300) { truncated(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, bad_buffers, 300) { bad_buffers(_metadata, self, variant); }
TEST_F_TIMEOUT(msg, concurrent, 300) { concurrent(_metadata, self, variant); }

/*
 * negotiate (SPNEGO offering krb5) makes the same tokens once established:
 * interop and sequence checks over the same enctypes and sides.
 */
FIXTURE(nego) {
	FIXTURE_DATA(msg) m;
};

FIXTURE_VARIANT(nego) {
	FIXTURE_VARIANT(msg) v;
};

#define NV(svc, et, side, init)						\
	FIXTURE_VARIANT_ADD(nego, svc##_##side) {			\
		.v = { .package = "negotiate", .service = "enc-" #svc,	\
		       .enctype = et, .ksspi_init = init },		\
	}

NV(aes128_sha1, 17, init, true);
NV(aes256_sha1, 18, init, true);
NV(aes128_sha256, 19, init, true);
NV(aes256_sha384, 20, init, true);
NV(aes128_sha1, 17, accept, false);
NV(aes256_sha1, 18, accept, false);
NV(aes128_sha256, 19, accept, false);
NV(aes256_sha384, 20, accept, false);
FIXTURE_VARIANT_ADD(nego, subkey_init) {
	.v = { .package = "negotiate", .service = "enc-aes128-sha256",
	       .ksspi_init = true, .mutual = true },
};
FIXTURE_VARIANT_ADD(nego, subkey_accept) {
	.v = { .package = "negotiate", .service = "enc-aes128-sha256",
	       .mutual = true },
};

FIXTURE_SETUP(nego)
{
	char name[128];

	snprintf(name, sizeof(name), "negotiate_%s_%s%s", variant->v.service,
		 variant->v.ksspi_init ? "init" : "accept",
		 variant->v.mutual ? "_mutual" : "");
	msgfx_setup(_metadata, &self->m, name, 0);
}

FIXTURE_TEARDOWN(nego)
{
	msgfx_teardown(_metadata, &self->m);
}

TEST_F_TIMEOUT(nego, mit_to_ksspi, 300) { mit_to_ksspi(_metadata, &self->m, &variant->v); }
TEST_F_TIMEOUT(nego, ksspi_to_mit, 300) { ksspi_to_mit(_metadata, &self->m, &variant->v); }
TEST_F_TIMEOUT(nego, sequence, 300) { sequence(_metadata, &self->m, &variant->v); }

/* A context past its expiry protects nothing (a 30-second ticket). */
FIXTURE(exp) {
	FIXTURE_DATA(msg) m;
};

static const FIXTURE_VARIANT(msg) exp_variant = {
	.package = "kerberos",
	.service = "enc-aes256-sha1",
	.enctype = 18,
	.ksspi_init = true,
};

FIXTURE_SETUP(exp)
{
	msgfx_setup(_metadata, &self->m, "expired", 30);
}

FIXTURE_TEARDOWN(exp)
{
	msgfx_teardown(_metadata, &self->m);
}

TEST_F_TIMEOUT(exp, expired, 300)
{
	FIXTURE_DATA(msg) *m = &self->m;
	struct ksspi_context_info ci = {
		.mask = KSSPI_ATTR(SECPKG_ATTR_LIFESPAN),
	};
	struct ksspi_sec_buffer b[2] = {
		{ SECBUFFER_DATA, 16, (uintptr_t)m->b },
		{ SECBUFFER_TOKEN, 128, (uintptr_t)m->a },
	};
	uint32_t tlen, dlen, qop;
	uint8_t *data;
	time_t deadline;

	ASSERT_SEC(SEC_E_OK, establish(_metadata, m, &exp_variant, ISC_BASE,
				       false));
	ASSERT_EQ(0, ksspi_query_context(m->ctx, &ci));
	ASSERT_NE(0, ci.mask & KSSPI_ATTR(SECPKG_ATTR_LIFESPAN));
	ASSERT_SEC(SEC_E_OK, ksspi_make_signature(m->ctx, 0, b, 2, 0));
	tlen = mit_make(_metadata, m->sock, 'w', 1, 20, 1, m->c);
	/* Wait (bounded) until the context's end has passed. */
	deadline = time(NULL) + 120;
	ASSERT_GE(ci.expiry, time(NULL) - 5);
	ASSERT_LE(ci.expiry, deadline - 60);
	while (time(NULL) <= ci.expiry && time(NULL) < deadline)
		sleep(1);
	ASSERT_LT(ci.expiry, time(NULL));
	b[1].len = 128;
	EXPECT_SEC(SEC_E_CONTEXT_EXPIRED,
		   ksspi_make_signature(m->ctx, 0, b, 2, 0));
	b[1].len = 128;
	EXPECT_SEC(SEC_E_CONTEXT_EXPIRED,
		   ksspi_encrypt_message(m->ctx, 0, b, 2, 0));
	EXPECT_SEC(SEC_E_CONTEXT_EXPIRED,
		   decrypt_stream(m->ctx, m->c, tlen, &data, &dlen, &qop));
}

/* ---- an in-kernel acceptor (selftests/kapi/ksspi_kapi.ko) ------------------ */

#define KAPI_MSG_BUFS	4
struct kapi_msg {
	uint32_t op;		/* 0 sign, 1 verify, 2 encrypt, 3 decrypt */
	uint32_t qop;
	int32_t status;
	uint32_t count;
	struct ksspi_sec_buffer bufs[KAPI_MSG_BUFS];
};
#define KAPI_IOC_MSG	_IOWR('k', 1, struct kapi_msg)

FIXTURE(kern) {
	FIXTURE_DATA(msg) m;
	int kfd;
};

FIXTURE_VARIANT(kern) {
	const char *package;
	const char *service;
	uint32_t enctype;
};

FIXTURE_VARIANT_ADD(kern, kerberos_aes128_sha1) {
	.package = "kerberos", .service = "enc-aes128-sha1", .enctype = 17,
};
FIXTURE_VARIANT_ADD(kern, negotiate_aes256_sha1) {
	.package = "negotiate", .service = "enc-aes256-sha1", .enctype = 18,
};
FIXTURE_VARIANT_ADD(kern, kerberos_aes128_sha256) {
	.package = "kerberos", .service = "enc-aes128-sha256", .enctype = 19,
};
FIXTURE_VARIANT_ADD(kern, negotiate_aes256_sha384) {
	.package = "negotiate", .service = "enc-aes256-sha384", .enctype = 20,
};

FIXTURE_SETUP(kern)
{
	char path[PATH_MAX + 64];
	int fd;

	self->kfd = -1;
	msgfx_setup(_metadata, &self->m, variant->service, 0);
	if (access(KAPI_FILE, F_OK)) {
		if (getenv("KSSPI_KAPI_KO"))
			snprintf(path, sizeof(path), "%s",
				 getenv("KSSPI_KAPI_KO"));
		else
			snprintf(path, sizeof(path),
				 "%s/selftests/kapi/ksspi_kapi.ko", E.root);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) {
			TH_LOG("finit_module: %s", strerror(errno));
		}
		close(fd);
	}
	self->kfd = open(KAPI_FILE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kfd);
}

FIXTURE_TEARDOWN(kern)
{
	if (self->kfd >= 0)
		close(self->kfd);
	/* The suite's end checks that ksspi unloads. */
	syscall(SYS_delete_module, "ksspi_kapi", O_NONBLOCK);
	msgfx_teardown(_metadata, &self->m);
}

static int32_t kmsg(int kfd, uint32_t op, uint32_t qop,
		    struct ksspi_sec_buffer *b, uint32_t n, uint32_t *qop_out)
{
	struct kapi_msg m = { .op = op, .qop = qop, .count = n };

	memcpy(m.bufs, b, n * sizeof(*b));
	if (ioctl(kfd, KAPI_IOC_MSG, &m))
		return SEC_E_INTERNAL_ERROR;
	memcpy(b, m.bufs, n * sizeof(*b));
	if (qop_out)
		*qop_out = m.qop;
	return m.status;
}

/* MIT initiates; an in-kernel server accepts and protects messages. */
TEST_F_TIMEOUT(kern, kernel_caller, 300)
{
	static uint8_t buf[sizeof(struct kapi_req) + BIGTOK];
	static uint8_t rbuf[sizeof(struct kapi_res) + BIGTOK];
	const FIXTURE_VARIANT(msg) mv = {
		.package = variant->package,
		.service = variant->service,
		.enctype = variant->enctype,
	};
	FIXTURE_DATA(msg) *m = &self->m;
	struct kapi_req *req = (void *)buf;
	struct kapi_res *kr = (void *)rbuf;
	static const uint32_t ksizes[] = { 0, 1, 17, 1024, 16384, 65536 };
	uint32_t in_len, i, tlen, major, len, qop;
	int sv[2], conf;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, fcntl(sv[1], F_SETFD, 0));
	m->peer = start_peer(m, &mv, sv[1], false);
	close(sv[1]);
	m->sock = sv[0];
	ASSERT_LT(0, m->peer);
	for (;;) {
		ASSERT_EQ(0, recv_token(m->sock, buf + sizeof(*req), BIGTOK,
					&in_len));
		memset(req, 0, sizeof(*req));
		snprintf(req->package, sizeof(req->package), "%s",
			 variant->package);
		req->asc_req = ASC_BASE;
		req->in_len = in_len;
		ASSERT_EQ((ssize_t)(sizeof(*req) + in_len),
			  write(self->kfd, buf, sizeof(*req) + in_len));
		ASSERT_LE((ssize_t)sizeof(*kr),
			  read(self->kfd, rbuf, sizeof(rbuf)));
		ASSERT_EQ(0, kr->acquire_err);
		if (kr->status != SEC_I_CONTINUE_NEEDED)
			ASSERT_SEC(SEC_E_OK, kr->status);
		if (kr->out_len)
			ASSERT_EQ(0, send_token(m->sock, kr + 1, kr->out_len));
		if (kr->status == SEC_E_OK)
			break;
	}
	do {
		ASSERT_EQ(0, recv_token(m->sock, buf, BIGTOK, &in_len));
	} while (in_len != 16 || memcmp(buf, "KSSPI-MSG-READY!", 16));
	ASSERT_TRUE(kr->ret_flags & ASC_RET_CONFIDENTIALITY);
	ASSERT_TRUE(kr->ret_flags & ASC_RET_SEQUENCE_DETECT);

	for (i = 0; i < ARRAY_SIZE(ksizes); i++) {
		for (conf = 0; conf <= 1; conf++) {
			/* MIT seals, the kernel opens the stream. */
			struct ksspi_sec_buffer d[2];
			struct ksspi_sec_buffer e[3];
			uint8_t *data;

			tlen = mit_make(_metadata, m->sock, 'w', conf, ksizes[i],
					i * 2 + conf, m->a);
			d[0] = (struct ksspi_sec_buffer){ SECBUFFER_STREAM,
							   tlen,
							   (uintptr_t)m->a };
			d[1] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, 0, 0 };
			qop = 7;
			ASSERT_SEC(SEC_E_OK, kmsg(self->kfd, 3, 0, d, 2, &qop));
			ASSERT_EQ(conf ? 0 : SECQOP_WRAP_NO_ENCRYPT, qop);
			ASSERT_EQ(ksizes[i], d[1].len);
			data = (uint8_t *)(uintptr_t)d[1].data;
			fill(m->b, ksizes[i], i * 2 + conf);
			ASSERT_EQ(0, memcmp(m->b, data, ksizes[i]));

			/* The kernel seals, MIT unwraps TOKEN || DATA. */
			e[0] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 128,
							   (uintptr_t)m->a };
			e[1] = (struct ksspi_sec_buffer){ SECBUFFER_DATA,
							   ksizes[i],
							   (uintptr_t)(m->a + 128) };
			e[2] = (struct ksspi_sec_buffer){ SECBUFFER_PADDING, 16,
							   (uintptr_t)m->c };
			fill(m->a + 128, ksizes[i], 50 + i);
			ASSERT_SEC(SEC_E_OK, kmsg(self->kfd, 2,
						  conf ? 0 : SECQOP_WRAP_NO_ENCRYPT,
						  e, 3, NULL));
			ASSERT_EQ(0, e[2].len);
			ASSERT_EQ(0, peer_send(m->sock, 'u', m->a, e[0].len,
					       m->a + 128, ksizes[i]));
			ASSERT_EQ(0, peer_recv(m->sock, &major, m->c, BIG,
					       &len));
			ASSERT_EQ(0, major);
			ASSERT_EQ(1 + ksizes[i], len);
			ASSERT_EQ(conf, m->c[0]);
			fill(m->b, ksizes[i], 50 + i);
			ASSERT_EQ(0, memcmp(m->b, m->c + 1, ksizes[i]));
		}
	}
	/* MICs both ways, a tampered one, and a replay. */
	{
		struct ksspi_sec_buffer v[2];
		uint32_t n = 100;

		tlen = mit_make(_metadata, m->sock, 'm', 0, n, 9, m->a);
		fill(m->b, n, 9);
		v[0] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, n,
						   (uintptr_t)m->b };
		v[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, tlen,
						   (uintptr_t)m->a };
		m->a[tlen - 1] ^= 1;
		EXPECT_SEC(SEC_E_MESSAGE_ALTERED,
			   kmsg(self->kfd, 1, 0, v, 2, NULL));
		m->a[tlen - 1] ^= 1;
		ASSERT_SEC(SEC_E_OK, kmsg(self->kfd, 1, 0, v, 2, NULL));
		EXPECT_SEC(SEC_E_OUT_OF_SEQUENCE,
			   kmsg(self->kfd, 1, 0, v, 2, NULL));

		v[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 64,
						   (uintptr_t)m->a };
		ASSERT_SEC(SEC_E_OK, kmsg(self->kfd, 0, 0, v, 2, NULL));
		memcpy(m->c, &n, 4);
		memcpy(m->c + 4, m->b, n);
		memcpy(m->c + 4 + n, m->a, v[1].len);
		ASSERT_EQ(0, peer_send(m->sock, 'v', m->c, 4 + n + v[1].len,
				       NULL, 0));
		ASSERT_EQ(0, peer_recv(m->sock, &major, m->c, BIG, &len));
		ASSERT_EQ(0, major);
	}
}

/* Local credentials acquired as @uid (its own group), then back to root. */
static int acquire_local_as(int dev, uid_t uid, uint32_t use,
			    const char *principal)
{
	int fd;

	if (setresgid(uid, uid, 0) || setresuid(uid, uid, 0))
		return -1;
	fd = ksspi_acquire_credentials(dev, "local", use, principal, NULL);
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0))
		return -1;
	return fd;
}

/* Not established, and the local package: no message protection. */
TEST(not_available)
{
	struct ksspi_sec_buffer b[2];
	uint8_t data[16] = { 0 }, tok[128];
	char target[NAMEBUF];
	int dev, icred, acred, ictx, actx, ctx;

	dev = ksspi_open();
	ASSERT_LE(0, dev);
	b[0] = (struct ksspi_sec_buffer){ SECBUFFER_DATA, 16,
					   (uintptr_t)data };
	b[1] = (struct ksspi_sec_buffer){ SECBUFFER_TOKEN, 128,
					   (uintptr_t)tok };
	uid_principal(target, sizeof(target), "msg", SERVER_UID);
	icred = acquire_local_as(dev, ALICE_UID, SECPKG_CRED_OUTBOUND, NULL);
	ASSERT_LE(0, icred);
	acred = acquire_local_as(dev, SERVER_UID, SECPKG_CRED_INBOUND, target);
	ASSERT_LE(0, acred);
	ctx = ksspi_new_context(icred, KSSPI_CONTEXT_INITIATE, "x", 0);
	ASSERT_LE(0, ctx);
	EXPECT_SEC(SEC_E_INVALID_HANDLE,
		   ksspi_make_signature(ctx, 0, b, 2, 0));
	close(ctx);
	ASSERT_SEC(SEC_E_OK, local_handshake(icred, acred, target,
					     ISC_REQ_INTEGRITY, 0, &ictx,
					     &actx));
	EXPECT_SEC(SEC_E_UNSUPPORTED_FUNCTION,
		   ksspi_make_signature(ictx, 0, b, 2, 0));
	EXPECT_SEC(SEC_E_UNSUPPORTED_FUNCTION,
		   ksspi_encrypt_message(actx, 0, b, 2, 0));
	EXPECT_SEC(SEC_E_UNSUPPORTED_FUNCTION,
		   ksspi_decrypt_message(actx, b, 2, 0, NULL));
	close(ictx);
	close(actx);
	close(icred);
	close(acred);
	close(dev);
}

TEST_HARNESS_MAIN
