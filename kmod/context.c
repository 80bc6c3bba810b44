// SPDX-License-Identifier: GPL-2.0
/*
 * Security contexts: the SSPI multi-leg state machine shared by every
 * package (InitializeSecurityContext, AcceptSecurityContext,
 * DeleteSecurityContext, QueryContextAttributes, QuerySecurityContextToken).
 *
 * A package only turns an input token into an output token and a status; the
 * core owns the state, the output buffer contract (a leg whose output does
 * not fit is kept, not lost) and the lifetime of what the leg produced.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/export.h>
#include <linux/timekeeping.h>
#include <linux/moduleparam.h>

#include "object.h"
#include "package.h"
#include "params.h"
#include "stats.h"
#include "trace.h"
#include "socket.h"

#define ISC_REQ_KNOWN							\
	(ISC_REQ_DELEGATE | ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT |	\
	 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY |		\
	 ISC_REQ_USE_SESSION_KEY | ISC_REQ_PROMPT_FOR_CREDS |		\
	 ISC_REQ_USE_SUPPLIED_CREDS | ISC_REQ_USE_DCE_STYLE |		\
	 ISC_REQ_DATAGRAM | ISC_REQ_CONNECTION | ISC_REQ_CALL_LEVEL |	\
	 ISC_REQ_FRAGMENT_SUPPLIED | ISC_REQ_EXTENDED_ERROR |		\
	 ISC_REQ_STREAM | ISC_REQ_INTEGRITY | ISC_REQ_IDENTIFY |	\
	 ISC_REQ_NULL_SESSION | ISC_REQ_MANUAL_CRED_VALIDATION |	\
	 ISC_REQ_FRAGMENT_TO_FIT | ISC_REQ_FORWARD_CREDENTIALS |	\
	 ISC_REQ_NO_INTEGRITY | ISC_REQ_USE_HTTP_STYLE |		\
	 ISC_REQ_UNVERIFIED_TARGET_NAME | ISC_REQ_CONFIDENTIALITY_ONLY)

#define ASC_REQ_KNOWN							\
	(ASC_REQ_DELEGATE | ASC_REQ_MUTUAL_AUTH | ASC_REQ_REPLAY_DETECT |	\
	 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY |		\
	 ASC_REQ_USE_SESSION_KEY | ASC_REQ_SESSION_TICKET |		\
	 ASC_REQ_USE_DCE_STYLE | ASC_REQ_DATAGRAM | ASC_REQ_CONNECTION |	\
	 ASC_REQ_CALL_LEVEL | ASC_REQ_FRAGMENT_SUPPLIED |		\
	 ASC_REQ_EXTENDED_ERROR | ASC_REQ_STREAM | ASC_REQ_INTEGRITY |	\
	 ASC_REQ_LICENSING | ASC_REQ_IDENTIFY | ASC_REQ_ALLOW_NULL_SESSION | \
	 ASC_REQ_ALLOW_NON_USER_LOGONS | ASC_REQ_ALLOW_CONTEXT_REPLAY |	\
	 ASC_REQ_FRAGMENT_TO_FIT | ASC_REQ_NO_TOKEN |			\
	 ASC_REQ_PROXY_BINDINGS | ASC_REQ_ALLOW_MISSING_BINDINGS)

struct ksspi_context *ksspi_context_get(struct ksspi_context *ctx)
{
	kref_get(&ctx->ref);
	return ctx;
}

static void context_release(struct kref *ref)
{
	struct ksspi_context *ctx = container_of(ref, struct ksspi_context,
						 ref);

	ksspi_context_unregister(ctx);
	/* Socket bindings end with the context (see socket.c). */
	ksspi_socket_context_gone(ctx);
	if (ctx->pkg->ops->ctx_free)
		ctx->pkg->ops->ctx_free(ctx);
	if (ctx->token)
		ksspi_token_put(ctx->token);
	kfree_sensitive(ctx->pending);
	kfree_sensitive(ctx->session_key);
	kfree(ctx->target);
	kfree(ctx->client_name);
	kfree(ctx->server_name);
	ksspi_cred_put(ctx->cred);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

void ksspi_context_put(struct ksspi_context *ctx)
{
	if (ctx)
		kref_put(&ctx->ref, context_release);
}

/**
 * ksspi_context_new() - Make a context from a credentials handle.
 * @cred: the credentials.
 * @initiator: true to initiate, false to accept.
 * @req_flags: ISC_REQ_* or ASC_REQ_* bits.
 * @target: target name (initiator only), or NULL.
 * @ctxp: where to store the context.
 *
 * Return: 0, -EINVAL for credentials that cannot be used in that direction,
 * unknown flags, ``*_ALLOCATE_MEMORY`` or a target given to an acceptor,
 * -ENOMEM.
 */
int ksspi_context_new(struct ksspi_cred *cred, bool initiator, u32 req_flags,
		      const char *target, struct ksspi_context **ctxp)
{
	struct ksspi_context *ctx;

	if (initiator) {
		if (!(cred->use & SECPKG_CRED_OUTBOUND) ||
		    (req_flags & ~ISC_REQ_KNOWN))
			return -EINVAL;
	} else {
		if (!(cred->use & SECPKG_CRED_INBOUND) || target ||
		    (req_flags & ~ASC_REQ_KNOWN))
			return -EINVAL;
	}

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	if (target) {
		ctx->target = kstrdup(target, GFP_KERNEL);
		if (!ctx->target) {
			kfree(ctx);
			return -ENOMEM;
		}
	}
	kref_init(&ctx->ref);
	mutex_init(&ctx->lock);
	ctx->cred = ksspi_cred_get(cred);
	ctx->pkg = cred->pkg;
	ctx->initiator = initiator;
	ctx->req_flags = req_flags;
	ctx->state = KSSPI_STATE_NEW;
	ctx->id = ksspi_object_id();
	ksspi_context_register(ctx);
	ksspi_stat_inc(KSSPI_STAT_CONTEXTS);
	*ctxp = ctx;
	return 0;
}

static s32 deliver(struct ksspi_context *ctx, struct ksspi_leg *leg,
		   u8 *out, u32 out_len, s32 status)
{
	lockdep_assert_held(&ctx->lock);

	leg->out_len = out_len;
	if (out_len > leg->out_size) {
		/* Keep the leg's result for the retry with a bigger buffer. */
		ctx->pending = out;
		ctx->pending_len = out_len;
		ctx->pending_status = status;
		return SEC_E_BUFFER_TOO_SMALL;
	}
	if (out_len)
		memcpy(leg->out, out, out_len);
	kfree_sensitive(out);
	return status;
}

/**
 * ksspi_context_step() - Run one leg of a context handshake.
 * @ctx: the context.
 * @leg: input and output of the leg.
 * @status: out: the SECURITY_STATUS of the leg.
 *
 * Return: 0 with *@status set, or -EINTR when a signal interrupted the leg
 * before it took effect: then the context is as it was and the same leg may
 * be run again.
 */
int ksspi_context_step(struct ksspi_context *ctx, struct ksspi_leg *leg,
		       s32 *status)
{
	u8 *out = NULL;
	u32 out_len = 0;
	u32 old_state;
	int ret = 0;

	leg->out_len = 0;
	leg->missing = 0;
	leg->extra = 0;

	/* A signal while waiting for the lock consumes nothing either. */
	if (mutex_lock_interruptible(&ctx->lock))
		return -EINTR;
	if (ctx->pending) {
		u8 *pending = ctx->pending;

		ctx->pending = NULL;
		*status = deliver(ctx, leg, pending, ctx->pending_len,
				  ctx->pending_status);
		goto out;
	}
	if (ctx->state == KSSPI_STATE_ESTABLISHED ||
	    ctx->state == KSSPI_STATE_FAILED) {
		*status = SEC_E_INVALID_HANDLE;
		goto out;
	}

	old_state = ctx->state;
	ret = ctx->pkg->ops->step(ctx, leg, &out, &out_len, status);
	if (ret) {
		/* Interrupted: nothing happened, the leg can be run again. */
		kfree_sensitive(out);
		leg->missing = 0;
		leg->extra = 0;
		goto out_unlock;
	}
	ksspi_stat_inc(KSSPI_STAT_LEGS);
	ksspi_stat_status(*status);
	if (*status == SEC_E_OK) {
		ksspi_stat_inc(KSSPI_STAT_ESTABLISHED);
		ctx->state = KSSPI_STATE_ESTABLISHED;
		ctx->start = ktime_get_real_seconds();
		if (!ctx->expiry)
			ctx->expiry = ctx->start + ksspi_context_lifetime;
	} else if (*status == SEC_I_CONTINUE_NEEDED) {
		ctx->state = KSSPI_STATE_IN_PROGRESS;
	} else if (*status != SEC_E_INCOMPLETE_MESSAGE) {
		ksspi_stat_inc(KSSPI_STAT_LEG_FAILURES);
		ctx->state = KSSPI_STATE_FAILED;
	}
	trace_ksspi_context_step(ctx->id, ctx->pkg->name, ctx->initiator,
				 old_state, ctx->state, *status, leg->in_len,
				 out_len);
	if (out)
		*status = deliver(ctx, leg, out, out_len, *status);
out:
	leg->ret_flags = ctx->ret_flags;
	leg->expiry = ctx->expiry;
out_unlock:
	mutex_unlock(&ctx->lock);
	return ret;
}

/**
 * ksspi_context_session_key() - Copy out the session key of a context.
 * @ctx: the context.
 * @key: buffer for the key, or NULL to learn its length.
 * @size: size of @key.
 * @enctype: out: the key's Kerberos encryption type.
 *
 * Return: the key's length, -ENOENT when the context has none (not
 * established, or a package without one), -ERANGE when @size is smaller
 * than the key.
 */
int ksspi_context_session_key(struct ksspi_context *ctx, void *key, u32 size,
			      u32 *enctype)
{
	int ret;

	mutex_lock(&ctx->lock);
	if (ctx->state != KSSPI_STATE_ESTABLISHED || !ctx->session_key) {
		ret = -ENOENT;
	} else {
		ret = ctx->session_key_len;
		*enctype = ctx->enctype;
		if (key && size < ctx->session_key_len)
			ret = -ERANGE;
		else if (key)
			memcpy(key, ctx->session_key, ctx->session_key_len);
	}
	mutex_unlock(&ctx->lock);
	return ret;
}

/**
 * ksspi_query_context_session_key() - QueryContextAttributes
 * (SECPKG_ATTR_SESSION_KEY) for in-kernel servers.
 * @ctx: an established context.
 * @key: buffer for the key.
 * @size: size of @key.
 * @enctype: out: the key's Kerberos encryption type (RFC 3961).
 *
 * The key is a secret: callers must not log it and should wipe their copy
 * with memzero_explicit() when done.
 *
 * Return: the key's length, -ENOENT when the context has none, -ERANGE
 * when @size is too small.
 */
int ksspi_query_context_session_key(struct ksspi_context *ctx, void *key,
				    u32 size, u32 *enctype)
{
	return ksspi_context_session_key(ctx, key, size, enctype);
}
EXPORT_SYMBOL_GPL(ksspi_query_context_session_key);

/**
 * ksspi_context_keep() - Keep a leg's output for a retry after all.
 * @ctx: the context.
 * @out: the output token the caller could not take.
 * @len: its length.
 * @status: the leg's status.
 *
 * For the ioctl layer, when copying a leg's output to the user fails: the
 * leg is then delivered by the next step, as after SEC_E_BUFFER_TOO_SMALL.
 *
 * Return: 0, or -ENOMEM (then the leg is lost and the context failed).
 */
int ksspi_context_keep(struct ksspi_context *ctx, const void *out, u32 len,
		       s32 status)
{
	u8 *copy = kmemdup(out, len, GFP_KERNEL);

	mutex_lock(&ctx->lock);
	if (!copy) {
		ctx->state = KSSPI_STATE_FAILED;
	} else {
		kfree_sensitive(ctx->pending);
		ctx->pending = copy;
		ctx->pending_len = len;
		ctx->pending_status = status;
	}
	mutex_unlock(&ctx->lock);
	return copy ? 0 : -ENOMEM;
}

static s32 errno_to_status(int err)
{
	switch (err) {
	case -ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	case -EINVAL:
		return SEC_E_INVALID_PARAMETER;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

static s32 first_or_next(struct ksspi_cred *cred, struct ksspi_context **ctxp,
			 bool initiator, const char *target, u32 req_flags,
			 struct ksspi_leg *leg)
{
	struct ksspi_context *ctx = *ctxp;
	s32 status;
	int ret;

	if (!ctx) {
		if (!cred)
			return SEC_E_INVALID_HANDLE;
		ret = ksspi_context_new(cred, initiator, req_flags, target,
					&ctx);
		if (ret)
			return errno_to_status(ret);
	} else if (ctx->initiator != initiator) {
		return SEC_E_INVALID_HANDLE;
	}

	ret = ksspi_context_step(ctx, leg, &status);
	if (ret) {
		/*
		 * Interrupted by a signal: nothing happened.  A new context
		 * is dropped (the caller calls again with none); a running one
		 * is kept for the same leg again.
		 */
		if (!*ctxp)
			ksspi_context_put(ctx);
		return SEC_E_INTERNAL_ERROR;
	}
	if (!*ctxp) {
		/* Like SSPI, a first leg that fails leaves no context. */
		if (status < 0 && status != SEC_E_INCOMPLETE_MESSAGE &&
		    status != SEC_E_BUFFER_TOO_SMALL)
			ksspi_context_put(ctx);
		else
			*ctxp = ctx;
	}
	return status;
}

/**
 * ksspi_initialize_security_context() - InitializeSecurityContext.
 * @cred: outbound credentials (used on the first call only).
 * @ctxp: NULL-initialised context pointer; set by the first call.
 * @target: the target name (first call only).
 * @req_flags: ISC_REQ_* bits (first call only).
 * @leg: input and output tokens.
 *
 * Call until the status is not %SEC_I_CONTINUE_NEEDED, sending each output
 * token to the peer.  A first call that fails leaves *@ctxp NULL.  A leg
 * that a signal interrupts (packages that wait for the upcall helper)
 * returns %SEC_E_INTERNAL_ERROR and changes nothing: the same call may be
 * made again.
 *
 * Return: SECURITY_STATUS.
 */
s32 ksspi_initialize_security_context(struct ksspi_cred *cred,
				      struct ksspi_context **ctxp,
				      const char *target, u32 req_flags,
				      struct ksspi_leg *leg)
{
	return first_or_next(cred, ctxp, true, target, req_flags, leg);
}
EXPORT_SYMBOL_GPL(ksspi_initialize_security_context);

/**
 * ksspi_accept_security_context() - AcceptSecurityContext.
 * @cred: inbound credentials (used on the first call only).
 * @ctxp: NULL-initialised context pointer; set by the first call.
 * @req_flags: ASC_REQ_* bits (first call only).
 * @leg: input and output tokens.
 *
 * As ksspi_initialize_security_context(), signals included.
 *
 * Return: SECURITY_STATUS.
 */
s32 ksspi_accept_security_context(struct ksspi_cred *cred,
				  struct ksspi_context **ctxp, u32 req_flags,
				  struct ksspi_leg *leg)
{
	return first_or_next(cred, ctxp, false, NULL, req_flags, leg);
}
EXPORT_SYMBOL_GPL(ksspi_accept_security_context);

/**
 * ksspi_delete_security_context() - Drop the caller's context reference.
 * @ctx: the context, or NULL.
 */
void ksspi_delete_security_context(struct ksspi_context *ctx)
{
	ksspi_context_put(ctx);
}
EXPORT_SYMBOL_GPL(ksspi_delete_security_context);

/**
 * ksspi_query_context_attributes() - QueryContextAttributes.
 * @ctx: the context.
 * @attrs: filled in.
 */
void ksspi_query_context_attributes(struct ksspi_context *ctx,
				    struct ksspi_context_attrs *attrs)
{
	memset(attrs, 0, sizeof(*attrs));
	mutex_lock(&ctx->lock);
	attrs->state = ctx->state;
	attrs->package_id = ctx->pkg->id;
	attrs->ctx_flags = ctx->ret_flags;
	attrs->max_token = ctx->pkg->max_token;
	if (ctx->state == KSSPI_STATE_ESTABLISHED) {
		attrs->start = ctx->start;
		attrs->expiry = ctx->expiry;
		attrs->level = ctx->token ? ctx->token->level : 0;
		attrs->name = ctx->client_name;
		attrs->client_name = ctx->client_name;
		attrs->server_name = ctx->server_name;
		if (ctx->pkg->ops->message_sizes)
			ctx->pkg->ops->message_sizes(ctx, attrs);
	}
	mutex_unlock(&ctx->lock);
}
EXPORT_SYMBOL_GPL(ksspi_query_context_attributes);

/*
 * The token of an established acceptor context, with a reference, or NULL.
 */
struct ksspi_token *ksspi_context_token(struct ksspi_context *ctx)
{
	struct ksspi_token *tok = NULL;

	mutex_lock(&ctx->lock);
	if (ctx->state == KSSPI_STATE_ESTABLISHED && ctx->token)
		tok = ksspi_token_get(ctx->token);
	mutex_unlock(&ctx->lock);
	return tok;
}

/**
 * ksspi_query_security_context_token() - QuerySecurityContextToken.
 * @ctx: an established acceptor context.
 * @tokp: where to store a new reference to the client's token.
 *
 * Return: %SEC_E_OK, or %SEC_E_INVALID_HANDLE when @ctx is not an
 * established acceptor context.
 */
s32 ksspi_query_security_context_token(struct ksspi_context *ctx,
				       struct ksspi_token **tokp)
{
	*tokp = ksspi_context_token(ctx);
	return *tokp ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}
EXPORT_SYMBOL_GPL(ksspi_query_security_context_token);
