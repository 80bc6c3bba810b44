// SPDX-License-Identifier: GPL-2.0
/*
 * Message protection, the package-independent part: MakeSignature,
 * VerifySignature, EncryptMessage and DecryptMessage over an array of
 * SecBuffers, for kernel callers (in place) and for the ioctls.
 *
 * The core checks what does not depend on the package -- the shape of the
 * buffer array, the quality of protection asked for, that the context is
 * established and not expired -- and hands the message to the package's
 * message op, which maps the buffers onto its tokens and keeps its own
 * sequence state.  Documentation/userspace-api/ksspi-messages.rst has the
 * buffer layouts and the table of statuses.
 */
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/timekeeping.h>

#include "object.h"
#include "package.h"

#define BUFFER_TYPES							\
	(BIT(SECBUFFER_EMPTY) | BIT(SECBUFFER_DATA) |			\
	 BIT(SECBUFFER_TOKEN) | BIT(SECBUFFER_PADDING) |		\
	 BIT(SECBUFFER_STREAM))

/* Known types, at most one attribute bit, and that only on data. */
static int check_buffers(const struct ksspi_secbuffer *bufs,
			 unsigned int count)
{
	u64 total = 0;
	unsigned int i;

	if (!bufs || !count || count > KSSPI_MESSAGE_BUFFERS_MAX)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		u32 type = bufs[i].type & ~SECBUFFER_ATTRMASK;
		u32 attr = bufs[i].type & SECBUFFER_ATTRMASK;

		if (type >= 32 || !(BIT(type) & BUFFER_TYPES))
			return -EINVAL;
		if (attr && (type != SECBUFFER_DATA ||
			     (attr != SECBUFFER_READONLY &&
			      attr != SECBUFFER_READONLY_WITH_CHECKSUM)))
			return -EINVAL;
		if (bufs[i].len && !bufs[i].data)
			return -EINVAL;
		total += bufs[i].len;
	}
	return total > KSSPI_MESSAGE_MAX ? -EMSGSIZE : 0;
}

static bool qop_known(enum ksspi_msg_op op, u32 qop)
{
	switch (op) {
	case KSSPI_MSG_ENCRYPT:
		return !qop || qop == SECQOP_WRAP_NO_ENCRYPT;
	case KSSPI_MSG_SIGN:
		return !qop;
	default:
		return true;	/* an output */
	}
}

/**
 * ksspi_message() - Run one message call on a context.
 * @ctx: the context.
 * @msg: the call; @msg->qop and @msg->seq are set on return.
 * @status: out: the call's SECURITY_STATUS.
 *
 * Return: 0 with *@status set; -EINVAL for a malformed buffer array
 * (unknown type or attribute, no buffers or more than
 * %KSSPI_MESSAGE_BUFFERS_MAX, a length without data), -EMSGSIZE when the
 * buffers add up to more than %KSSPI_MESSAGE_MAX, -EINTR when a signal came
 * while a leg of the context held it (nothing happened).
 */
int ksspi_message(struct ksspi_context *ctx, struct ksspi_msg *msg,
		  s32 *status)
{
	const struct ksspi_package *pkg = ctx->pkg;
	u32 state;
	time64_t expiry;
	int ret;

	msg->seq = 0;
	ret = check_buffers(msg->bufs, msg->count);
	if (ret)
		return ret;
	if (!qop_known(msg->op, msg->qop)) {
		*status = SEC_E_QOP_NOT_SUPPORTED;
		return 0;
	}
	if (msg->op == KSSPI_MSG_VERIFY || msg->op == KSSPI_MSG_DECRYPT)
		msg->qop = 0;

	/* A context's state and expiry are final once it is established. */
	if (mutex_lock_interruptible(&ctx->lock))
		return -EINTR;
	state = ctx->state;
	expiry = ctx->expiry;
	mutex_unlock(&ctx->lock);

	if (state != KSSPI_STATE_ESTABLISHED)
		*status = SEC_E_INVALID_HANDLE;
	else if (!pkg->ops->message)
		*status = SEC_E_UNSUPPORTED_FUNCTION;
	else if (expiry && expiry <= ktime_get_real_seconds())
		*status = SEC_E_CONTEXT_EXPIRED;
	else
		*status = pkg->ops->message(ctx, msg);
	return 0;
}

/* The kernel API's answer for what the ioctl reports as an errno. */
static s32 kernel_message(struct ksspi_context *ctx, enum ksspi_msg_op op,
			  u32 qop_in, u32 *qop_out,
			  struct ksspi_secbuffer *bufs, unsigned int count,
			  u32 seq_no)
{
	struct ksspi_msg msg = {
		.op = op,
		.qop = qop_in,
		.bufs = bufs,
		.count = count,
	};
	s32 status;
	int ret;

	might_sleep();
	if (seq_no)
		return SEC_E_INVALID_PARAMETER;
	ret = ksspi_message(ctx, &msg, &status);
	if (ret == -EINTR)
		return SEC_E_INTERNAL_ERROR;
	if (ret)
		return SEC_E_INVALID_PARAMETER;
	if (qop_out)
		*qop_out = msg.qop;
	return status;
}

/**
 * ksspi_make_signature() - MakeSignature: a MIC token over the data buffers.
 * @ctx: an established context.
 * @qop: fQOP, must be 0.
 * @bufs: %SECBUFFER_DATA buffers (with %SECBUFFER_READONLY_WITH_CHECKSUM:
 *	signed as well; with %SECBUFFER_READONLY: left out) and one
 *	%SECBUFFER_TOKEN of at least cbMaxSignature bytes, whose length is
 *	set to the signature's.
 * @count: number of @bufs.
 * @seq_no: MessageSeqNo, must be 0 (the context numbers its messages).
 *
 * Context: process context, may sleep.
 * Return: %SEC_E_OK, %SEC_E_INVALID_TOKEN (no or several token buffers),
 * %SEC_E_BUFFER_TOO_SMALL, %SEC_E_INVALID_HANDLE (not established),
 * %SEC_E_CONTEXT_EXPIRED, %SEC_E_UNSUPPORTED_FUNCTION (no message
 * protection on this context), %SEC_E_QOP_NOT_SUPPORTED,
 * %SEC_E_INVALID_PARAMETER (a malformed buffer array), or
 * %SEC_E_INSUFFICIENT_MEMORY.
 */
s32 ksspi_make_signature(struct ksspi_context *ctx, u32 qop,
			 struct ksspi_secbuffer *bufs, unsigned int count,
			 u32 seq_no)
{
	return kernel_message(ctx, KSSPI_MSG_SIGN, qop, NULL, bufs, count,
			      seq_no);
}
EXPORT_SYMBOL_GPL(ksspi_make_signature);

/**
 * ksspi_verify_signature() - VerifySignature: check the peer's MIC token.
 * @ctx: an established context.
 * @bufs: the data buffers as the peer signed them and one %SECBUFFER_TOKEN.
 * @count: number of @bufs.
 * @seq_no: MessageSeqNo, must be 0.
 * @qop: out: pfQOP (0), may be NULL.
 *
 * Context: process context, may sleep.
 * Return: %SEC_E_OK, %SEC_E_MESSAGE_ALTERED (the token does not verify or
 * is not one of the peer's), %SEC_E_OUT_OF_SEQUENCE (a replay, or out of
 * order with sequence detection), %SEC_E_INCOMPLETE_MESSAGE (truncated
 * token), or an error of ksspi_make_signature().
 */
s32 ksspi_verify_signature(struct ksspi_context *ctx,
			   struct ksspi_secbuffer *bufs, unsigned int count,
			   u32 seq_no, u32 *qop)
{
	return kernel_message(ctx, KSSPI_MSG_VERIFY, 0, qop, bufs, count,
			      seq_no);
}
EXPORT_SYMBOL_GPL(ksspi_verify_signature);

/**
 * ksspi_encrypt_message() - EncryptMessage: an RFC 4121 Wrap token, in place.
 * @ctx: an established context.
 * @qop: 0 to seal, %SECQOP_WRAP_NO_ENCRYPT for integrity only.
 * @bufs: one %SECBUFFER_TOKEN of at least cbSecurityTrailer bytes (its
 *	length is set to the token header's), %SECBUFFER_DATA buffers
 *	(sealed in place; %SECBUFFER_READONLY_WITH_CHECKSUM ones signed
 *	only; %SECBUFFER_READONLY ones left out), and optionally one
 *	%SECBUFFER_PADDING (its length set to 0).
 * @count: number of @bufs.
 * @seq_no: MessageSeqNo, must be 0.
 *
 * Context: process context, may sleep.
 * Return: as ksspi_make_signature().
 */
s32 ksspi_encrypt_message(struct ksspi_context *ctx, u32 qop,
			  struct ksspi_secbuffer *bufs, unsigned int count,
			  u32 seq_no)
{
	return kernel_message(ctx, KSSPI_MSG_ENCRYPT, qop, NULL, bufs, count,
			      seq_no);
}
EXPORT_SYMBOL_GPL(ksspi_encrypt_message);

/**
 * ksspi_decrypt_message() - DecryptMessage: check and open a Wrap token.
 * @ctx: an established context.
 * @bufs: either one %SECBUFFER_STREAM holding a whole token and one
 *	%SECBUFFER_DATA (set to point at the plaintext inside the stream), or
 *	a %SECBUFFER_TOKEN and the %SECBUFFER_DATA buffers as
 *	ksspi_encrypt_message() left them (opened in place).
 * @count: number of @bufs.
 * @seq_no: MessageSeqNo, must be 0.
 * @qop: out: pfQOP, %SECQOP_WRAP_NO_ENCRYPT when the token was not
 *	sealed; may be NULL.
 *
 * Context: process context, may sleep.
 * Return: as ksspi_verify_signature().
 */
s32 ksspi_decrypt_message(struct ksspi_context *ctx,
			  struct ksspi_secbuffer *bufs, unsigned int count,
			  u32 seq_no, u32 *qop)
{
	return kernel_message(ctx, KSSPI_MSG_DECRYPT, 0, qop, bufs, count,
			      seq_no);
}
EXPORT_SYMBOL_GPL(ksspi_decrypt_message);
