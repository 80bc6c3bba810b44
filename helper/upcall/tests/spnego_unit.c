// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: SPNEGO framing (RFC 4178), both directions,
 * against hand-made DER as other implementations send it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "spnego.h"

/* A krb5 "AP-REQ" stand-in: contents do not matter to the framing. */
static const uint8_t ap_req[] = { 0x60, 0x05, 0x06, 0x01, 0x2a, 0x01, 0x00 };

#define KRB5_OID 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02
#define MSKRB5_OID 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02
#define NTLM_OID 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a

/* As Windows sends it: MS-KRB5, KRB5, NTLM; reqFlags absent; a token. */
static const uint8_t windows_init[] = {
	0x60, 0x3b, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
	0xa0, 0x31, 0x30, 0x2f,
	0xa0, 0x24, 0x30, 0x22, MSKRB5_OID, KRB5_OID, NTLM_OID,
	0xa2, 0x07, 0x04, 0x05, 0x60, 0x03, 0x06, 0x01, 0x2a,
};

/* NTLM preferred, krb5 second, no token. */
static const uint8_t ntlm_first[] = {
	0x60, 0x29, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
	0xa0, 0x1f, 0x30, 0x1d,
	0xa0, 0x19, 0x30, 0x17, NTLM_OID, KRB5_OID,
	0xa1, 0x00,
};

TEST(init_roundtrip)
{
	struct kup_neg_init ni;
	uint8_t *tok;
	size_t len, n;

	ASSERT_EQ(0, kup_spnego_make_init(ap_req, sizeof(ap_req), &tok, &len));
	ASSERT_EQ(0, kup_spnego_parse_init(tok, len, &ni));
	EXPECT_EQ(KUP_MECH_KRB5, ni.first_mech);
	EXPECT_EQ(1, ni.has_krb5);
	ASSERT_EQ(sizeof(ap_req), ni.mech_token.len);
	EXPECT_EQ(0, memcmp(ap_req, ni.mech_token.data, sizeof(ap_req)));
	EXPECT_EQ(kup_spnego_our_mechlist_len, ni.mech_types.len);
	EXPECT_EQ(0, memcmp(kup_spnego_our_mechlist, ni.mech_types.data,
			    ni.mech_types.len));
	for (n = 0; n < len; n++)
		EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(tok, n, &ni));
	free(tok);
}

/* Long tokens need multi-byte DER lengths. */
TEST(init_long_token)
{
	static uint8_t big[70000];
	struct kup_neg_init ni;
	size_t sizes[] = { 127, 128, 255, 256, 65535, 65536, 69000 }, i;
	uint8_t *tok;
	size_t len;

	memset(big, 0xab, sizeof(big));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_EQ(0, kup_spnego_make_init(big, sizes[i], &tok, &len));
		ASSERT_EQ(0, kup_spnego_parse_init(tok, len, &ni));
		EXPECT_EQ(sizes[i], ni.mech_token.len);
		free(tok);
	}
}

TEST(windows_style_init)
{
	struct kup_neg_init ni;

	ASSERT_EQ(0, kup_spnego_parse_init(windows_init, sizeof(windows_init),
					   &ni));
	EXPECT_EQ(KUP_MECH_MS_KRB5, ni.first_mech);
	EXPECT_EQ(1, ni.has_krb5);
	EXPECT_EQ(5, ni.mech_token.len);
}

TEST(ntlm_preferred)
{
	struct kup_neg_init ni;

	ASSERT_EQ(0, kup_spnego_parse_init(ntlm_first, sizeof(ntlm_first),
					   &ni));
	EXPECT_EQ(KUP_MECH_OTHER, ni.first_mech);
	EXPECT_EQ(1, ni.has_krb5);
	EXPECT_EQ(NULL, ni.mech_token.data);
}

TEST(init_malformed)
{
	static const uint8_t nm[] = { 0x60, 0x81, 0x05, 0, 0, 0, 0, 0 };
	struct kup_neg_init ni;
	uint8_t t[sizeof(windows_init)], u[sizeof(windows_init) + 1];

	/* Not SPNEGO: a raw krb5 token. */
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(ap_req, sizeof(ap_req), &ni));
	/* Wrong OID. */
	memcpy(t, windows_init, sizeof(t));
	t[9] = 0x03;
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(t, sizeof(t), &ni));
	/* Indefinite length. */
	memcpy(t, windows_init, sizeof(t));
	t[1] = 0x80;
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(t, sizeof(t), &ni));
	/* Inner length past its parent. */
	memcpy(t, windows_init, sizeof(t));
	t[15] = 0x30;
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(t, sizeof(t), &ni));
	/* Trailing garbage. */
	memcpy(u, windows_init, sizeof(windows_init));
	u[sizeof(windows_init)] = 0;
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(u, sizeof(u), &ni));
	/* Non-minimal long-form length. */
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_init(nm, sizeof(nm), &ni));
}

TEST(init_bitflips)
{
	struct kup_neg_init ni;
	uint8_t t[sizeof(windows_init)];
	size_t i;
	int b, r;

	for (i = 0; i < sizeof(t); i++)
		for (b = 0; b < 8; b++) {
			memcpy(t, windows_init, sizeof(t));
			t[i] ^= 1u << b;
			r = kup_spnego_parse_init(t, sizeof(t), &ni);
			EXPECT_TRUE(r == 0 || r == -EBADMSG);
			if (r == 0) {
				EXPECT_TRUE(ni.mech_token.data == NULL ||
					    (ni.mech_token.data >= t &&
					     ni.mech_token.data +
					     ni.mech_token.len <= t + sizeof(t)));
			}
		}
}

TEST(resp_roundtrip)
{
	static const uint8_t mic[] = { 1, 2, 3, 4 };
	struct kup_neg_resp nr;
	uint8_t *tok;
	size_t len, n;

	ASSERT_EQ(0, kup_spnego_make_resp(KUP_NEG_ACCEPT_COMPLETED,
					  KUP_MECH_KRB5, ap_req,
					  sizeof(ap_req), mic, sizeof(mic),
					  &tok, &len));
	ASSERT_EQ(0, kup_spnego_parse_resp(tok, len, &nr));
	EXPECT_EQ(KUP_NEG_ACCEPT_COMPLETED, nr.neg_state);
	EXPECT_EQ(1, nr.has_mech);
	EXPECT_EQ(KUP_MECH_KRB5, nr.supported_mech);
	EXPECT_EQ(sizeof(ap_req), nr.response_token.len);
	EXPECT_EQ(sizeof(mic), nr.mech_list_mic.len);
	for (n = 0; n < len; n++)
		EXPECT_EQ(-EBADMSG, kup_spnego_parse_resp(tok, n, &nr));
	free(tok);

	/* The MS OID is echoed when the peer preferred it. */
	ASSERT_EQ(0, kup_spnego_make_resp(KUP_NEG_ACCEPT_INCOMPLETE,
					  KUP_MECH_MS_KRB5, NULL, 0, NULL, 0,
					  &tok, &len));
	ASSERT_EQ(0, kup_spnego_parse_resp(tok, len, &nr));
	EXPECT_EQ(KUP_NEG_ACCEPT_INCOMPLETE, nr.neg_state);
	EXPECT_EQ(KUP_MECH_MS_KRB5, nr.supported_mech);
	EXPECT_EQ(NULL, nr.response_token.data);
	free(tok);

	/* Only a token, as an initiator's later leg. */
	ASSERT_EQ(0, kup_spnego_make_resp(KUP_NEG_ABSENT, KUP_MECH_OTHER,
					  ap_req, sizeof(ap_req), NULL, 0,
					  &tok, &len));
	ASSERT_EQ(0, kup_spnego_parse_resp(tok, len, &nr));
	EXPECT_EQ(KUP_NEG_ABSENT, nr.neg_state);
	EXPECT_EQ(0, nr.has_mech);
	free(tok);
}

TEST(resp_as_mit_sends_it)
{
	/* accept-completed, krb5, responseToken: MIT's acceptor reply. */
	static const uint8_t mit[] = {
		0xa1, 0x1e, 0x30, 0x1c,
		0xa0, 0x03, 0x0a, 0x01, 0x00,
		0xa1, 0x0b, KRB5_OID,
		0xa2, 0x08, 0x04, 0x06, 0x6f, 0x04, 0x30, 0x02, 0x05, 0x00,
	};
	static const uint8_t bad_state[] = {
		0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x07,
	};
	static const uint8_t reject[] = {
		0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x02,
	};
	struct kup_neg_resp nr;

	ASSERT_EQ(0, kup_spnego_parse_resp(mit, sizeof(mit), &nr));
	EXPECT_EQ(KUP_NEG_ACCEPT_COMPLETED, nr.neg_state);
	EXPECT_EQ(KUP_MECH_KRB5, nr.supported_mech);
	EXPECT_EQ(6, nr.response_token.len);
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_resp(bad_state,
						  sizeof(bad_state), &nr));
	ASSERT_EQ(0, kup_spnego_parse_resp(reject, sizeof(reject), &nr));
	EXPECT_EQ(KUP_NEG_REJECT, nr.neg_state);
	/* A NegTokenInit is not a NegTokenResp. */
	EXPECT_EQ(-EBADMSG, kup_spnego_parse_resp(windows_init,
						  sizeof(windows_init), &nr));
}

TEST(gss_framing)
{
	static const uint8_t krb5_tok[] = {
		0x60, 0x0f, KRB5_OID, 0x01, 0x00, 0x6e, 0x00 };
	static const uint8_t ms_tok[] = {
		0x60, 0x0d, MSKRB5_OID, 0x01, 0x00 };
	uint8_t longer[sizeof(krb5_tok) + 1] = { 0 };
	enum kup_mech mech;
	size_t n;

	memcpy(longer, krb5_tok, sizeof(krb5_tok));
	EXPECT_EQ(-EBADMSG, kup_gss_framing(longer, sizeof(longer), &mech));
	ASSERT_EQ(0, kup_gss_framing(krb5_tok, sizeof(krb5_tok), &mech));
	EXPECT_EQ(KUP_MECH_KRB5, mech);
	ASSERT_EQ(0, kup_gss_framing(ms_tok, sizeof(ms_tok), &mech));
	EXPECT_EQ(KUP_MECH_MS_KRB5, mech);
	ASSERT_EQ(0, kup_gss_framing(windows_init, sizeof(windows_init),
				     &mech));
	EXPECT_EQ(KUP_MECH_OTHER, mech);	/* SPNEGO */
	/* Truncated anywhere, or with a byte too many: not a token. */
	for (n = 0; n < sizeof(krb5_tok); n++)
		EXPECT_EQ(-EBADMSG, kup_gss_framing(krb5_tok, n, &mech));
	EXPECT_EQ(-EBADMSG, kup_gss_framing((const uint8_t *)"hello", 5,
					    &mech));
}

TEST_HARNESS_MAIN
