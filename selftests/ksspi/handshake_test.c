// SPDX-License-Identifier: GPL-2.0
/*
 * The local package's handshake: between two processes over a socketpair
 * and over TCP, with and without mutual authentication, the multi-leg loop,
 * SEC_E_BUFFER_TOO_SMALL without losing the leg, partial input, and tokens
 * that are replayed, expired, meant for someone else or forged.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include "ksspi_test.h"

#define SERVICE "fileserver"

struct peer {
	int dev;
	int cred;
	int ctx;
};

/* Opens /dev/ksspi and acquires local credentials for @use. */
static int acquire(struct peer *p, uint32_t use, const char *principal)
{
	p->ctx = -1;
	p->dev = ksspi_open();
	if (p->dev < 0)
		return p->dev;
	p->cred = ksspi_acquire_credentials(p->dev, "local", use, principal,
					    NULL);
	return p->cred < 0 ? p->cred : 0;
}

static void release(struct peer *p)
{
	if (p->ctx >= 0)
		close(p->ctx);
	if (p->cred >= 0)
		close(p->cred);
	if (p->dev >= 0)
		close(p->dev);
}

/*
 * The SSPI initiator loop over a stream socket: returns the final status
 * and leaves the context in p->ctx.
 */
static int32_t client_loop(struct peer *p, int sock, const char *target,
			   uint32_t req, uint32_t *ret_flags)
{
	uint8_t in[TOKBUF], out[TOKBUF];
	uint32_t in_len = 0;
	size_t out_len;
	int32_t st;

	for (;;) {
		out_len = sizeof(out);
		st = ksspi_initialize_security_context(p->cred, &p->ctx, target,
						       req, in_len ? in : NULL,
						       in_len, out, &out_len,
						       ret_flags);
		if (st < 0)
			return st;
		if (out_len && send_token(sock, out, out_len))
			return SEC_E_INTERNAL_ERROR;
		if (st != SEC_I_CONTINUE_NEEDED)
			return st;
		if (recv_token(sock, in, sizeof(in), &in_len))
			return SEC_E_INTERNAL_ERROR;
	}
}

static int32_t server_loop(struct peer *p, int sock, uint32_t req,
			   uint32_t *ret_flags)
{
	uint8_t in[TOKBUF], out[TOKBUF];
	uint32_t in_len;
	size_t out_len;
	int32_t st;

	for (;;) {
		if (recv_token(sock, in, sizeof(in), &in_len))
			return SEC_E_INTERNAL_ERROR;
		out_len = sizeof(out);
		st = ksspi_accept_security_context(p->cred, &p->ctx, req, in,
						   in_len, out, &out_len,
						   ret_flags);
		if (st < 0)
			return st;
		if (out_len && send_token(sock, out, out_len))
			return SEC_E_INTERNAL_ERROR;
		if (st != SEC_I_CONTINUE_NEEDED)
			return st;
	}
}

/* What the client child reports back to the test over a pipe. */
struct client_result {
	int32_t status;
	uint32_t ret_flags;
	char server_name[256];
	char name[256];
};

FIXTURE(two_procs) {
	char target[64];
	int sv[2];
};

FIXTURE_VARIANT(two_procs) {
	bool mutual;
	bool tcp;
};

FIXTURE_VARIANT_ADD(two_procs, socketpair_oneway) { .mutual = false };
FIXTURE_VARIANT_ADD(two_procs, socketpair_mutual) { .mutual = true };
FIXTURE_VARIANT_ADD(two_procs, tcp_oneway) { .mutual = false, .tcp = true };
FIXTURE_VARIANT_ADD(two_procs, tcp_mutual) { .mutual = true, .tcp = true };

static int tcp_pair(int sv[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, c, a;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &len))
		return -1;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	if (a < 0)
		return -1;
	sv[0] = c;
	sv[1] = a;
	return 0;
}

FIXTURE_SETUP(two_procs)
{
	uid_principal(self->target, sizeof(self->target), SERVICE, SERVER_UID);
	if (variant->tcp) {
		ASSERT_EQ(0, tcp_pair(self->sv));
	} else {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
					self->sv));
	}
}

FIXTURE_TEARDOWN(two_procs)
{
	close(self->sv[0]);
	close(self->sv[1]);
}

/*
 * alice's process authenticates to a server process run by uid 2050; the
 * server learns who she is and, with mutual authentication, she learns
 * that the server really holds the target principal.
 */
TEST_F(two_procs, handshake)
{
	uint32_t req = ISC_REQ_CONNECTION |
		       (variant->mutual ? ISC_REQ_MUTUAL_AUTH : 0);
	struct ksspi_context_info ci = {};
	struct client_result cr = {};
	struct ksspi_token_info ti = {};
	char name[256], cname[256], sname[256];
	uint32_t groups[8], ret_flags = 0;
	struct peer srv = {};
	int pfd[2], status, tok;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct peer cli = {};

		close(pfd[0]);
		if (become_alice() || acquire(&cli, SECPKG_CRED_OUTBOUND, NULL))
			_exit(1);
		cr.status = client_loop(&cli, self->sv[0], self->target, req,
					&cr.ret_flags);
		if (cr.status == SEC_E_OK) {
			ksspi_query_native_names(cli.ctx, cr.name,
						 sizeof(cr.name),
						 cr.server_name,
						 sizeof(cr.server_name));
		}
		if (write_full(pfd[1], &cr, sizeof(cr)))
			_exit(2);
		release(&cli);
		_exit(0);
	}
	close(pfd[1]);

	ASSERT_EQ(0, become_server());
	ASSERT_EQ(0, acquire(&srv, SECPKG_CRED_INBOUND, self->target));
	EXPECT_EQ(SEC_E_OK, server_loop(&srv, self->sv[1], ASC_REQ_CONNECTION,
					&ret_flags));
	EXPECT_EQ(!!variant->mutual, !!(ret_flags & ASC_RET_MUTUAL_AUTH));
	EXPECT_TRUE(ret_flags & ASC_RET_CONNECTION);

	ASSERT_EQ(0, read_full(pfd[0], &cr, sizeof(cr)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(SEC_E_OK, cr.status);
	EXPECT_EQ(!!variant->mutual, !!(cr.ret_flags & ISC_RET_MUTUAL_AUTH));
	EXPECT_STREQ("uid:2001", cr.name);
	EXPECT_STREQ(self->target, cr.server_name);

	/* The server's view of the client. */
	ASSERT_EQ(0, ksspi_query_names(srv.ctx, name, sizeof(name)));
	EXPECT_STREQ("uid:2001", name);
	ASSERT_EQ(0, ksspi_query_native_names(srv.ctx, cname, sizeof(cname),
					      sname, sizeof(sname)));
	EXPECT_STREQ("uid:2001", cname);
	EXPECT_STREQ(self->target, sname);

	ci.mask = KSSPI_ATTR(SECPKG_ATTR_SIZES) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		  KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
		  KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
	ASSERT_EQ(0, ksspi_query_context(srv.ctx, &ci));
	EXPECT_EQ(ci.mask, KSSPI_ATTR(SECPKG_ATTR_SIZES) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		  KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		  KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
		  KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN));
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ci.state);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, ci.package_id);
	EXPECT_LT(0, ci.max_token);
	/* No per-message protection in the local package. */
	EXPECT_EQ(0, ci.max_signature);
	EXPECT_EQ(ret_flags, ci.ctx_flags);
	EXPECT_EQ(SECURITY_IMPERSONATION, ci.level);
	EXPECT_LE(ci.start, time(NULL));
	EXPECT_EQ(36000, ci.expiry - ci.start);

	tok = ksspi_query_security_context_token(srv.ctx);
	ASSERT_LE(0, tok);
	ti.groups = (uintptr_t)groups;
	ti.ngroups = 8;
	ti.name = (uintptr_t)name;
	ti.name_size = sizeof(name);
	ASSERT_EQ(0, ksspi_query_token(tok, &ti));
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(ALICE_GID, ti.gid);
	ASSERT_EQ(1, ti.ngroups);
	EXPECT_EQ(STAFF_GID, groups[0]);
	EXPECT_EQ(SECURITY_IMPERSONATION, ti.level);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, ti.package_id);
	EXPECT_STREQ("uid:2001", name);
	EXPECT_EQ(ci.expiry, ti.expiry);
	close(tok);
	release(&srv);
}

/* All in one process, as root where the test needs it. */
FIXTURE(local) {
	struct peer cli;
	struct peer srv;
	char target[64];
};

FIXTURE_SETUP(local)
{
	/* Saved uid 0 lets the test come back to root between steps. */
	const gid_t g[] = { STAFF_GID, 2200, 2300 };

	ASSERT_EQ(0, setgroups(3, g));
	ASSERT_EQ(0, setresgid(ALICE_GID, ALICE_GID, 0));
	ASSERT_EQ(0, setresuid(ALICE_UID, ALICE_UID, 0));
	ASSERT_EQ(0, acquire(&self->cli, SECPKG_CRED_OUTBOUND, NULL));
	ASSERT_EQ(0, seteuid(0));
	ASSERT_EQ(0, setresgid(SERVER_GID, SERVER_GID, 0));
	ASSERT_EQ(0, setresuid(SERVER_UID, SERVER_UID, 0));
	uid_principal(self->target, sizeof(self->target), SERVICE, SERVER_UID);
	ASSERT_EQ(0, acquire(&self->srv, SECPKG_CRED_INBOUND, self->target));
	ASSERT_EQ(0, seteuid(0));
}

FIXTURE_TEARDOWN(local)
{
	release(&self->cli);
	release(&self->srv);
	set_param("local_ticket_ms", "30000");
}

/* Issues an AP-REQ from the client into @buf. */
static int32_t first_leg(struct __test_metadata *_metadata,
			 FIXTURE_DATA(local) *self, uint32_t req,
			 uint8_t *buf, size_t *len)
{
	uint32_t flags;

	*len = TOKBUF;
	return ksspi_initialize_security_context(self->cli.cred, &self->cli.ctx,
						 self->target, req, NULL, 0,
						 buf, len, &flags);
}

/* The identity is the one that acquired the credentials, not the caller's. */
TEST_F(local, identity_captured_at_acquire)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	struct ksspi_token_info ti = {};
	uint32_t groups[8], flags;
	size_t alen, blen = sizeof(b);
	int tok;

	/* The test process now runs as bob. */
	ASSERT_EQ(0, setresuid(BOB_UID, BOB_UID, 0));
	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
	EXPECT_EQ(0, blen);
	tok = ksspi_query_security_context_token(self->srv.ctx);
	ASSERT_LE(0, tok);
	ti.groups = (uintptr_t)groups;
	ti.ngroups = 8;
	ASSERT_EQ(0, ksspi_query_token(tok, &ti));
	EXPECT_EQ(ALICE_UID, ti.uid);
	EXPECT_EQ(ALICE_GID, ti.gid);
	/* Every supplementary group, sorted. */
	ASSERT_EQ(3, ti.ngroups);
	EXPECT_EQ(STAFF_GID, groups[0]);
	EXPECT_EQ(2200, groups[1]);
	EXPECT_EQ(2300, groups[2]);
	close(tok);
}

/* Mutual authentication is a real second leg: the multi-leg loop. */
TEST_F(local, multi_leg)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen, blen = sizeof(b);
	struct ksspi_context_info ci = {};
	uint32_t flags;

	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  first_leg(_metadata, self, ISC_REQ_MUTUAL_AUTH, a, &alen));
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES);
	ASSERT_EQ(0, ksspi_query_context(self->cli.ctx, &ci));
	EXPECT_EQ(KSSPI_STATE_IN_PROGRESS, ci.state);
	/* Names are answered only once established. */
	EXPECT_EQ(0, ci.mask);

	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
	EXPECT_TRUE(flags & ASC_RET_MUTUAL_AUTH);
	ASSERT_LT(0, blen);
	alen = sizeof(a);
	ASSERT_EQ(SEC_E_OK,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b, blen, a, &alen,
						    &flags));
	EXPECT_EQ(0, alen);
	EXPECT_TRUE(flags & ISC_RET_MUTUAL_AUTH);
	/* No more legs. */
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_INVALID_HANDLE,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b, blen, a, &alen,
						    &flags));
}

/* A too-small output buffer reports the size needed and keeps the leg. */
TEST_F(local, buffer_too_small_keeps_leg)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen = 4, blen = 3, need;
	uint32_t flags;

	ASSERT_EQ(SEC_E_BUFFER_TOO_SMALL,
		  ksspi_initialize_security_context(self->cli.cred,
						    &self->cli.ctx,
						    self->target,
						    ISC_REQ_MUTUAL_AUTH, NULL,
						    0, a, &alen, &flags));
	ASSERT_LE(0, self->cli.ctx);
	need = alen;
	ASSERT_LT(4, need);
	/* Retry with exactly the size needed: the same leg comes back. */
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    NULL, 0, a, &alen,
						    &flags));
	ASSERT_EQ(need, alen);

	/* Same on the acceptor, whose leg consumed the single-use ticket. */
	ASSERT_EQ(SEC_E_BUFFER_TOO_SMALL,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
	need = blen;
	ASSERT_LT(3, need);
	blen = sizeof(b);
	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(-1, &self->srv.ctx, 0, NULL, 0,
						b, &blen, &flags));
	ASSERT_EQ(need, blen);
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_OK,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b, blen, a, &alen,
						    &flags));
}

/* Input that arrives in pieces: INCOMPLETE_MESSAGE with the exact MISSING. */
TEST_F(local, partial_input_and_extra)
{
	uint8_t a[TOKBUF + 16], b[TOKBUF];
	struct ksspi_step st = { .size = sizeof(st) };
	size_t alen;
	uint32_t flags;
	int ctx;

	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	ctx = ksspi_new_context(self->srv.cred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, ctx);

	st.in_token = (uintptr_t)a;
	st.out_token = (uintptr_t)b;
	st.out_size = sizeof(b);
	st.in_len = 5;
	ASSERT_EQ(0, ksspi_step(ctx, &st));
	EXPECT_EQ(SEC_E_INCOMPLETE_MESSAGE, st.status);
	EXPECT_EQ(12 - 5, st.missing);

	st.in_len = alen - 1;
	ASSERT_EQ(0, ksspi_step(ctx, &st));
	EXPECT_EQ(SEC_E_INCOMPLETE_MESSAGE, st.status);
	EXPECT_EQ(1, st.missing);

	/* The whole token plus bytes of whatever comes next on the wire. */
	memset(a + alen, 0xab, 7);
	st.in_len = alen + 7;
	ASSERT_EQ(0, ksspi_step(ctx, &st));
	EXPECT_EQ(SEC_E_OK, st.status);
	EXPECT_EQ(7, st.extra);
	EXPECT_EQ(0, st.missing);
	close(ctx);
	(void)flags;
}

/* A ticket is single-use. */
TEST_F(local, replay_refused)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen, blen = sizeof(b);
	uint32_t flags;
	int ctx2 = -1;

	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
	blen = sizeof(b);
	EXPECT_EQ(SEC_E_LOGON_DENIED,
		  ksspi_accept_security_context(self->srv.cred, &ctx2, 0, a,
						alen, b, &blen, &flags));
	/* A failed first leg leaves no context. */
	EXPECT_EQ(-1, ctx2);
}

/* A ticket lives local_ticket_ms. */
TEST_F(local, expired_refused)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen, blen = sizeof(b);
	uint32_t flags;

	ASSERT_EQ(0, set_param("local_ticket_ms", "100"));
	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	usleep(300 * 1000);
	EXPECT_EQ(SEC_E_CONTEXT_EXPIRED,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
}

/*
 * A ticket for one target is refused by an acceptor holding another
 * principal, and stays valid for the right one.
 */
TEST_F(local, foreign_target)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen, blen = sizeof(b);
	struct peer other = {};
	uint32_t flags;
	int ctx = -1;

	ASSERT_EQ(0, setresuid(SERVER_UID, SERVER_UID, 0));
	ASSERT_EQ(0, acquire(&other, SECPKG_CRED_INBOUND, "other/uid:2050"));
	ASSERT_EQ(0, seteuid(0));
	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	EXPECT_EQ(SEC_E_WRONG_PRINCIPAL,
		  ksspi_accept_security_context(other.cred, &ctx, 0, a, alen,
						b, &blen, &flags));
	EXPECT_EQ(-1, ctx);
	blen = sizeof(b);
	EXPECT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->srv.cred, &self->srv.ctx,
						0, a, alen, b, &blen, &flags));
	release(&other);
}

/* Nobody can hold another uid's principal, so nobody can steal tickets. */
TEST_F(local, principal_squatting_refused)
{
	struct peer p = {};

	ASSERT_EQ(0, setresuid(BOB_UID, BOB_UID, 0));
	EXPECT_EQ(-EPERM, acquire(&p, SECPKG_CRED_INBOUND, self->target));
	ASSERT_EQ(0, seteuid(0));
	release(&p);
}

/* Forged or foreign answers to a mutual-authentication request. */
TEST_F(local, forged_ap_rep)
{
	uint8_t a[TOKBUF], b[TOKBUF], a2[TOKBUF], b2[TOKBUF];
	size_t alen, blen = sizeof(b), a2len = sizeof(a2), b2len = sizeof(b2);
	struct peer cli2 = {};
	int ctx2 = -1, sctx2 = -1;
	uint32_t flags;

	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  first_leg(_metadata, self, ISC_REQ_MUTUAL_AUTH, a, &alen));
	/* A second, independent exchange gives a genuine AP-REP for another ticket. */
	ASSERT_EQ(0, setresuid(ALICE_UID, ALICE_UID, 0));
	ASSERT_EQ(0, acquire(&cli2, SECPKG_CRED_OUTBOUND, NULL));
	ASSERT_EQ(0, seteuid(0));
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  ksspi_initialize_security_context(cli2.cred, &ctx2,
						    self->target,
						    ISC_REQ_MUTUAL_AUTH, NULL,
						    0, a2, &a2len, &flags));
	ASSERT_EQ(SEC_E_OK,
		  ksspi_accept_security_context(self->srv.cred, &sctx2, 0, a2,
						a2len, b2, &b2len, &flags));
	/* The other ticket's AP-REP does not answer ours. */
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_INVALID_TOKEN,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b2, b2len, a, &alen,
						    &flags));
	close(self->cli.ctx);
	self->cli.ctx = -1;

	/* Our ticket was never accepted: a made-up proof fails. */
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  first_leg(_metadata, self, ISC_REQ_MUTUAL_AUTH, a, &alen));
	memcpy(b, b2, b2len);
	memcpy(b + 12, a + 12, 16);	/* our ticket id, their proof */
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_MUTUAL_AUTH_FAILED,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b, b2len, a, &alen,
						    &flags));
	close(ctx2);
	close(sctx2);
	release(&cli2);
	(void)blen;
}

/* Tokens that are not tokens. */
TEST_F(local, garbage_tokens)
{
	static const uint8_t bad_magic[12] = "XXXX\1\1\0\0\0\0\0\0";
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen, blen;
	uint32_t flags;
	int ctx = -1;

	ASSERT_EQ(SEC_E_OK, first_leg(_metadata, self, 0, a, &alen));
	blen = sizeof(b);
	EXPECT_EQ(SEC_E_INVALID_TOKEN,
		  ksspi_accept_security_context(self->srv.cred, &ctx, 0,
						bad_magic, sizeof(bad_magic),
						b, &blen, &flags));
	/* An AP-REQ with a flipped ticket id names no ticket. */
	a[12] ^= 1;
	blen = sizeof(b);
	EXPECT_EQ(SEC_E_INVALID_TOKEN,
		  ksspi_accept_security_context(self->srv.cred, &ctx, 0, a,
						alen, b, &blen, &flags));
	/* A wrong token type (AP-REQ given to the initiator's second leg). */
	a[12] ^= 1;
	close(self->cli.ctx);
	self->cli.ctx = -1;
	ASSERT_EQ(SEC_I_CONTINUE_NEEDED,
		  first_leg(_metadata, self, ISC_REQ_MUTUAL_AUTH, b, &blen));
	alen = sizeof(a);
	EXPECT_EQ(SEC_E_INVALID_TOKEN,
		  ksspi_initialize_security_context(-1, &self->cli.ctx, NULL, 0,
						    b, blen, a, &alen,
						    &flags));
	EXPECT_EQ(-1, ctx);
}

/* A first leg with no target cannot name a ticket's acceptor. */
TEST_F(local, no_target)
{
	uint8_t a[TOKBUF];
	size_t alen = sizeof(a);
	uint32_t flags;

	EXPECT_EQ(SEC_E_TARGET_UNKNOWN,
		  ksspi_initialize_security_context(self->cli.cred,
						    &self->cli.ctx, NULL, 0,
						    NULL, 0, a, &alen, &flags));
	EXPECT_EQ(-1, self->cli.ctx);
}

TEST_HARNESS_MAIN
