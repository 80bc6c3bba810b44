/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: a minimal SPNEGO (RFC 4178) around the krb5 mechanism.
 *
 * MIT cannot export a partially established SPNEGO context, and a fresh
 * helper process runs every leg, so the helper frames the krb5 tokens
 * itself and carries only the krb5 context between legs.  It offers and
 * accepts Kerberos only (the standard OID, and Microsoft's legacy one from
 * peers), optimistically, as the preferred mechanism: no mechListMIC is
 * needed then (RFC 4178 section 5), and one the peer sends is verified.
 */
#ifndef KSSPI_UPCALL_SPNEGO_H
#define KSSPI_UPCALL_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum kup_neg_state {
	KUP_NEG_ACCEPT_COMPLETED = 0,
	KUP_NEG_ACCEPT_INCOMPLETE = 1,
	KUP_NEG_REJECT = 2,
	KUP_NEG_REQUEST_MIC = 3,
	KUP_NEG_ABSENT = -1,
};

/* Mechanisms we know by OID. */
enum kup_mech {
	KUP_MECH_OTHER,
	KUP_MECH_KRB5,		/* 1.2.840.113554.1.2.2 */
	KUP_MECH_MS_KRB5,	/* 1.2.840.48018.1.2.2 */
};

/* A parsed NegTokenInit. */
struct kup_neg_init {
	enum kup_mech first_mech;	/* the initiator's preferred mech */
	int has_krb5;			/* krb5 somewhere in the list */
	struct kup_bytes mech_types;	/* DER of the MechTypeList */
	struct kup_bytes mech_token;	/* optimistic token, if any */
};

/* A parsed NegTokenResp. */
struct kup_neg_resp {
	int neg_state;			/* enum kup_neg_state */
	int has_mech;
	enum kup_mech supported_mech;
	struct kup_bytes response_token;
	struct kup_bytes mech_list_mic;
};

/* DER of the MechTypeList this helper sends: SEQUENCE { krb5 }. */
extern const uint8_t kup_spnego_our_mechlist[];
extern const size_t kup_spnego_our_mechlist_len;

int kup_gss_framing(const uint8_t *tok, size_t len, enum kup_mech *mech);
int kup_spnego_parse_init(const uint8_t *tok, size_t len,
			  struct kup_neg_init *out);
int kup_spnego_parse_resp(const uint8_t *tok, size_t len,
			  struct kup_neg_resp *out);
int kup_spnego_make_init(const uint8_t *mech_token, size_t len,
			 uint8_t **out, size_t *outlen);
int kup_spnego_make_resp(int neg_state, enum kup_mech mech,
			 const uint8_t *token, size_t tlen,
			 const uint8_t *mic, size_t miclen,
			 uint8_t **out, size_t *outlen);

#endif
