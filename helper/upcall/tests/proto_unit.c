// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: base64 and the request/response codec.
 * Every malformation must be refused with -EBADMSG and nothing leaked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "proto.h"
#include "unit.h"

static const uint32_t groups[] = { 2001, 2100 };

/* A valid initiate request, leg 0. */
static void make_initiate(struct kup_msg *m)
{
	struct ksspi_upcall_request f = unit_fields(KSSPI_UPCALL_INITIATE);

	unit_req_start(m, KSSPI_UPCALL_INITIATE);
	kup_msg_item(m, KSSPI_UPCALL_GROUPS, groups, sizeof(groups));
	kup_msg_item(m, KSSPI_UPCALL_TARGET, "host@srv.example", 16);
	kup_msg_item(m, KSSPI_UPCALL_CCACHE, "FILE:/tmp/krb5cc_2001", 21);
	unit_req_finish(m, KSSPI_UPCALL_INITIATE, 0, &f);
}

TEST(base64_roundtrip)
{
	uint8_t data[300], *out;
	size_t i, n, outlen;
	char *b;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (n = 0; n < 40; n++) {
		b = kup_base64_encode(data, n);
		ASSERT_NE(NULL, b);
		if (n == 0) {
			EXPECT_EQ(0, strlen(b));
			free(b);
			continue;
		}
		ASSERT_EQ(0, kup_base64_decode(b, strlen(b), &out, &outlen));
		EXPECT_EQ(n, outlen);
		EXPECT_EQ(0, memcmp(data, out, n));
		free(out);
		free(b);
	}
}

TEST(base64_strict)
{
	static const char *const bad[] = {
		"", "A", "AB", "ABC", "AB=C", "A===", "====", "QUJD\n",
		"QU JD", "QUJ*", "QR==", "QUI=QUJD", "QUJDRA=",
	};
	uint8_t *out;
	size_t i, outlen;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EBADMSG, kup_base64_decode(bad[i], strlen(bad[i]),
						      &out, &outlen))
			TH_LOG("accepted bad line %zu", i);
	ASSERT_EQ(0, kup_base64_decode("QUJD", 4, &out, &outlen));
	EXPECT_EQ(3, outlen);
	EXPECT_EQ(0, memcmp(out, "ABC", 3));
	free(out);
	ASSERT_EQ(0, kup_base64_decode("QQ==", 4, &out, &outlen));
	EXPECT_EQ(1, outlen);
	free(out);
}

TEST(request_valid)
{
	struct kup_request req;
	struct kup_msg m;
	char err[128] = "";

	make_initiate(&m);
	ASSERT_EQ(0, m.failed);
	ASSERT_EQ(0, kup_request_decode(m.buf, m.len, &req, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(KSSPI_UPCALL_INITIATE, req.op);
	EXPECT_EQ(0x1234, req.id);
	EXPECT_EQ(7, req.context_id);
	EXPECT_EQ(2001, req.uid);
	EXPECT_EQ(2, req.ngroups);
	EXPECT_EQ(2100, req.groups[1]);
	EXPECT_STREQ("host@srv.example", req.target);
	EXPECT_STREQ("FILE:/tmp/krb5cc_2001", req.ccache);
	EXPECT_EQ(NULL, req.principal);
	EXPECT_EQ(NULL, req.input.data);
	kup_request_free(&req);
	kup_msg_free(&m);
}

/* Every strict prefix of a valid request is refused. */
TEST(request_truncated)
{
	struct kup_request req;
	struct kup_msg m;
	size_t n;

	make_initiate(&m);
	for (n = 0; n < m.len; n++)
		EXPECT_EQ(-EBADMSG, kup_request_decode(m.buf, n, &req, NULL, 0))
			TH_LOG("prefix %zu accepted", n);
	kup_msg_free(&m);
}

/* Flipping any single byte never crashes; the result is valid or refused. */
TEST(request_bitflips)
{
	struct kup_request req;
	struct kup_msg m;
	size_t i;
	int bit, r;

	make_initiate(&m);
	for (i = 0; i < m.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			m.buf[i] ^= 1u << bit;
			r = kup_request_decode(m.buf, m.len, &req, NULL, 0);
			if (r == 0)
				kup_request_free(&req);
			else
				EXPECT_EQ(-EBADMSG, r);
			m.buf[i] ^= 1u << bit;
		}
	}
	kup_msg_free(&m);
}

struct mutation {
	const char *what;
	size_t off;
	uint32_t value;
	int size;
};

TEST(request_header_fields)
{
	/* Offsets into struct ksspi_upcall_request. */
	static const struct mutation muts[] = {
		{ "magic", 0, 0x12345678, 4 },
		{ "version", 4, 2, 2 },
		{ "op 0", 6, 0, 2 },
		{ "op 9", 6, 9, 2 },
		{ "size", 8, 8, 4 },
		{ "flags", 12, 0x80, 4 },
		{ "package", 32, 14, 4 },
		{ "leg", 36, 1000, 4 },
		{ "req_flags", 40, 0x80000000u, 4 },
		{ "cred_use 0", 44, 0, 4 },
		{ "cred_use inbound", 44, SECPKG_CRED_INBOUND, 4 },
		{ "cred_use 4", 44, 4, 4 },
		{ "uid -1", 48, 0xffffffffu, 4 },
		{ "gid -1", 52, 0xffffffffu, 4 },
	};
	struct kup_request req;
	struct kup_msg m;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		uint32_t v32 = muts[i].value;
		uint16_t v16 = (uint16_t)muts[i].value;

		make_initiate(&m);
		if (muts[i].size == 2)
			memcpy(m.buf + muts[i].off, &v16, 2);
		else
			memcpy(m.buf + muts[i].off, &v32, 4);
		EXPECT_EQ(-EBADMSG, kup_request_decode(m.buf, m.len, &req, err,
						       sizeof(err)))
			TH_LOG("%s accepted", muts[i].what);
		kup_msg_free(&m);
	}
}

/* Build a request of @op with one extra item; 0 if it decodes. */
static int with_item(uint16_t op, uint32_t leg, uint16_t type,
		     const void *data, size_t len)
{
	struct ksspi_upcall_request f = unit_fields(op);
	struct kup_request req;
	struct kup_msg m;
	int r;

	f.leg = leg;
	unit_req_start(&m, op);
	if (op == KSSPI_UPCALL_INITIATE && type != KSSPI_UPCALL_TARGET)
		kup_msg_item(&m, KSSPI_UPCALL_TARGET, "host@x", 6);
	if (op == KSSPI_UPCALL_ACCEPT && type != KSSPI_UPCALL_INPUT)
		kup_msg_item(&m, KSSPI_UPCALL_INPUT, "\x60\x01\x00", 3);
	if (leg && type != KSSPI_UPCALL_STATE)
		kup_msg_item(&m, KSSPI_UPCALL_STATE, "state", 5);
	if (leg && op == KSSPI_UPCALL_INITIATE && type != KSSPI_UPCALL_INPUT)
		kup_msg_item(&m, KSSPI_UPCALL_INPUT, "tok", 3);
	if (type)
		kup_msg_item(&m, type, data, len);
	unit_req_finish(&m, op, 0, &f);
	r = kup_request_decode(m.buf, m.len, &req, NULL, 0);
	if (!r)
		kup_request_free(&req);
	kup_msg_free(&m);
	return r;
}

TEST(request_items)
{
	char big[KSSPI_NAME_MAX + 1];
	static uint8_t token[KSSPI_TOKEN_MAX + 1];

	memset(big, 'a', sizeof(big));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACQUIRE, 0, 0, NULL, 0));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_INITIATE, 0, 0, NULL, 0));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACCEPT, 0, 0, NULL, 0));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_INITIATE, 1, 0, NULL, 0));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_DONOR, 0, 0, NULL, 0));
	/* Strings: non-empty, printable, bounded. */
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACQUIRE, 0, KSSPI_UPCALL_PRINCIPAL,
			       big, KSSPI_NAME_MAX));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_PRINCIPAL, big,
				      KSSPI_NAME_MAX + 1));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_PRINCIPAL, "", 0));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_CCACHE, "a\0b", 3));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_KEYTAB, "a\nb", 3));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_KEYTAB, "a\x7f", 2));
	/* Groups: whole u32s. */
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_GROUPS, "abcde", 5));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACQUIRE, 0, KSSPI_UPCALL_GROUPS,
			       NULL, 0));
	/* Items in the wrong operation. */
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_INPUT, "x", 1));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACCEPT, 0, KSSPI_UPCALL_TARGET,
			       "host@x", 6));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_TARGET, "host@x", 6));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_DONOR, 0,
				      KSSPI_UPCALL_PRINCIPAL, "a@B", 3));
	/* Response items in a request. */
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_OUTPUT, "x", 1));
	/* Unknown items: refused, unless optional. */
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0, 99, "x", 1));
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACQUIRE, 0,
			       99 | KSSPI_UPCALL_ITEM_OPTIONAL, "x", 1));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACQUIRE, 0,
				      KSSPI_UPCALL_INPUT |
				      KSSPI_UPCALL_ITEM_OPTIONAL, "x", 1));
	/* Required items and leg/state consistency. */
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_INITIATE, 0,
				      KSSPI_UPCALL_TARGET, NULL, 0));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_INITIATE, 0,
				      KSSPI_UPCALL_STATE, "s", 1));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_INITIATE, 0,
				      KSSPI_UPCALL_INPUT, "t", 1));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_INITIATE, 1,
				      KSSPI_UPCALL_STATE, NULL, 0));
	/* Sizes of binary items. */
	EXPECT_EQ(0, with_item(KSSPI_UPCALL_ACCEPT, 0, KSSPI_UPCALL_INPUT,
			       token, KSSPI_TOKEN_MAX - 1024));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_ACCEPT, 0,
				      KSSPI_UPCALL_INPUT, token,
				      KSSPI_TOKEN_MAX + 1));
	EXPECT_EQ(-EBADMSG, with_item(KSSPI_UPCALL_INITIATE, 1,
				      KSSPI_UPCALL_STATE, token,
				      KSSPI_UPCALL_STATE_MAX + 1));
}

TEST(request_repeated_item_and_padding)
{
	struct ksspi_upcall_request f = unit_fields(KSSPI_UPCALL_ACQUIRE);
	struct kup_request req;
	struct kup_msg m;
	size_t off;

	unit_req_start(&m, KSSPI_UPCALL_ACQUIRE);
	kup_msg_item(&m, KSSPI_UPCALL_PRINCIPAL, "a@B", 3);
	kup_msg_item(&m, KSSPI_UPCALL_PRINCIPAL, "c@D", 3);
	unit_req_finish(&m, KSSPI_UPCALL_ACQUIRE, 0, &f);
	EXPECT_EQ(-EBADMSG, kup_request_decode(m.buf, m.len, &req, NULL, 0));
	kup_msg_free(&m);

	unit_req_start(&m, KSSPI_UPCALL_ACQUIRE);
	kup_msg_item(&m, KSSPI_UPCALL_PRINCIPAL, "a@B", 3);
	unit_req_finish(&m, KSSPI_UPCALL_ACQUIRE, 0, &f);
	ASSERT_EQ(0, kup_request_decode(m.buf, m.len, &req, NULL, 0));
	kup_request_free(&req);
	/* A padding byte that is not zero. */
	off = sizeof(struct ksspi_upcall_request) +
	      sizeof(struct ksspi_upcall_item) + 5;
	m.buf[off] = 1;
	EXPECT_EQ(-EBADMSG, kup_request_decode(m.buf, m.len, &req, NULL, 0));
	m.buf[off] = 0;
	/* Item flags. */
	m.buf[sizeof(struct ksspi_upcall_request) + 2] = 1;
	EXPECT_EQ(-EBADMSG, kup_request_decode(m.buf, m.len, &req, NULL, 0));
	kup_msg_free(&m);
}

TEST(response_roundtrip)
{
	struct ksspi_upcall_response r = {
		.id = 77, .status = SEC_E_OK, .uid = 2001, .gid = 2001,
		.level = SECURITY_IMPERSONATION,
	};
	struct kup_response resp;
	struct kup_msg m;
	char err[128];
	size_t n;

	kup_msg_init(&m, sizeof(r));
	kup_msg_item(&m, KSSPI_UPCALL_GROUPS, groups, sizeof(groups));
	kup_msg_item(&m, KSSPI_UPCALL_OUTPUT, "\x6f\x01\x00", 3);
	kup_msg_item(&m, KSSPI_UPCALL_CLIENT_NAME, "alice@KSSPI.TEST", 16);
	memcpy(m.buf + sizeof(r.hdr), (uint8_t *)&r + sizeof(r.hdr),
	       sizeof(r) - sizeof(r.hdr));
	ASSERT_EQ(0, kup_msg_finish(&m, KSSPI_UPCALL_ACCEPT, 0));
	EXPECT_EQ(0, m.len % KSSPI_UPCALL_ALIGN);
	ASSERT_EQ(0, kup_response_decode(m.buf, m.len, &resp, err,
					 sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(77, resp.hdr.id);
	EXPECT_EQ(2001, resp.hdr.uid);
	EXPECT_EQ(3, resp.items[KSSPI_UPCALL_OUTPUT].len);
	EXPECT_EQ(16, resp.items[KSSPI_UPCALL_CLIENT_NAME].len);
	for (n = 0; n < m.len; n++)
		EXPECT_NE(0, kup_response_decode(m.buf, n, &resp, NULL, 0));
	kup_msg_free(&m);
}

TEST(response_lucid_item)
{
	struct ksspi_upcall_lucid l = { .protocol = 1, .send_seq = 5 };
	struct kup_response resp;
	struct kup_msg m;
	int good;

	for (good = 1; good >= 0; good--) {
		kup_msg_init(&m, sizeof(struct ksspi_upcall_response));
		kup_msg_item(&m, KSSPI_UPCALL_LUCID, &l,
			     good ? sizeof(l) : sizeof(l) - 4);
		ASSERT_EQ(0, kup_msg_finish(&m, KSSPI_UPCALL_ACCEPT, 0));
		EXPECT_EQ(good ? 0 : -EBADMSG,
			  kup_response_decode(m.buf, m.len, &resp, NULL, 0));
		kup_msg_free(&m);
	}
}

TEST(request_lucid_flag)
{
	struct ksspi_upcall_request f = unit_fields(KSSPI_UPCALL_INITIATE);
	struct kup_request req;
	struct kup_msg m;

	unit_req_start(&m, KSSPI_UPCALL_INITIATE);
	kup_msg_item(&m, KSSPI_UPCALL_TARGET, "host@x", 6);
	unit_req_finish(&m, KSSPI_UPCALL_INITIATE,
			KSSPI_UPCALL_F_KERNEL | KSSPI_UPCALL_F_LUCID, &f);
	ASSERT_EQ(0, kup_request_decode(m.buf, m.len, &req, NULL, 0));
	EXPECT_EQ(KSSPI_UPCALL_F_KERNEL | KSSPI_UPCALL_F_LUCID, req.flags);
	kup_request_free(&req);
	kup_msg_free(&m);
}

TEST(message_size_limit)
{
	static uint8_t big[KSSPI_UPCALL_MAX];
	struct kup_msg m;

	kup_msg_init(&m, sizeof(struct ksspi_upcall_response));
	kup_msg_item(&m, KSSPI_UPCALL_OUTPUT, big, sizeof(big) / 2);
	EXPECT_EQ(0, m.failed);
	kup_msg_item(&m, KSSPI_UPCALL_STATE, big, sizeof(big) / 2);
	EXPECT_EQ(1, m.failed);
	EXPECT_EQ(-EMSGSIZE, kup_msg_finish(&m, KSSPI_UPCALL_ACCEPT, 0));
	kup_msg_free(&m);
}

TEST_HARNESS_MAIN
