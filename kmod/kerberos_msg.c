// SPDX-License-Identifier: GPL-2.0
/*
 * Per-message protection of the kerberos and negotiate packages: SSPI's
 * MakeSignature, VerifySignature, EncryptMessage and DecryptMessage as
 * RFC 4121 MIC and Wrap tokens, without an upcall.
 *
 * When a context is established the helper sends MIT's lucid context (the
 * token protocol, who initiated, whether the key is the acceptor's subkey,
 * both initial sequence numbers) with the session key; the keys and
 * transforms are made once here (krb5.h) and live only in the context.
 *
 * This file maps SecBuffers onto token pieces and owns the sequence state:
 * the next number to send, and for received tokens either strict order
 * (SEQUENCE_DETECT) or a 64-entry replay window (REPLAY_DETECT alone), as
 * in RFC 2203 and knfsd.  A token whose integrity check failed never
 * changes the window.  One mutex per context serialises a whole message
 * call, so two threads on one context cannot hand out the same sequence
 * number or race on the window.
 */
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "object.h"
#include "package.h"
#include "krb5.h"
#include "kerberos_msg.h"

#define SEQ_FLAGS	(ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT)
#define WINDOW		64

/**
 * struct ksspi_krb5_msg - Message state of one established context.
 * @lock: serialises message calls: the sequence state and the transforms.
 * @k: keys and transforms.
 * @seq_flags: ISC_RET_REPLAY_DETECT and ISC_RET_SEQUENCE_DETECT (the same
 *	bits as the ASC_RET_ ones) in effect for received tokens.
 * @send_seq: sequence number of the next token made.
 * @recv_top: one more than the highest sequence number accepted (or the
 *	peer's initial number before any).
 * @recv_window: bit i set: @recv_top - 1 - i was accepted (numbers below
 *	the peer's initial one count as accepted).
 */
struct ksspi_krb5_msg {
	struct mutex lock;	/* see above */
	struct ksspi_krb5_ctx *k;
	u32 seq_flags;
	u64 send_seq;
	u64 recv_top;
	u64 recv_window;
};

/**
 * ksspi_krb5_msg_new() - Message state for a context being established.
 * @ctx: the context, with its session key, enctype and ret_flags set.
 * @lucid: the helper's lucid context.
 * @mp: where to store the state.
 *
 * Context: with ctx->lock held.
 * Return: %SEC_E_OK; %SEC_E_UNSUPPORTED_FUNCTION when the enctype or the
 * token protocol has no in-kernel support (RC4, DES3, Camellia, or no
 * crypto driver); %SEC_E_INSUFFICIENT_MEMORY; or
 * %SEC_E_NO_AUTHENTICATING_AUTHORITY for a lucid context that contradicts
 * the context (a malformed helper answer).
 */
s32 ksspi_krb5_msg_new(struct ksspi_context *ctx,
		       const struct ksspi_upcall_lucid *lucid,
		       struct ksspi_krb5_msg **mp)
{
	struct ksspi_krb5_msg *m;
	u32 flags = 0;
	s32 status;

	/* One set of bits serves both directions, requested and granted. */
	BUILD_BUG_ON(ISC_RET_REPLAY_DETECT ^ ASC_RET_REPLAY_DETECT);
	BUILD_BUG_ON(ISC_RET_SEQUENCE_DETECT ^ ASC_RET_SEQUENCE_DETECT);
	BUILD_BUG_ON(ISC_REQ_REPLAY_DETECT ^ ISC_RET_REPLAY_DETECT);
	BUILD_BUG_ON(ISC_REQ_SEQUENCE_DETECT ^ ISC_RET_SEQUENCE_DETECT);
	BUILD_BUG_ON(ASC_REQ_REPLAY_DETECT ^ ASC_RET_REPLAY_DETECT);
	BUILD_BUG_ON(ASC_REQ_SEQUENCE_DETECT ^ ASC_RET_SEQUENCE_DETECT);
	lockdep_assert_held(&ctx->lock);

	*mp = NULL;
	if (!!(lucid->flags & KSSPI_UPCALL_LUCID_INITIATOR) != ctx->initiator) {
		pr_warn_ratelimited("ksspi: %s context %llu: helper response refused: lucid context of the other side\n",
				    ctx->pkg->name, ctx->id);
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	}
	if (lucid->protocol != 1 || !ctx->session_key ||
	    !ksspi_krb5_enctype_supported(ctx->enctype))
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (ctx->initiator)
		flags |= KSSPI_KRB5_F_INITIATOR;
	if (lucid->flags & KSSPI_UPCALL_LUCID_ACCEPTOR_SUBKEY)
		flags |= KSSPI_KRB5_F_ACCEPTOR_SUBKEY;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return SEC_E_INSUFFICIENT_MEMORY;
	m->k = ksspi_krb5_ctx_new(ctx->enctype, ctx->session_key,
				  ctx->session_key_len, flags, GFP_KERNEL);
	if (IS_ERR(m->k)) {
		switch (PTR_ERR(m->k)) {
		case -ENOMEM:
			status = SEC_E_INSUFFICIENT_MEMORY;
			break;
		case -ENOPKG:
		case -ENOENT:
			status = SEC_E_UNSUPPORTED_FUNCTION;
			break;
		default:
			pr_warn_ratelimited("ksspi: %s context %llu: session key refused (%ld)\n",
					    ctx->pkg->name, ctx->id,
					    PTR_ERR(m->k));
			status = SEC_E_NO_AUTHENTICATING_AUTHORITY;
			break;
		}
		kfree(m);
		return status;
	}
	mutex_init(&m->lock);
	/* What the peer negotiated, and what this side asked for itself. */
	m->seq_flags = (ctx->ret_flags | ctx->req_flags) & SEQ_FLAGS;
	ctx->ret_flags |= m->seq_flags;
	m->send_seq = lucid->send_seq;
	m->recv_top = lucid->recv_seq;
	m->recv_window = ~0ULL;
	*mp = m;
	return SEC_E_OK;
}

/**
 * ksspi_krb5_msg_free() - Wipe and free the message state of a context.
 * @m: the state, or NULL.
 */
void ksspi_krb5_msg_free(struct ksspi_krb5_msg *m)
{
	if (!m)
		return;
	ksspi_krb5_ctx_free(m->k);
	mutex_destroy(&m->lock);
	kfree_sensitive(m);
}

/* Whether a verified token's sequence number may be taken; takes it. */
static s32 recv_seq(struct ksspi_krb5_msg *m, u64 seq)
{
	u64 d;

	lockdep_assert_held(&m->lock);

	if (m->seq_flags & ISC_RET_SEQUENCE_DETECT) {
		/* Strict order: a replay, a gap or an old token is refused. */
		if (seq != m->recv_top)
			return SEC_E_OUT_OF_SEQUENCE;
		m->recv_top++;
		m->recv_window = m->recv_window << 1 | 1;
		return SEC_E_OK;
	}
	if (!(m->seq_flags & ISC_RET_REPLAY_DETECT))
		return SEC_E_OK;
	if (seq >= m->recv_top) {
		d = seq - m->recv_top + 1;
		m->recv_window = d >= WINDOW ? 1 : m->recv_window << d | 1;
		m->recv_top = seq + 1;
		return SEC_E_OK;
	}
	d = m->recv_top - 1 - seq;
	if (d >= WINDOW || (m->recv_window & BIT_ULL(d)))
		return SEC_E_OUT_OF_SEQUENCE;
	m->recv_window |= BIT_ULL(d);
	return SEC_E_OK;
}

/*
 * A token layer error as the status of the call.  RFC 4121 tokens carry no
 * length: a token cut short and one whose EC or RRC was altered to claim
 * more bytes look alike.  Input shorter than the smallest token of its kind
 * (@min) is SEC_E_INCOMPLETE_MESSAGE; anything longer that does not fit
 * its own framing has been altered.
 */
static s32 krb5_status(int err, bool input, u32 len, u32 min)
{
	switch (err) {
	case 0:
		return SEC_E_OK;
	case -EBADMSG:
	case -EPROTO:
		/* Altered, or not a token the peer made for this context. */
		return SEC_E_MESSAGE_ALTERED;
	case -EMSGSIZE:
		if (!input)
			return SEC_E_BUFFER_TOO_SMALL;
		return len < min ? SEC_E_INCOMPLETE_MESSAGE :
				   SEC_E_MESSAGE_ALTERED;
	case -EINVAL:
		return SEC_E_INVALID_TOKEN;
	case -ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

/**
 * struct layout - Where the interesting buffers of a call are.
 * @token: index of the %SECBUFFER_TOKEN, or -1.
 * @stream: index of the %SECBUFFER_STREAM, or -1.
 * @data: index of the last plain %SECBUFFER_DATA, or -1.
 * @ndata: number of plain %SECBUFFER_DATA buffers.
 */
struct layout {
	int token;
	int stream;
	int data;
	unsigned int ndata;
};

/*
 * One token piece per SecBuffer, in the same order; returns
 * %SEC_E_INVALID_TOKEN for an array the call cannot take.
 */
static s32 map_buffers(const struct ksspi_msg *msg, struct ksspi_krb5_iov *iov,
		       struct layout *l)
{
	bool wrap = msg->op == KSSPI_MSG_ENCRYPT ||
		    msg->op == KSSPI_MSG_DECRYPT;
	unsigned int i;

	l->token = -1;
	l->stream = -1;
	l->data = -1;
	l->ndata = 0;
	for (i = 0; i < msg->count; i++) {
		const struct ksspi_secbuffer *b = &msg->bufs[i];
		u32 attr = b->type & SECBUFFER_ATTRMASK;

		iov[i].type = KSSPI_KRB5_IOV_EMPTY;
		iov[i].len = b->len;
		iov[i].data = b->data;
		switch (b->type & ~SECBUFFER_ATTRMASK) {
		case SECBUFFER_DATA:
			if (attr == SECBUFFER_READONLY)
				break;
			if (attr == SECBUFFER_READONLY_WITH_CHECKSUM) {
				iov[i].type = KSSPI_KRB5_IOV_SIGN_ONLY;
				break;
			}
			iov[i].type = KSSPI_KRB5_IOV_DATA;
			l->data = i;
			l->ndata++;
			break;
		case SECBUFFER_TOKEN:
			if (l->token >= 0)
				return SEC_E_INVALID_TOKEN;
			l->token = i;
			if (wrap)
				iov[i].type = KSSPI_KRB5_IOV_HEADER;
			break;
		case SECBUFFER_PADDING:
			if (msg->op == KSSPI_MSG_ENCRYPT)
				iov[i].type = KSSPI_KRB5_IOV_PADDING;
			break;
		case SECBUFFER_STREAM:
			if (msg->op != KSSPI_MSG_DECRYPT || l->stream >= 0)
				return SEC_E_INVALID_TOKEN;
			l->stream = i;
			iov[i].type = KSSPI_KRB5_IOV_STREAM;
			break;
		}
	}
	if (l->stream >= 0)
		/* A whole token and the one buffer its plaintext goes to. */
		return l->token < 0 && l->ndata == 1 ? SEC_E_OK :
						       SEC_E_INVALID_TOKEN;
	return l->token >= 0 ? SEC_E_OK : SEC_E_INVALID_TOKEN;
}

static s32 sign(struct ksspi_krb5_msg *m, struct ksspi_msg *msg,
		const struct ksspi_krb5_iov *iov, const struct layout *l)
{
	struct ksspi_secbuffer *tok = &msg->bufs[l->token];
	struct ksspi_krb5_sizes sz;
	unsigned int len = tok->len;
	s32 status;

	lockdep_assert_held(&m->lock);
	ksspi_krb5_sizes(m->k, false, &sz);
	if (tok->len < sz.mic)
		return SEC_E_BUFFER_TOO_SMALL;
	status = krb5_status(ksspi_krb5_get_mic(m->k, m->send_seq, iov,
						msg->count, tok->data, &len),
			     false, 0, 0);
	if (status)
		return status;
	tok->len = len;
	msg->seq = m->send_seq++;
	return SEC_E_OK;
}

static s32 verify(struct ksspi_krb5_msg *m, struct ksspi_msg *msg,
		  const struct ksspi_krb5_iov *iov, const struct layout *l)
{
	const struct ksspi_secbuffer *tok = &msg->bufs[l->token];
	struct ksspi_krb5_sizes sz;
	s32 status;
	u64 seq;

	lockdep_assert_held(&m->lock);
	ksspi_krb5_sizes(m->k, false, &sz);
	status = krb5_status(ksspi_krb5_verify_mic(m->k, iov, msg->count,
						   tok->data, tok->len, &seq),
			     true, tok->len, sz.mic);
	if (status)
		return status;
	msg->seq = seq;
	return recv_seq(m, seq);
}

static s32 encrypt(struct ksspi_krb5_msg *m, struct ksspi_msg *msg,
		   struct ksspi_krb5_iov *iov, const struct layout *l)
{
	bool conf = msg->qop != SECQOP_WRAP_NO_ENCRYPT;
	struct ksspi_krb5_sizes sz;
	unsigned int i;
	s32 status;

	lockdep_assert_held(&m->lock);
	ksspi_krb5_sizes(m->k, conf, &sz);
	/* No TRAILER piece: the whole trailer goes to the token buffer. */
	if (msg->bufs[l->token].len < sz.header + sz.trailer)
		return SEC_E_BUFFER_TOO_SMALL;
	status = krb5_status(ksspi_krb5_wrap(m->k, m->send_seq, conf, iov,
					     msg->count), false, 0, 0);
	if (status)
		return status;
	for (i = 0; i < msg->count; i++)
		if (iov[i].type == KSSPI_KRB5_IOV_HEADER ||
		    iov[i].type == KSSPI_KRB5_IOV_PADDING)
			msg->bufs[i].len = iov[i].len;
	msg->seq = m->send_seq++;
	return SEC_E_OK;
}

static s32 decrypt(struct ksspi_krb5_msg *m, struct ksspi_msg *msg,
		   struct ksspi_krb5_iov *iov, const struct layout *l)
{
	const struct ksspi_secbuffer *in;
	struct ksspi_krb5_sizes sz;
	bool conf = false;
	s32 status;
	u64 seq;

	lockdep_assert_held(&m->lock);
	if (l->stream >= 0) {
		/* The plaintext is found inside the stream, not copied. */
		iov[l->data].len = 0;
		iov[l->data].data = NULL;
		in = &msg->bufs[l->stream];
	} else {
		in = &msg->bufs[l->token];
	}
	/* The smallest Wrap token: integrity only, no data. */
	ksspi_krb5_sizes(m->k, false, &sz);
	status = krb5_status(ksspi_krb5_unwrap(m->k, iov, msg->count, &conf,
					       &seq),
			     true, in->len, sz.header + sz.trailer);
	if (status)
		return status;
	if (l->stream >= 0) {
		if (!iov[l->data].data && iov[l->data].len)
			return SEC_E_INTERNAL_ERROR;
		msg->bufs[l->data].data = iov[l->data].data ?:
					  msg->bufs[l->stream].data;
		msg->bufs[l->data].len = iov[l->data].len;
	}
	msg->qop = conf ? 0 : SECQOP_WRAP_NO_ENCRYPT;
	msg->seq = seq;
	return recv_seq(m, seq);
}

/**
 * ksspi_krb5_msg_call() - One message call on an established context.
 * @m: the context's message state.
 * @msg: the call, its buffer array validated by ksspi_message().
 *
 * Context: process context, may sleep; takes @m->lock.
 * Return: the call's SECURITY_STATUS.
 */
s32 ksspi_krb5_msg_call(struct ksspi_krb5_msg *m, struct ksspi_msg *msg)
{
	struct ksspi_krb5_iov iov[KSSPI_MESSAGE_BUFFERS_MAX];
	struct layout l;
	s32 status;

	if (msg->count > ARRAY_SIZE(iov))
		return SEC_E_INVALID_TOKEN;
	status = map_buffers(msg, iov, &l);
	if (status)
		return status;

	mutex_lock(&m->lock);
	switch (msg->op) {
	case KSSPI_MSG_SIGN:
		status = sign(m, msg, iov, &l);
		break;
	case KSSPI_MSG_VERIFY:
		status = verify(m, msg, iov, &l);
		break;
	case KSSPI_MSG_ENCRYPT:
		status = encrypt(m, msg, iov, &l);
		break;
	case KSSPI_MSG_DECRYPT:
		status = decrypt(m, msg, iov, &l);
		break;
	default:
		status = SEC_E_UNSUPPORTED_FUNCTION;
		break;
	}
	mutex_unlock(&m->lock);
	return status;
}

/**
 * ksspi_krb5_msg_sizes() - SECPKG_ATTR_SIZES and STREAM_SIZES of a context.
 * @m: the context's message state.
 * @a: filled in: the largest signature, the block size, the largest token
 *	overhead (a sealed Wrap token, header and rotated trailer), and the
 *	stream sizes of the same layout.
 */
void ksspi_krb5_msg_sizes(struct ksspi_krb5_msg *m,
			  struct ksspi_context_attrs *a)
{
	struct ksspi_krb5_sizes mic, seal;

	ksspi_krb5_sizes(m->k, false, &mic);
	ksspi_krb5_sizes(m->k, true, &seal);
	a->max_signature = mic.mic;
	a->block_size = seal.block;
	a->security_trailer = seal.header + seal.trailer;
	a->stream_header = seal.header + seal.trailer;
	a->stream_trailer = 0;
	a->stream_max_message = KSSPI_MESSAGE_MAX - a->stream_header;
	a->stream_buffers = 2;
}
