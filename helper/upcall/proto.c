// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: encoding and strict decoding of upcall messages.
 *
 * A request comes from the kernel, but it carries names and tokens that
 * users chose, so every size, item and string is checked before anything
 * looks at it: one malformed field fails the whole request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ksspi.h>

#include "proto.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * RFC 4648 base64 with padding, no line breaks, no whitespace; the unused
 * bits of the last group must be zero (one encoding per message).
 */
int kup_base64_decode(const char *in, size_t inlen, uint8_t **out,
		      size_t *outlen)
{
	size_t i, o = 0, pad = 0;
	uint8_t *buf;

	if (inlen == 0 || inlen % 4)
		return -EBADMSG;
	if (in[inlen - 1] == '=')
		pad++;
	if (in[inlen - 2] == '=')
		pad++;
	buf = malloc(inlen / 4 * 3);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < inlen; i += 4) {
		int v[4], k;
		uint32_t w;
		int last = i + 4 == inlen;

		for (k = 0; k < 4; k++) {
			if (last && k >= 4 - (int)pad) {
				if (in[i + k] != '=')
					goto bad;
				v[k] = 0;
				continue;
			}
			v[k] = b64_value((unsigned char)in[i + k]);
			if (v[k] < 0)
				goto bad;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		buf[o++] = w >> 16;
		if (!last || pad < 2)
			buf[o++] = w >> 8;
		else if (w & 0xffff)
			goto bad;
		if (!last || pad < 1)
			buf[o++] = w;
		else if (w & 0xff)
			goto bad;
	}
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return -EBADMSG;
}

char *kup_base64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			w |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			w |= in[i + 2];
		out[o++] = b64[w >> 18 & 63];
		out[o++] = b64[w >> 12 & 63];
		out[o++] = i + 1 < len ? b64[w >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? b64[w & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Non-empty, at most KSSPI_NAME_MAX, no NUL, no control character. */
int kup_string_ok(const uint8_t *s, size_t len)
{
	size_t i;

	if (len == 0 || len > KSSPI_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

const char *kup_op_name(unsigned int op)
{
	switch (op) {
	case KSSPI_UPCALL_ACQUIRE:
		return "acquire";
	case KSSPI_UPCALL_INITIATE:
		return "initiate";
	case KSSPI_UPCALL_ACCEPT:
		return "accept";
	case KSSPI_UPCALL_DONOR:
		return "donor";
	case KSSPI_UPCALL_X509_ACCEPT:
		return "x509-accept";
	case KSSPI_UPCALL_X509_SIGN:
		return "x509-sign";
	case KSSPI_UPCALL_X509_CHAIN:
		return "x509-chain";
	}
	return "?";
}

const char *kup_package_name(unsigned int id)
{
	switch (id) {
	case KSSPI_PACKAGE_KERBEROS:
		return "kerberos";
	case KSSPI_PACKAGE_NEGOTIATE:
		return "negotiate";
	case KSSPI_PACKAGE_X509:
		return "x509";
	case 0:
		return "-";
	}
	return "?";
}

#define BIT(n)	(1u << (n))

/* Which request items each operation may carry. */
static uint32_t items_allowed(unsigned int op)
{
	const uint32_t creds = BIT(KSSPI_UPCALL_GROUPS) |
		BIT(KSSPI_UPCALL_PRINCIPAL) | BIT(KSSPI_UPCALL_CCACHE) |
		BIT(KSSPI_UPCALL_KEYTAB) | BIT(KSSPI_UPCALL_CCACHE_DATA);

	switch (op) {
	case KSSPI_UPCALL_ACQUIRE:
		return creds;
	case KSSPI_UPCALL_INITIATE:
		return creds | BIT(KSSPI_UPCALL_TARGET) |
			BIT(KSSPI_UPCALL_INPUT) | BIT(KSSPI_UPCALL_STATE);
	case KSSPI_UPCALL_ACCEPT:
		/* A target an acceptor's context may carry is ignored. */
		return creds | BIT(KSSPI_UPCALL_TARGET) |
			BIT(KSSPI_UPCALL_INPUT) | BIT(KSSPI_UPCALL_STATE);
	case KSSPI_UPCALL_DONOR:
		return BIT(KSSPI_UPCALL_GROUPS);
	case KSSPI_UPCALL_X509_ACCEPT:
		return BIT(KSSPI_UPCALL_GROUPS) | BIT(KSSPI_UPCALL_X509_CERTS) |
			BIT(KSSPI_UPCALL_X509_TBS) |
			BIT(KSSPI_UPCALL_X509_SIGNATURE) |
			BIT(KSSPI_UPCALL_X509_SIG_ALG) |
			BIT(KSSPI_UPCALL_X509_PROVEN);
	case KSSPI_UPCALL_X509_SIGN:
		return BIT(KSSPI_UPCALL_GROUPS) | BIT(KSSPI_UPCALL_X509_TBS) |
			BIT(KSSPI_UPCALL_X509_SIG_ALG) |
			BIT(KSSPI_UPCALL_X509_KEY_PATH);
	case KSSPI_UPCALL_X509_CHAIN:
		return BIT(KSSPI_UPCALL_GROUPS) | BIT(KSSPI_UPCALL_X509_CERTS) |
			BIT(KSSPI_UPCALL_X509_CHAIN_PATH) |
			BIT(KSSPI_UPCALL_X509_KEY_PATH);
	}
	return 0;
}

static int is_x509_op(unsigned int op)
{
	return op == KSSPI_UPCALL_X509_ACCEPT || op == KSSPI_UPCALL_X509_SIGN ||
	       op == KSSPI_UPCALL_X509_CHAIN;
}

static const uint32_t isc_req_known =
	ISC_REQ_DELEGATE | ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT |
	ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY |
	ISC_REQ_USE_SESSION_KEY | ISC_REQ_PROMPT_FOR_CREDS |
	ISC_REQ_USE_SUPPLIED_CREDS | ISC_REQ_ALLOCATE_MEMORY |
	ISC_REQ_USE_DCE_STYLE | ISC_REQ_DATAGRAM | ISC_REQ_CONNECTION |
	ISC_REQ_CALL_LEVEL | ISC_REQ_FRAGMENT_SUPPLIED |
	ISC_REQ_EXTENDED_ERROR | ISC_REQ_STREAM | ISC_REQ_INTEGRITY |
	ISC_REQ_IDENTIFY | ISC_REQ_NULL_SESSION |
	ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_FRAGMENT_TO_FIT |
	ISC_REQ_FORWARD_CREDENTIALS | ISC_REQ_NO_INTEGRITY |
	ISC_REQ_USE_HTTP_STYLE | ISC_REQ_UNVERIFIED_TARGET_NAME |
	ISC_REQ_CONFIDENTIALITY_ONLY;

static const uint32_t asc_req_known =
	ASC_REQ_DELEGATE | ASC_REQ_MUTUAL_AUTH | ASC_REQ_REPLAY_DETECT |
	ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY |
	ASC_REQ_USE_SESSION_KEY | ASC_REQ_SESSION_TICKET |
	ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_USE_DCE_STYLE | ASC_REQ_DATAGRAM |
	ASC_REQ_CONNECTION | ASC_REQ_CALL_LEVEL | ASC_REQ_FRAGMENT_SUPPLIED |
	ASC_REQ_EXTENDED_ERROR | ASC_REQ_STREAM | ASC_REQ_INTEGRITY |
	ASC_REQ_LICENSING | ASC_REQ_IDENTIFY | ASC_REQ_ALLOW_NULL_SESSION |
	ASC_REQ_ALLOW_NON_USER_LOGONS | ASC_REQ_ALLOW_CONTEXT_REPLAY |
	ASC_REQ_FRAGMENT_TO_FIT | ASC_REQ_NO_TOKEN | ASC_REQ_PROXY_BINDINGS |
	ASC_REQ_ALLOW_MISSING_BINDINGS;

static int header_ok(const struct ksspi_upcall_header *h, size_t len,
		     size_t min, char *err, size_t errlen)
{
	if (len < min)
		return fail(err, errlen, "message of %zu bytes is too short",
			    len);
	if (len > KSSPI_UPCALL_MAX)
		return fail(err, errlen, "message of %zu bytes is too long",
			    len);
	if (h->magic != KSSPI_UPCALL_MAGIC)
		return fail(err, errlen, "bad magic 0x%08x", h->magic);
	if (h->version != KSSPI_UPCALL_VERSION)
		return fail(err, errlen, "unsupported version %u",
			    h->version);
	if (h->size != len)
		return fail(err, errlen, "size %u but %zu bytes", h->size, len);
	if (len % KSSPI_UPCALL_ALIGN)
		return fail(err, errlen, "size %zu not aligned", len);
	return 0;
}

/*
 * Walk the items after a header of @hdrsize bytes; calls @cb for each.
 * Checks bounds, flags, padding and duplicates.
 */
typedef int (*item_cb)(void *arg, uint16_t type, const uint8_t *data,
		       uint32_t len, char *err, size_t errlen);

static int walk_items(const uint8_t *msg, size_t len, size_t hdrsize,
		      item_cb cb, void *arg, char *err, size_t errlen)
{
	size_t off = hdrsize;
	uint32_t seen = 0;

	while (off < len) {
		struct ksspi_upcall_item it;
		size_t padded, i;
		uint16_t type;
		int ret;

		if (len - off < sizeof(it))
			return fail(err, errlen, "truncated item at %zu", off);
		memcpy(&it, msg + off, sizeof(it));
		off += sizeof(it);
		if (it.flags)
			return fail(err, errlen, "item %u has flags 0x%x",
				    it.type, it.flags);
		if (it.len > len - off)
			return fail(err, errlen, "item %u overruns message",
				    it.type);
		padded = (it.len + KSSPI_UPCALL_ALIGN - 1) &
			 ~(size_t)(KSSPI_UPCALL_ALIGN - 1);
		if (padded > len - off)
			return fail(err, errlen, "item %u padding overruns",
				    it.type);
		for (i = it.len; i < padded; i++)
			if (msg[off + i])
				return fail(err, errlen,
					    "item %u: non-zero padding",
					    it.type);
		type = it.type & ~KSSPI_UPCALL_ITEM_OPTIONAL;
		if (type < 32) {
			if (seen & BIT(type))
				return fail(err, errlen, "item %u repeated",
					    type);
			seen |= BIT(type);
		}
		ret = cb(arg, it.type, msg + off, it.len, err, errlen);
		if (ret)
			return ret;
		off += padded;
	}
	return 0;
}

static int copy_string(char **dst, const uint8_t *data, uint32_t len,
		       const char *what, char *err, size_t errlen)
{
	if (!kup_string_ok(data, len))
		return fail(err, errlen, "bad %s string", what);
	*dst = strndup((const char *)data, len);
	if (!*dst)
		return -ENOMEM;
	return 0;
}

static int request_item(void *arg, uint16_t rawtype, const uint8_t *data,
			uint32_t len, char *err, size_t errlen)
{
	struct kup_request *req = arg;
	uint16_t type = rawtype & ~KSSPI_UPCALL_ITEM_OPTIONAL;

	if (type >= 32 || !(items_allowed(req->op) & BIT(type))) {
		/* Known to us but not for this op, or unknown. */
		if (rawtype & KSSPI_UPCALL_ITEM_OPTIONAL &&
		    (type >= 32 || (type > KSSPI_UPCALL_CCACHE_DATA &&
				    type < KSSPI_UPCALL_X509_CERTS)))
			return 0;
		return fail(err, errlen, "item %u not allowed in %s", type,
			    kup_op_name(req->op));
	}
	req->items_seen |= BIT(type);
	switch (type) {
	case KSSPI_UPCALL_GROUPS:
		if (len % 4 || len / 4 > KUP_GROUPS_MAX)
			return fail(err, errlen, "bad groups item");
		req->ngroups = len / 4;
		req->has_groups = 1;
		req->groups = malloc(len ? len : 1);
		if (!req->groups)
			return -ENOMEM;
		memcpy(req->groups, data, len);
		return 0;
	case KSSPI_UPCALL_TARGET:
		return copy_string(&req->target, data, len, "target", err,
				   errlen);
	case KSSPI_UPCALL_PRINCIPAL:
		return copy_string(&req->principal, data, len, "principal",
				   err, errlen);
	case KSSPI_UPCALL_CCACHE:
		return copy_string(&req->ccache, data, len, "ccache", err,
				   errlen);
	case KSSPI_UPCALL_KEYTAB:
		return copy_string(&req->keytab, data, len, "keytab", err,
				   errlen);
	case KSSPI_UPCALL_INPUT:
		if (len == 0 || len > KSSPI_TOKEN_MAX)
			return fail(err, errlen, "bad input token length %u",
				    len);
		req->input.data = data;
		req->input.len = len;
		return 0;
	case KSSPI_UPCALL_STATE:
		if (len == 0 || len > KSSPI_UPCALL_STATE_MAX)
			return fail(err, errlen, "bad state length %u", len);
		req->state.data = data;
		req->state.len = len;
		return 0;
	case KSSPI_UPCALL_CCACHE_DATA:
		if (len == 0)
			return fail(err, errlen, "empty ccache data");
		req->ccache_data.data = data;
		req->ccache_data.len = len;
		return 0;
	case KSSPI_UPCALL_X509_CERTS:
		if (len == 0 || len > KSSPI_UPCALL_X509_CHAIN_MAX)
			return fail(err, errlen, "bad certificates length %u",
				    len);
		req->x509_certs.data = data;
		req->x509_certs.len = len;
		return 0;
	case KSSPI_UPCALL_X509_TBS:
		if (len == 0 || len > KSSPI_UPCALL_X509_TBS_MAX)
			return fail(err, errlen, "bad tbs length %u", len);
		req->x509_tbs.data = data;
		req->x509_tbs.len = len;
		return 0;
	case KSSPI_UPCALL_X509_SIGNATURE:
		if (len == 0 || len > KSSPI_UPCALL_X509_SIG_MAX)
			return fail(err, errlen, "bad signature length %u",
				    len);
		req->x509_sig.data = data;
		req->x509_sig.len = len;
		return 0;
	case KSSPI_UPCALL_X509_SIG_ALG:
		if (len != 4)
			return fail(err, errlen, "bad sig_alg item");
		memcpy(&req->x509_sig_alg, data, 4);
		if (req->x509_sig_alg < KSSPI_X509_SIG_RSA_PKCS1_SHA256 ||
		    req->x509_sig_alg > KSSPI_X509_SIG_RSA_PSS_SHA256)
			return fail(err, errlen, "unknown sig_alg %u",
				    req->x509_sig_alg);
		return 0;
	case KSSPI_UPCALL_X509_KEY_PATH:
		return copy_string(&req->x509_key_path, data, len, "key path",
				   err, errlen);
	case KSSPI_UPCALL_X509_CHAIN_PATH:
		return copy_string(&req->x509_chain_path, data, len,
				   "chain path", err, errlen);
	case KSSPI_UPCALL_X509_PROVEN: {
		uint32_t v;

		if (len != 4)
			return fail(err, errlen, "bad proven item");
		memcpy(&v, data, 4);
		if (v != 1)
			return fail(err, errlen, "bad proven value %u", v);
		req->x509_proven = 1;
		return 0;
	}
	}
	return fail(err, errlen, "item %u unexpected", type);
}

/* The items each x509 operation needs, together. */
static int x509_request_check(const struct kup_request *req, char *err,
			      size_t errlen)
{
	int proof = req->x509_tbs.data && req->x509_sig.data &&
		    req->x509_sig_alg;

	switch (req->op) {
	case KSSPI_UPCALL_X509_ACCEPT:
		if (!req->x509_certs.data)
			return fail(err, errlen, "x509 accept without a chain");
		if (req->x509_proven) {
			if (!(req->flags & KSSPI_UPCALL_F_KERNEL))
				return fail(err, errlen,
					    "proven possession from user space");
			if (req->x509_tbs.data || req->x509_sig.data ||
			    req->x509_sig_alg)
				return fail(err, errlen,
					    "proven possession with a proof");
		} else if (!proof) {
			return fail(err, errlen, "x509 accept without a proof");
		}
		return 0;
	case KSSPI_UPCALL_X509_SIGN:
		if (!req->x509_key_path || !req->x509_tbs.data ||
		    !req->x509_sig_alg)
			return fail(err, errlen, "x509 sign needs key, tbs, alg");
		return 0;
	case KSSPI_UPCALL_X509_CHAIN:
		if (!req->x509_chain_path == !req->x509_certs.data)
			return fail(err, errlen,
				    "x509 chain needs a path or certificates");
		return 0;
	}
	return 0;
}

void kup_request_free(struct kup_request *req)
{
	free(req->groups);
	free(req->target);
	free(req->principal);
	free(req->ccache);
	free(req->keytab);
	free(req->x509_key_path);
	free(req->x509_chain_path);
	memset(req, 0, sizeof(*req));
}

int kup_request_decode(const uint8_t *msg, size_t len,
		       struct kup_request *req, char *err, size_t errlen)
{
	struct ksspi_upcall_request r;
	int ret;

	memset(req, 0, sizeof(*req));
	if (len < sizeof(r))
		return fail(err, errlen, "request of %zu bytes is too short",
			    len);
	memcpy(&r, msg, sizeof(r));
	ret = header_ok(&r.hdr, len, sizeof(r), err, errlen);
	if (ret)
		return ret;
	req->op = r.hdr.op;
	req->flags = r.hdr.flags;
	req->id = r.id;
	req->context_id = r.context_id;
	req->package_id = r.package_id;
	req->leg = r.leg;
	req->req_flags = r.req_flags;
	req->cred_use = r.cred_use;
	req->uid = r.uid;
	req->gid = r.gid;
	req->now = r.now;

	if (!items_allowed(req->op))
		return fail(err, errlen, "unknown op %u", req->op);
	if (req->flags & ~(KSSPI_UPCALL_F_KERNEL | KSSPI_UPCALL_F_LUCID))
		return fail(err, errlen, "unknown flags 0x%x", req->flags);
	if (req->uid == (uint32_t)-1 || req->gid == (uint32_t)-1)
		return fail(err, errlen, "invalid uid/gid");
	if (req->op == KSSPI_UPCALL_DONOR) {
		if (req->package_id || req->context_id || req->leg ||
		    req->req_flags || req->cred_use)
			return fail(err, errlen, "donor with package fields");
	} else if (is_x509_op(req->op)) {
		if (req->package_id != KSSPI_PACKAGE_X509)
			return fail(err, errlen, "x509 op for package %u",
				    req->package_id);
		if (req->cred_use != (req->op == KSSPI_UPCALL_X509_ACCEPT ?
				      SECPKG_CRED_INBOUND :
				      SECPKG_CRED_OUTBOUND))
			return fail(err, errlen, "bad cred_use %u",
				    req->cred_use);
	} else {
		if (req->package_id != KSSPI_PACKAGE_KERBEROS &&
		    req->package_id != KSSPI_PACKAGE_NEGOTIATE)
			return fail(err, errlen, "unknown package %u",
				    req->package_id);
		if (req->cred_use < SECPKG_CRED_INBOUND ||
		    req->cred_use > SECPKG_CRED_BOTH)
			return fail(err, errlen, "bad cred_use %u",
				    req->cred_use);
	}
	switch (req->op) {
	case KSSPI_UPCALL_ACQUIRE:
		if (req->context_id || req->leg || req->req_flags)
			return fail(err, errlen, "acquire with context fields");
		break;
	case KSSPI_UPCALL_INITIATE:
		if (!(req->cred_use & SECPKG_CRED_OUTBOUND))
			return fail(err, errlen, "initiate on inbound handle");
		if (req->req_flags & ~isc_req_known)
			return fail(err, errlen, "unknown ISC_REQ 0x%x",
				    req->req_flags & ~isc_req_known);
		break;
	case KSSPI_UPCALL_ACCEPT:
		if (!(req->cred_use & SECPKG_CRED_INBOUND))
			return fail(err, errlen, "accept on outbound handle");
		if (req->req_flags & ~asc_req_known)
			return fail(err, errlen, "unknown ASC_REQ 0x%x",
				    req->req_flags & ~asc_req_known);
		break;
	}
	if (req->leg > KUP_LEG_MAX)
		return fail(err, errlen, "leg %u too large", req->leg);

	ret = walk_items(msg, len, sizeof(r), request_item, req, err, errlen);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (is_x509_op(req->op) && x509_request_check(req, err, errlen))
		goto out;
	if (req->op == KSSPI_UPCALL_INITIATE && !req->target) {
		fail(err, errlen, "initiate without target");
		goto out;
	}
	if (req->op == KSSPI_UPCALL_ACCEPT && !req->input.data) {
		fail(err, errlen, "accept without input token");
		goto out;
	}
	if ((req->op == KSSPI_UPCALL_INITIATE ||
	     req->op == KSSPI_UPCALL_ACCEPT) &&
	    !!req->leg != !!req->state.data) {
		fail(err, errlen, "leg %u %s state", req->leg,
		     req->leg ? "without" : "with");
		goto out;
	}
	if (req->op == KSSPI_UPCALL_INITIATE &&
	    !!req->leg != !!req->input.data) {
		fail(err, errlen, "initiate leg %u %s input", req->leg,
		     req->leg ? "without" : "with");
		goto out;
	}
	return 0;
out:
	kup_request_free(req);
	return ret;
}

void kup_msg_init(struct kup_msg *m, size_t hdrsize)
{
	memset(m, 0, sizeof(*m));
	m->cap = 4096;
	m->buf = calloc(1, m->cap);
	if (!m->buf) {
		m->failed = 1;
		return;
	}
	m->len = hdrsize;
}

void kup_msg_item(struct kup_msg *m, uint16_t type, const void *data,
		  size_t len)
{
	struct ksspi_upcall_item it = { .type = type, .len = (uint32_t)len };
	size_t padded = (len + KSSPI_UPCALL_ALIGN - 1) &
			~(size_t)(KSSPI_UPCALL_ALIGN - 1);
	size_t need;

	if (m->failed)
		return;
	if (len > KSSPI_UPCALL_MAX ||
	    m->len + sizeof(it) + padded > KSSPI_UPCALL_MAX) {
		m->failed = 1;
		return;
	}
	need = m->len + sizeof(it) + padded;
	if (need > m->cap) {
		size_t cap = m->cap;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(m->buf, cap);
		if (!nb) {
			m->failed = 1;
			return;
		}
		memset(nb + m->cap, 0, cap - m->cap);
		m->buf = nb;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, &it, sizeof(it));
	if (len)
		memcpy(m->buf + m->len + sizeof(it), data, len);
	m->len = need;
}

/* Fill in the common header; the caller has written the rest of it. */
int kup_msg_finish(struct kup_msg *m, uint16_t op, uint32_t flags)
{
	struct ksspi_upcall_header h = {
		.magic = KSSPI_UPCALL_MAGIC,
		.version = KSSPI_UPCALL_VERSION,
		.op = op,
		.flags = flags,
	};

	if (m->failed)
		return -EMSGSIZE;
	h.size = (uint32_t)m->len;
	memcpy(m->buf, &h, sizeof(h));
	return 0;
}

void kup_msg_free(struct kup_msg *m)
{
	if (m->buf) {
		memset(m->buf, 0, m->cap);
		free(m->buf);
	}
	memset(m, 0, sizeof(*m));
}

static int response_item(void *arg, uint16_t type, const uint8_t *data,
			 uint32_t len, char *err, size_t errlen)
{
	struct kup_response *resp = arg;

	switch (type) {
	case KSSPI_UPCALL_GROUPS:
		if (len % 4)
			return fail(err, errlen, "bad groups item");
		break;
	case KSSPI_UPCALL_STATE:
		if (len == 0 || len > KSSPI_UPCALL_STATE_MAX)
			return fail(err, errlen, "bad state item");
		break;
	case KSSPI_UPCALL_CLIENT_NAME:
	case KSSPI_UPCALL_SERVER_NAME:
	case KSSPI_UPCALL_LOCAL_NAME:
	case KSSPI_UPCALL_MESSAGE:
		if (!kup_string_ok(data, len))
			return fail(err, errlen, "bad string item %u", type);
		break;
	case KSSPI_UPCALL_LUCID:
		if (len != sizeof(struct ksspi_upcall_lucid))
			return fail(err, errlen, "bad lucid item");
		break;
	case KSSPI_UPCALL_X509_SIG_ALG:
	case KSSPI_UPCALL_X509_STRENGTH:
		if (len != 4)
			return fail(err, errlen, "bad item %u", type);
		break;
	case KSSPI_UPCALL_OUTPUT:
	case KSSPI_UPCALL_SESSION_KEY:
	case KSSPI_UPCALL_DELEGATED:
	case KSSPI_UPCALL_X509_CERTS:
	case KSSPI_UPCALL_X509_SIGNATURE:
		if (len == 0)
			return fail(err, errlen, "empty item %u", type);
		break;
	default:
		return fail(err, errlen, "unknown response item %u", type);
	}
	resp->items[type].data = data;
	resp->items[type].len = len;
	resp->items_seen |= BIT(type);
	return 0;
}

int kup_response_decode(const uint8_t *msg, size_t len,
			struct kup_response *resp, char *err, size_t errlen)
{
	int ret;

	memset(resp, 0, sizeof(*resp));
	if (len < sizeof(resp->hdr))
		return fail(err, errlen, "response of %zu bytes is too short",
			    len);
	memcpy(&resp->hdr, msg, sizeof(resp->hdr));
	ret = header_ok(&resp->hdr.hdr, len, sizeof(resp->hdr), err, errlen);
	if (ret)
		return ret;
	if (resp->hdr.hdr.flags)
		return fail(err, errlen, "response flags 0x%x",
			    resp->hdr.hdr.flags);
	return walk_items(msg, len, sizeof(resp->hdr), response_item, resp,
			  err, errlen);
}
