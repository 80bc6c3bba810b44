// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: map GSS-API major/minor status to SECURITY_STATUS.
 *
 * The minor status decides first: it is the Kerberos error that says what
 * really happened (clock skew, expired ticket, replay, bad key).  Because
 * the helper does its own SPNEGO framing around the krb5 mechanism, the
 * minor status it sees is always the krb5 mechanism's, for both packages.
 * The major status decides when the minor one is not specific.
 */
#include <gssapi/gssapi.h>
#include <krb5.h>
#include <linux/ksspi.h>

#include "status.h"
#include "x509.h"

/* Errors that say the token is not what it should be. */
static int token_error(int32_t minor)
{
	switch (minor) {
	case KUP_G_WRONG_MECH:
	case KUP_G_BAD_TOK_HEADER:
	case KUP_G_TOK_TRUNC:
	case KUP_G_WRONG_TOKID:
	case KUP_G_BAD_DIRECTION:
	case KUP_G_REFLECT:
	case KUP_KG_BAD_LENGTH:
	case KRB5KRB_AP_ERR_MSG_TYPE:
	case KRB5KRB_AP_ERR_BADVERSION:
	case KRB5_BADMSGTYPE:
	case ASN1_BAD_ID:
	case ASN1_OVERRUN:
	case ASN1_BAD_LENGTH:
	case ASN1_BAD_FORMAT:
	case ASN1_PARSE_ERROR:
	case ASN1_MISSING_FIELD:
	case ASN1_MISPLACED_FIELD:
	case ASN1_TYPE_MISMATCH:
	case ASN1_BAD_TIMEFORMAT:
	case ASN1_BAD_GMTIME:
	case ASN1_INDEF:
	case ASN1_OVERFLOW:
	case ASN1_MISSING_EOC:
	case ASN1_OMITTED:
	case KRB5_BAD_MSIZE:
	case KRB5_BAD_ENCTYPE:
	case KRB5_PROG_ETYPE_NOSUPP:
		return 1;
	}
	return 0;
}

/* Errors that say a key or checksum did not verify. */
static int crypto_error(int32_t minor)
{
	switch (minor) {
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_MODIFIED:
	case KRB5KRB_AP_ERR_BADKEYVER:
	case KRB5KRB_AP_ERR_NOKEY:
	case KRB5KRB_AP_ERR_BADMATCH:
	case KRB5KRB_AP_ERR_NOT_US:
	case KRB5KRB_AP_WRONG_PRINC:
	case KRB5KRB_AP_ERR_INAPP_CKSUM:
	case KRB5KRB_AP_ERR_BADADDR:
	case KRB5KRB_AP_ERR_BADSEQ:
	case KRB5KRB_AP_ERR_BADORDER:
	case KRB5KRB_AP_ERR_ILL_CR_TKT:
	case KRB5KRB_AP_ERR_TKT_INVALID:
	case KRB5KRB_ERR_GENERIC:
	case KRB5_KT_KVNONOTFOUND:
	case KRB5_KT_NOTFOUND:
	case KUP_KG_KEYTAB_NOMATCH:
	case KUP_KG_BAD_SEQ:
	case KRB5_BAD_KEYSIZE:
		return 1;
	}
	return 0;
}

/* The initiator's own credentials are missing or unusable. */
static int nocred_error(int32_t minor)
{
	switch (minor) {
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_NOSUPP:
	case KRB5_CC_BADNAME:
	case KRB5_CC_FORMAT:
	case KRB5_CC_END:
	case KRB5_FCC_PERM:
	case KRB5_NO_TKT_SUPPLIED:
	case KRB5_KT_END:
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_CLIENT_REVOKED:
	case KRB5KDC_ERR_KEY_EXP:
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KDC_ERR_PREAUTH_REQUIRED:
	case KRB5_PREAUTH_FAILED:
	case KUP_KG_CCACHE_NOMATCH:
	case KUP_KG_TGT_MISSING:
	case KUP_KG_EMPTY_CCACHE:
		return 1;
	}
	return 0;
}

int32_t kup_map_status(enum kup_phase phase, uint32_t major, int32_t minor)
{
	uint32_t routine = GSS_ROUTINE_ERROR(major);
	int initiator = phase == KUP_PHASE_INIT_FIRST ||
			phase == KUP_PHASE_INIT_REPLY ||
			phase == KUP_PHASE_ACQUIRE;

	if (!GSS_ERROR(major))
		return major & GSS_S_CONTINUE_NEEDED ? SEC_I_CONTINUE_NEEDED :
						       SEC_E_OK;

	/* What the minor status says, whatever the major. */
	switch (minor) {
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5KDC_ERR_NEVER_VALID:
	case KRB5KRB_AP_ERR_TKT_NYV:
		return SEC_E_TIME_SKEW;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		/* An initiator's expired ticket is its TGT (or the KDC's). */
		return initiator && phase != KUP_PHASE_INIT_REPLY ?
			SEC_E_NO_CREDENTIALS : SEC_E_CONTEXT_EXPIRED;
	case KRB5KRB_AP_ERR_REPEAT:
		return SEC_E_LOGON_DENIED;
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
	case KRB5_REALM_UNKNOWN:
		return phase == KUP_PHASE_ACCEPT ? SEC_E_LOGON_DENIED :
						   SEC_E_TARGET_UNKNOWN;
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	case KRB5_KDCREP_SKEW:
		return SEC_E_TIME_SKEW;
	}
	if (token_error(minor))
		return phase == KUP_PHASE_INIT_REPLY &&
		       minor == KRB5KRB_AP_ERR_MSG_TYPE ?
			SEC_E_MUTUAL_AUTH_FAILED : SEC_E_INVALID_TOKEN;
	if (crypto_error(minor))
		return phase == KUP_PHASE_INIT_REPLY ?
			SEC_E_MUTUAL_AUTH_FAILED : SEC_E_LOGON_DENIED;
	if (nocred_error(minor))
		return phase == KUP_PHASE_ACCEPT ? SEC_E_LOGON_DENIED :
						   SEC_E_NO_CREDENTIALS;

	switch (routine) {
	case GSS_S_DEFECTIVE_TOKEN:
	case GSS_S_BAD_MECH:
	case GSS_S_BAD_MIC:
	case GSS_S_DEFECTIVE_CREDENTIAL:
		if (routine == GSS_S_BAD_MIC)
			return phase == KUP_PHASE_INIT_REPLY ?
				SEC_E_MUTUAL_AUTH_FAILED : SEC_E_LOGON_DENIED;
		if (routine == GSS_S_DEFECTIVE_CREDENTIAL)
			return SEC_E_LOGON_DENIED;
		return SEC_E_INVALID_TOKEN;
	case GSS_S_NO_CRED:
		return SEC_E_NO_CREDENTIALS;
	case GSS_S_CREDENTIALS_EXPIRED:
		return phase == KUP_PHASE_ACCEPT ? SEC_E_CONTEXT_EXPIRED :
						   SEC_E_NO_CREDENTIALS;
	case GSS_S_CONTEXT_EXPIRED:
		return SEC_E_CONTEXT_EXPIRED;
	case GSS_S_BAD_NAME:
	case GSS_S_BAD_NAMETYPE:
		return SEC_E_TARGET_UNKNOWN;
	case GSS_S_DUPLICATE_TOKEN:
	case GSS_S_DUPLICATE_ELEMENT:
		return SEC_E_LOGON_DENIED;
	case GSS_S_BAD_BINDINGS:
		return SEC_E_BAD_BINDINGS;
	case GSS_S_UNAUTHORIZED:
		return SEC_E_LOGON_DENIED;
	}
	switch (phase) {
	case KUP_PHASE_ACCEPT:
		return SEC_E_LOGON_DENIED;
	case KUP_PHASE_INIT_REPLY:
		return SEC_E_MUTUAL_AUTH_FAILED;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

const char *kup_status_name(int32_t status)
{
	switch (status) {
#define S(x) case x: return #x
	S(SEC_E_OK);
	S(SEC_I_CONTINUE_NEEDED);
	S(SEC_E_INSUFFICIENT_MEMORY);
	S(SEC_E_INTERNAL_ERROR);
	S(SEC_E_TARGET_UNKNOWN);
	S(SEC_E_INVALID_TOKEN);
	S(SEC_E_LOGON_DENIED);
	S(SEC_E_UNKNOWN_CREDENTIALS);
	S(SEC_E_NO_CREDENTIALS);
	S(SEC_E_NOT_OWNER);
	S(SEC_E_NO_AUTHENTICATING_AUTHORITY);
	S(SEC_E_CONTEXT_EXPIRED);
	S(SEC_E_TIME_SKEW);
	S(SEC_E_MUTUAL_AUTH_FAILED);
	S(SEC_E_BAD_BINDINGS);
	S(SEC_E_UNSUPPORTED_FUNCTION);
	S(SEC_E_INVALID_PARAMETER);
	S(SEC_E_WRONG_PRINCIPAL);
	/* x509 */
	S(SEC_E_UNTRUSTED_ROOT);
	S(SEC_E_CERT_UNKNOWN);
	S(SEC_E_CERT_EXPIRED);
	S(SEC_E_CERT_WRONG_USAGE);
	S(CRYPT_E_REVOKED);
	S(SEC_E_ALGORITHM_MISMATCH);
	S(SEC_E_BUFFER_TOO_SMALL);
#undef S
	}
	return "SEC_E_?";
}
