// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: GSS/Kerberos status -> SECURITY_STATUS, the
 * contract table row by row, for every phase it applies to.
 */
#include <gssapi/gssapi.h>
#include <krb5.h>
#include <linux/ksspi.h>

#include "kselftest_harness.h"
#include "status.h"

FIXTURE(map) {};
FIXTURE_SETUP(map) {}
FIXTURE_TEARDOWN(map) {}

FIXTURE_VARIANT(map)
{
	enum kup_phase phase;
	uint32_t major;
	int32_t minor;
	int32_t expect;
};

#define V(name, ph, maj, min, exp)					\
	FIXTURE_VARIANT_ADD(map, name) {				\
		.phase = ph, .major = maj, .minor = min, .expect = exp	\
	}

/* Success and continuation. */
V(complete, KUP_PHASE_ACCEPT, GSS_S_COMPLETE, 0, SEC_E_OK);
V(continue, KUP_PHASE_INIT_FIRST, GSS_S_CONTINUE_NEEDED, 0,
  SEC_I_CONTINUE_NEEDED);
/* Wrong service key, bad checksum/decrypt -> LOGON_DENIED. */
V(stale_kvno, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5_KT_KVNONOTFOUND,
  SEC_E_LOGON_DENIED);
V(no_key_in_keytab, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5_KT_NOTFOUND,
  SEC_E_LOGON_DENIED);
V(bad_integrity, KUP_PHASE_ACCEPT, GSS_S_FAILURE,
  KRB5KRB_AP_ERR_BAD_INTEGRITY, SEC_E_LOGON_DENIED);
V(modified, KUP_PHASE_ACCEPT, GSS_S_DEFECTIVE_TOKEN, KRB5KRB_AP_ERR_MODIFIED,
  SEC_E_LOGON_DENIED);
V(bad_mic_accept, KUP_PHASE_ACCEPT, GSS_S_BAD_SIG, 0, SEC_E_LOGON_DENIED);
/* Tampered, truncated, not GSS, wrong mech -> INVALID_TOKEN. */
V(defective, KUP_PHASE_ACCEPT, GSS_S_DEFECTIVE_TOKEN, 0, SEC_E_INVALID_TOKEN);
V(bad_header, KUP_PHASE_ACCEPT, GSS_S_DEFECTIVE_TOKEN, KUP_G_BAD_TOK_HEADER,
  SEC_E_INVALID_TOKEN);
V(truncated, KUP_PHASE_ACCEPT, GSS_S_DEFECTIVE_TOKEN, KUP_G_TOK_TRUNC,
  SEC_E_INVALID_TOKEN);
V(asn1, KUP_PHASE_ACCEPT, GSS_S_FAILURE, ASN1_BAD_ID, SEC_E_INVALID_TOKEN);
V(wrong_mech, KUP_PHASE_ACCEPT, GSS_S_BAD_MECH, KUP_G_WRONG_MECH,
  SEC_E_INVALID_TOKEN);
V(msg_type, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5KRB_AP_ERR_MSG_TYPE,
  SEC_E_INVALID_TOKEN);
V(truncated_reply, KUP_PHASE_INIT_REPLY, GSS_S_DEFECTIVE_TOKEN,
  KUP_G_TOK_TRUNC, SEC_E_INVALID_TOKEN);
/* Clock skew -> TIME_SKEW, on both sides. */
V(skew_accept, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW,
  SEC_E_TIME_SKEW);
V(skew_init, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW,
  SEC_E_TIME_SKEW);
V(skew_kdc, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE, KRB5_KDCREP_SKEW,
  SEC_E_TIME_SKEW);
/* Expired ticket -> CONTEXT_EXPIRED (acceptor); expired TGT -> NO_CREDENTIALS. */
V(expired_accept, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5KRB_AP_ERR_TKT_EXPIRED,
  SEC_E_CONTEXT_EXPIRED);
V(expired_major, KUP_PHASE_ACCEPT, GSS_S_CONTEXT_EXPIRED, 0,
  SEC_E_CONTEXT_EXPIRED);
V(expired_tgt, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE,
  KRB5KRB_AP_ERR_TKT_EXPIRED, SEC_E_NO_CREDENTIALS);
V(cred_expired, KUP_PHASE_INIT_FIRST, GSS_S_CREDENTIALS_EXPIRED, 0,
  SEC_E_NO_CREDENTIALS);
/* Replay -> LOGON_DENIED. */
V(replay, KUP_PHASE_ACCEPT, GSS_S_FAILURE, KRB5KRB_AP_ERR_REPEAT,
  SEC_E_LOGON_DENIED);
V(duplicate, KUP_PHASE_ACCEPT, GSS_S_FAILURE | GSS_S_DUPLICATE_TOKEN, 0,
  SEC_E_LOGON_DENIED);
/* No credentials. */
V(no_ccache, KUP_PHASE_INIT_FIRST, GSS_S_NO_CRED, KRB5_FCC_NOFILE,
  SEC_E_NO_CREDENTIALS);
V(cc_notfound, KUP_PHASE_ACQUIRE, GSS_S_FAILURE, KRB5_CC_NOTFOUND,
  SEC_E_NO_CREDENTIALS);
V(no_tgt, KUP_PHASE_INIT_FIRST, GSS_S_NO_CRED, KUP_KG_TGT_MISSING,
  SEC_E_NO_CREDENTIALS);
V(empty_ccache, KUP_PHASE_ACQUIRE, GSS_S_NO_CRED, KUP_KG_EMPTY_CCACHE,
  SEC_E_NO_CREDENTIALS);
V(no_cred_major, KUP_PHASE_INIT_FIRST, GSS_S_NO_CRED, 0,
  SEC_E_NO_CREDENTIALS);
/* Target unknown to the KDC. */
V(s_principal_unknown, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE,
  KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, SEC_E_TARGET_UNKNOWN);
V(bad_name, KUP_PHASE_INIT_FIRST, GSS_S_BAD_NAME, 0, SEC_E_TARGET_UNKNOWN);
/* KDC unreachable. */
V(kdc_unreach, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE, KRB5_KDC_UNREACH,
  SEC_E_NO_AUTHENTICATING_AUTHORITY);
V(kdc_unreach_acquire, KUP_PHASE_ACQUIRE, GSS_S_FAILURE, KRB5_KDC_UNREACH,
  SEC_E_NO_AUTHENTICATING_AUTHORITY);
V(realm_unresolvable, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE,
  KRB5_REALM_CANT_RESOLVE, SEC_E_NO_AUTHENTICATING_AUTHORITY);
/* Mutual authentication: an AP-REP that does not verify. */
V(aprep_modified, KUP_PHASE_INIT_REPLY, GSS_S_FAILURE,
  KRB5KRB_AP_ERR_MODIFIED, SEC_E_MUTUAL_AUTH_FAILED);
V(aprep_integrity, KUP_PHASE_INIT_REPLY, GSS_S_FAILURE,
  KRB5KRB_AP_ERR_BAD_INTEGRITY, SEC_E_MUTUAL_AUTH_FAILED);
V(aprep_bad_sig, KUP_PHASE_INIT_REPLY, GSS_S_BAD_SIG, 0,
  SEC_E_MUTUAL_AUTH_FAILED);
V(aprep_not_aprep, KUP_PHASE_INIT_REPLY, GSS_S_FAILURE,
  KRB5KRB_AP_ERR_MSG_TYPE, SEC_E_MUTUAL_AUTH_FAILED);
V(aprep_unknown, KUP_PHASE_INIT_REPLY, GSS_S_FAILURE, 12345,
  SEC_E_MUTUAL_AUTH_FAILED);
/* Whatever else fails on the acceptor is a denied logon. */
V(accept_unknown, KUP_PHASE_ACCEPT, GSS_S_FAILURE, 12345, SEC_E_LOGON_DENIED);
V(init_unknown, KUP_PHASE_INIT_FIRST, GSS_S_FAILURE, 12345,
  SEC_E_INTERNAL_ERROR);

TEST_F(map, status)
{
	int32_t got = kup_map_status(variant->phase, variant->major,
				     variant->minor);

	EXPECT_EQ(variant->expect, got)
		TH_LOG("got %s (0x%08x), want %s", kup_status_name(got),
		       (unsigned int)got, kup_status_name(variant->expect));
}

TEST(names)
{
	EXPECT_STREQ("SEC_E_OK", kup_status_name(SEC_E_OK));
	EXPECT_STREQ("SEC_E_TIME_SKEW", kup_status_name(SEC_E_TIME_SKEW));
	EXPECT_STREQ("SEC_E_?", kup_status_name(12345));
}

TEST_HARNESS_MAIN
