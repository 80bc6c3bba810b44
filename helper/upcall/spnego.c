// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: SPNEGO (RFC 4178) token framing, DER by hand.
 *
 * The parser is strict where it matters (every length inside its parent,
 * no indefinite lengths, known tags in order) and ignores only what RFC
 * 4178 allows to be ignored (reqFlags, an initiator's mechListMIC in the
 * first token).
 *
 *   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *       thisMech OID (1.3.6.1.5.5.2), NegotiationToken }
 *   NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit,
 *                                 negTokenResp [1] NegTokenResp }
 *   NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList,
 *       reqFlags [1] ContextFlags OPTIONAL, mechToken [2] OCTET STRING
 *       OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL, ... }
 *   NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL,
 *       supportedMech [1] OID OPTIONAL, responseToken [2] OCTET STRING
 *       OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL, ... }
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spnego.h"

static const uint8_t oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const uint8_t oid_krb5[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
static const uint8_t oid_ms_krb5[] = {
	0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };

const uint8_t kup_spnego_our_mechlist[] = {
	0x30, 0x0b, 0x06, 0x09,
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };
const size_t kup_spnego_our_mechlist_len = sizeof(kup_spnego_our_mechlist);

/* A DER reader over [p, end). */
struct der {
	const uint8_t *p;
	const uint8_t *end;
};

/*
 * Read one TLV with tag @tag; its contents go to @val.  Definite lengths
 * only, at most 4 length octets, all inside the reader.
 */
static int der_get(struct der *d, uint8_t tag, struct der *val)
{
	size_t avail = (size_t)(d->end - d->p), len, n, i;
	const uint8_t *p = d->p;

	if (avail < 2 || p[0] != tag)
		return -EBADMSG;
	len = p[1];
	p += 2;
	avail -= 2;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || n > avail)
			return -EBADMSG;
		len = 0;
		for (i = 0; i < n; i++)
			len = len << 8 | p[i];
		if (len < 0x80)		/* non-minimal: not DER */
			return -EBADMSG;
		p += n;
		avail -= n;
	}
	if (len > avail)
		return -EBADMSG;
	val->p = p;
	val->end = p + len;
	d->p = p + len;
	return 0;
}

static int der_peek(const struct der *d, uint8_t tag)
{
	return d->p < d->end && d->p[0] == tag;
}

static size_t der_len(const struct der *d)
{
	return (size_t)(d->end - d->p);
}

static enum kup_mech mech_of(const struct der *oid)
{
	size_t len = der_len(oid);

	if (len == sizeof(oid_krb5) && !memcmp(oid->p, oid_krb5, len))
		return KUP_MECH_KRB5;
	if (len == sizeof(oid_ms_krb5) && !memcmp(oid->p, oid_ms_krb5, len))
		return KUP_MECH_MS_KRB5;
	return KUP_MECH_OTHER;
}

static void take(struct kup_bytes *b, const struct der *d)
{
	b->data = d->p;
	b->len = (uint32_t)der_len(d);
}

int kup_spnego_parse_init(const uint8_t *tok, size_t len,
			  struct kup_neg_init *out)
{
	struct der all = { tok, tok + len }, app, oid, choice, seq, f, list;
	const uint8_t *list_start;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (der_get(&all, 0x60, &app) || all.p != all.end)
		return -EBADMSG;
	if (der_get(&app, 0x06, &oid) || der_len(&oid) != sizeof(oid_spnego) ||
	    memcmp(oid.p, oid_spnego, sizeof(oid_spnego)))
		return -EBADMSG;
	if (der_get(&app, 0xa0, &choice) || app.p != app.end)
		return -EBADMSG;
	if (der_get(&choice, 0x30, &seq) || choice.p != choice.end)
		return -EBADMSG;

	/* mechTypes [0] SEQUENCE OF OID, at least one. */
	if (der_get(&seq, 0xa0, &f))
		return -EBADMSG;
	list_start = f.p;
	if (der_get(&f, 0x30, &list) || f.p != f.end)
		return -EBADMSG;
	out->mech_types.data = list_start;
	out->mech_types.len = (uint32_t)(list.end - list_start);
	while (list.p < list.end) {
		enum kup_mech m;

		if (der_get(&list, 0x06, &oid) || der_len(&oid) == 0)
			return -EBADMSG;
		m = mech_of(&oid);
		if (n++ == 0)
			out->first_mech = m;
		if (m != KUP_MECH_OTHER)
			out->has_krb5 = 1;
	}
	if (n == 0)
		return -EBADMSG;

	if (der_peek(&seq, 0xa1) && der_get(&seq, 0xa1, &f))	/* reqFlags */
		return -EBADMSG;
	if (der_peek(&seq, 0xa2)) {
		struct der os;

		if (der_get(&seq, 0xa2, &f) || der_get(&f, 0x04, &os) ||
		    f.p != f.end || der_len(&os) == 0)
			return -EBADMSG;
		take(&out->mech_token, &os);
	}
	if (der_peek(&seq, 0xa3) && der_get(&seq, 0xa3, &f))	/* MIC */
		return -EBADMSG;
	/* Extensions after the known fields are allowed ("..."). */
	return 0;
}

int kup_spnego_parse_resp(const uint8_t *tok, size_t len,
			  struct kup_neg_resp *out)
{
	struct der all = { tok, tok + len }, choice, seq, f, v;

	memset(out, 0, sizeof(*out));
	out->neg_state = KUP_NEG_ABSENT;
	if (der_get(&all, 0xa1, &choice) || all.p != all.end)
		return -EBADMSG;
	if (der_get(&choice, 0x30, &seq) || choice.p != choice.end)
		return -EBADMSG;
	if (der_peek(&seq, 0xa0)) {
		if (der_get(&seq, 0xa0, &f) || der_get(&f, 0x0a, &v) ||
		    f.p != f.end || der_len(&v) != 1 || v.p[0] > 3)
			return -EBADMSG;
		out->neg_state = v.p[0];
	}
	if (der_peek(&seq, 0xa1)) {
		if (der_get(&seq, 0xa1, &f) || der_get(&f, 0x06, &v) ||
		    f.p != f.end || der_len(&v) == 0)
			return -EBADMSG;
		out->has_mech = 1;
		out->supported_mech = mech_of(&v);
	}
	if (der_peek(&seq, 0xa2)) {
		if (der_get(&seq, 0xa2, &f) || der_get(&f, 0x04, &v) ||
		    f.p != f.end || der_len(&v) == 0)
			return -EBADMSG;
		take(&out->response_token, &v);
	}
	if (der_peek(&seq, 0xa3)) {
		if (der_get(&seq, 0xa3, &f) || der_get(&f, 0x04, &v) ||
		    f.p != f.end || der_len(&v) == 0)
			return -EBADMSG;
		take(&out->mech_list_mic, &v);
	}
	return 0;
}

/*
 * Is @tok one well-formed GSS-API InitialContextToken framing (RFC 2743
 * 3.1: [APPLICATION 0] { OID, inner token }, one definite length covering
 * exactly the buffer)?  Which mechanism does it name?  MIT reports a
 * truncated token as an unspecified failure; this lets the helper say
 * SEC_E_INVALID_TOKEN for it, as the contract asks.
 */
int kup_gss_framing(const uint8_t *tok, size_t len, enum kup_mech *mech)
{
	struct der all = { tok, tok + len }, app, oid;

	if (der_get(&all, 0x60, &app) || all.p != all.end ||
	    der_get(&app, 0x06, &oid) || der_len(&oid) == 0)
		return -EBADMSG;
	*mech = mech_of(&oid);
	return 0;
}

/* Bytes of a DER header for contents of @len. */
static size_t hdr_len(size_t len)
{
	if (len < 0x80)
		return 2;
	if (len < 0x100)
		return 3;
	if (len < 0x10000)
		return 4;
	return 5;
}

static uint8_t *put_hdr(uint8_t *p, uint8_t tag, size_t len)
{
	*p++ = tag;
	if (len < 0x80) {
		*p++ = (uint8_t)len;
	} else if (len < 0x100) {
		*p++ = 0x81;
		*p++ = (uint8_t)len;
	} else if (len < 0x10000) {
		*p++ = 0x82;
		*p++ = (uint8_t)(len >> 8);
		*p++ = (uint8_t)len;
	} else {
		*p++ = 0x83;
		*p++ = (uint8_t)(len >> 16);
		*p++ = (uint8_t)(len >> 8);
		*p++ = (uint8_t)len;
	}
	return p;
}

/* [tag] { OCTET STRING data }: sizes. */
static size_t wrapped_os_len(size_t len)
{
	size_t os = hdr_len(len) + len;

	return hdr_len(os) + os;
}

static uint8_t *put_wrapped_os(uint8_t *p, uint8_t tag, const uint8_t *data,
			       size_t len)
{
	p = put_hdr(p, tag, hdr_len(len) + len);
	p = put_hdr(p, 0x04, len);
	memcpy(p, data, len);
	return p + len;
}

#define TOKEN_LIMIT	(1u << 20)

int kup_spnego_make_init(const uint8_t *mech_token, size_t len,
			 uint8_t **out, size_t *outlen)
{
	size_t types = hdr_len(kup_spnego_our_mechlist_len) +
		       kup_spnego_our_mechlist_len;
	size_t seq = types + (len ? wrapped_os_len(len) : 0);
	size_t choice = hdr_len(seq) + seq;
	size_t app = 2 + sizeof(oid_spnego) + hdr_len(choice) + choice;
	size_t total = hdr_len(app) + app;
	uint8_t *buf, *p;

	if (len > TOKEN_LIMIT)
		return -EMSGSIZE;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	p = put_hdr(buf, 0x60, app);
	p = put_hdr(p, 0x06, sizeof(oid_spnego));
	memcpy(p, oid_spnego, sizeof(oid_spnego));
	p += sizeof(oid_spnego);
	p = put_hdr(p, 0xa0, choice);
	p = put_hdr(p, 0x30, seq);
	p = put_hdr(p, 0xa0, kup_spnego_our_mechlist_len);
	memcpy(p, kup_spnego_our_mechlist, kup_spnego_our_mechlist_len);
	p += kup_spnego_our_mechlist_len;
	if (len)
		p = put_wrapped_os(p, 0xa2, mech_token, len);
	*out = buf;
	*outlen = (size_t)(p - buf);
	return 0;
}

int kup_spnego_make_resp(int neg_state, enum kup_mech mech,
			 const uint8_t *token, size_t tlen,
			 const uint8_t *mic, size_t miclen,
			 uint8_t **out, size_t *outlen)
{
	const uint8_t *oid = mech == KUP_MECH_MS_KRB5 ? oid_ms_krb5 : oid_krb5;
	size_t oidlen = sizeof(oid_krb5);
	size_t seq = 0, choice, total;
	uint8_t *buf, *p;

	if (tlen > TOKEN_LIMIT || miclen > TOKEN_LIMIT)
		return -EMSGSIZE;
	if (neg_state != KUP_NEG_ABSENT)
		seq += 5;			/* a0 03 0a 01 xx */
	if (mech != KUP_MECH_OTHER)
		seq += hdr_len(2 + oidlen) + 2 + oidlen;
	if (tlen)
		seq += wrapped_os_len(tlen);
	if (miclen)
		seq += wrapped_os_len(miclen);
	choice = hdr_len(seq) + seq;
	total = hdr_len(choice) + choice;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	p = put_hdr(buf, 0xa1, choice);
	p = put_hdr(p, 0x30, seq);
	if (neg_state != KUP_NEG_ABSENT) {
		p = put_hdr(p, 0xa0, 3);
		p = put_hdr(p, 0x0a, 1);
		*p++ = (uint8_t)neg_state;
	}
	if (mech != KUP_MECH_OTHER) {
		p = put_hdr(p, 0xa1, 2 + oidlen);
		p = put_hdr(p, 0x06, oidlen);
		memcpy(p, oid, oidlen);
		p += oidlen;
	}
	if (tlen)
		p = put_wrapped_os(p, 0xa2, token, tlen);
	if (miclen)
		p = put_wrapped_os(p, 0xa3, mic, miclen);
	*out = buf;
	*outlen = (size_t)(p - buf);
	return 0;
}
