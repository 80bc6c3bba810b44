// SPDX-License-Identifier: GPL-2.0
/*
 * The kerberos and negotiate packages: Kerberos V5 (the raw GSS-API krb5
 * mechanism) and SPNEGO offering it, through the request-key upcall to
 * ksspi-upcall, which runs MIT GSS-API as the handle's owner.
 *
 * Each leg of a context is one upcall: the module sends the peer's token and
 * the opaque state the previous leg returned, the helper answers with the
 * token for the peer, the state for the next leg and, once established, the
 * identity.  The helper is a fresh process per upcall, so everything a
 * context needs between legs lives here, in the context, bounded by
 * KSSPI_UPCALL_STATE_MAX and wiped when freed.
 *
 * The helper's answer is untrusted input: the upcall layer checks its form
 * (uapi/linux/ksspi_upcall.h); this file checks that it makes sense for the
 * leg it answers -- a known status, an output token with CONTINUE_NEEDED, a
 * mapped identity at impersonation level, delegated credentials only at
 * delegation level, an AP-REP verified before a mutual initiator is done --
 * and turns anything else into SEC_E_NO_AUTHENTICATING_AUTHORITY.
 *
 * Delegation: an acceptor's token keeps the client's forwarded TGT as the
 * image of a credential cache.  A user thread impersonating that token that
 * acquires outbound kerberos or negotiate credentials gets a handle that
 * sends the image to the helper (KSSPI_UPCALL_CCACHE_DATA), which then runs
 * as the client with those credentials: the double hop.  That is all the
 * kernel does with them; it never uses them itself.
 */
#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/highuid.h>

#include "object.h"
#include "package.h"
#include "impersonate.h"
#include "upcall.h"
#include "kerberos_msg.h"
#include "../uapi/linux/ksspi_upcall.h"

/* Largest token taken or given: leaves room in an upcall for the state. */
#define KRB5_MAX_TOKEN		32768
/* Legs a context may take: SPNEGO with krb5 needs at most three. */
#define KRB5_MAX_LEGS		8

#define KRB5_ISC_FLAGS							\
	(ISC_REQ_DELEGATE | ISC_REQ_MUTUAL_AUTH | ISC_REQ_REPLAY_DETECT |	\
	 ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONFIDENTIALITY |		\
	 ISC_REQ_INTEGRITY | ISC_REQ_IDENTIFY | ISC_REQ_CONNECTION)

#define KRB5_ISC_RET							\
	(ISC_RET_DELEGATE | ISC_RET_MUTUAL_AUTH | ISC_RET_REPLAY_DETECT |	\
	 ISC_RET_SEQUENCE_DETECT | ISC_RET_CONFIDENTIALITY |		\
	 ISC_RET_INTEGRITY | ISC_RET_IDENTIFY | ISC_RET_CONNECTION)

#define KRB5_ASC_FLAGS							\
	(ASC_REQ_DELEGATE | ASC_REQ_MUTUAL_AUTH | ASC_REQ_REPLAY_DETECT |	\
	 ASC_REQ_SEQUENCE_DETECT | ASC_REQ_CONFIDENTIALITY |		\
	 ASC_REQ_INTEGRITY | ASC_REQ_IDENTIFY | ASC_REQ_CONNECTION)

#define KRB5_ASC_RET							\
	(ASC_RET_DELEGATE | ASC_RET_MUTUAL_AUTH | ASC_RET_REPLAY_DETECT |	\
	 ASC_RET_SEQUENCE_DETECT | ASC_RET_CONFIDENTIALITY |		\
	 ASC_RET_INTEGRITY | ASC_RET_IDENTIFY | ASC_RET_CONNECTION)

/**
 * struct krb5_cred - The packages' part of a credentials handle.
 * @delegation: the delegation-level token whose forwarded credentials the
 *	handle initiates with (acquired while impersonating it), or NULL.
 */
struct krb5_cred {
	struct ksspi_token *delegation;
};

/**
 * struct krb5_ctx - The packages' part of a context, between legs.
 * @leg: number of the next leg (0 for the first).
 * @state: the helper's opaque state for the next leg, or NULL.
 * @state_len: its length, at most %KSSPI_UPCALL_STATE_MAX.
 * @msg: once established, the keys and sequence state of message
 *	protection (kerberos_msg.c), or NULL when the context has none.
 */
struct krb5_ctx {
	u32 leg;
	u8 *state;
	u32 state_len;
	struct ksspi_krb5_msg *msg;
};

static bool is_krb5(const struct ksspi_package *pkg)
{
	return pkg->id == KSSPI_PACKAGE_KERBEROS ||
	       pkg->id == KSSPI_PACKAGE_NEGOTIATE;
}

/* The request items every operation of a handle carries. */
static void add_cred_items(struct ksspi_upcall_req *req,
			   const struct ksspi_cred *cred)
{
	const struct krb5_cred *kc = cred->pkg_data;

	ksspi_upcall_add_string(req, KSSPI_UPCALL_PRINCIPAL, cred->principal);
	ksspi_upcall_add_string(req, KSSPI_UPCALL_CCACHE, cred->ccache);
	ksspi_upcall_add_string(req, KSSPI_UPCALL_KEYTAB, cred->keytab);
	if (kc && kc->delegation)
		ksspi_upcall_add_item(req, KSSPI_UPCALL_CCACHE_DATA,
				      kc->delegation->delegated,
				      kc->delegation->delegated_len);
}

static void init_req(struct ksspi_upcall_req *req,
		     const struct ksspi_cred *cred, u16 op)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
	req->flags = cred->kernel ? KSSPI_UPCALL_F_KERNEL : 0;
	req->package_id = cred->pkg->id;
	req->cred_use = cred->use;
	req->requester = cred->owner;
}

/*
 * What the upcall's own failures mean for a caller (the upcall layer has
 * logged and counted them): -EINTR for a signal, the errnos of the acquire
 * table in Documentation/userspace-api/kerberos.rst, -EPROTO otherwise.
 * A leg maps all but -EINTR and -ENOMEM to
 * SEC_E_NO_AUTHENTICATING_AUTHORITY.
 */
static int upcall_errno(int err)
{
	switch (err) {
	case -EINTR:
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	case -ENOMEM:
	case -ETIMEDOUT:
	case -EBADMSG:
	case -EHOSTUNREACH:
	case -EACCES:
		return err;
	case -ENOKEY:
		/* The helper negated the request: it found no credentials. */
		return -ENOKEY;
	case -EKEYREJECTED:
	case -EKEYREVOKED:
	case -EKEYEXPIRED:
	case -ENOENT:
		return -EHOSTUNREACH;
	default:
		return -EPROTO;
	}
}

/* The errno of AcquireCredentialsHandle for the helper's status. */
static int acquire_errno(s32 status)
{
	switch (status) {
	case SEC_E_OK:
		return 0;
	case SEC_E_NO_CREDENTIALS:
	case SEC_E_UNKNOWN_CREDENTIALS:
	case SEC_E_CONTEXT_EXPIRED:
	case SEC_E_WRONG_PRINCIPAL:
	case SEC_E_LOGON_DENIED:
		return -ENOKEY;
	case SEC_E_NOT_OWNER:
		return -EACCES;
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
		return -EHOSTUNREACH;
	default:
		/* Informational codes answer no acquire: a malformed reply. */
		return status > 0 ? -EBADMSG : -EPROTO;
	}
}

static void log_failure(const char *what, const struct ksspi_upcall_reply *r,
			u64 ctx_id)
{
	pr_info_ratelimited("ksspi: %s (context %llu): status %#x, gss %#x/%#x: %s\n",
			    what, ctx_id, (u32)r->status, r->gss_major,
			    r->gss_minor, r->message ?: "no message");
}

/*
 * The delegation-level token the calling thread impersonates, if it has
 * forwarded Kerberos credentials; a reference, or NULL.
 */
static struct ksspi_token *delegation_token(void)
{
	struct ksspi_token *tok = ksspi_thread_token();

	if (tok && (tok->level != SECURITY_DELEGATION || !tok->delegated ||
		    !is_krb5(tok->pkg))) {
		ksspi_token_put(tok);
		tok = NULL;
	}
	return tok;
}

/*
 * AcquireCredentialsHandle: the helper checks, as the owner, that the
 * credentials exist (initiator: a TGT in the ccache, or a keytab that gets
 * one; acceptor: keys in the keytab) and says when they expire.
 */
static int krb5_cred_init(struct ksspi_cred *cred)
{
	struct ksspi_upcall_reply *reply;
	struct ksspi_upcall_req req;
	struct krb5_cred *kc;
	char *name;
	int ret;

	kc = kzalloc(sizeof(*kc), GFP_KERNEL);
	if (!kc)
		return -ENOMEM;
	/* Named credentials win over those of the impersonated client. */
	if (!cred->kernel && (cred->use & SECPKG_CRED_OUTBOUND) &&
	    !cred->ccache && !cred->keytab)
		kc->delegation = delegation_token();
	cred->pkg_data = kc;

	init_req(&req, cred, KSSPI_UPCALL_ACQUIRE);
	add_cred_items(&req, cred);
	ret = ksspi_upcall(&req, &reply);
	if (ret) {
		ret = upcall_errno(ret);
		goto err_free;
	}
	ret = acquire_errno(reply->status);
	if (!ret && reply->expiry &&
	    reply->expiry <= ktime_get_real_seconds())
		ret = -ENOKEY;
	if (ret) {
		log_failure("acquire", reply, 0);
		goto err_reply;
	}
	/* The principal the helper found, unless the caller named one. */
	name = (cred->use & SECPKG_CRED_OUTBOUND) ? reply->client_name :
						    reply->server_name;
	if (!cred->principal && name && strlen(name) <= KSSPI_NAME_MAX) {
		cred->principal = kstrdup(name, GFP_KERNEL);
		if (!cred->principal) {
			ret = -ENOMEM;
			goto err_reply;
		}
	}
	cred->expiry = reply->expiry;
	ksspi_upcall_reply_free(reply);
	return 0;

err_reply:
	ksspi_upcall_reply_free(reply);
err_free:
	ksspi_token_put(kc->delegation);
	kfree(kc);
	cred->pkg_data = NULL;
	return ret;
}

static void krb5_cred_free(struct ksspi_cred *cred)
{
	struct krb5_cred *kc = cred->pkg_data;

	if (kc) {
		ksspi_token_put(kc->delegation);
		kfree(kc);
	}
}

/* Statuses a helper may end a leg with; anything else is malformed. */
static bool known_status(s32 status)
{
	switch (status) {
	case SEC_E_OK:
	case SEC_I_CONTINUE_NEEDED:
	case SEC_E_LOGON_DENIED:
	case SEC_E_INVALID_TOKEN:
	case SEC_E_TIME_SKEW:
	case SEC_E_CONTEXT_EXPIRED:
	case SEC_E_NO_CREDENTIALS:
	case SEC_E_UNKNOWN_CREDENTIALS:
	case SEC_E_TARGET_UNKNOWN:
	case SEC_E_WRONG_PRINCIPAL:
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
	case SEC_E_MUTUAL_AUTH_FAILED:
	case SEC_E_INSUFFICIENT_MEMORY:
	case SEC_E_INTERNAL_ERROR:
	case SEC_E_UNSUPPORTED_FUNCTION:
	case SEC_E_ALGORITHM_MISMATCH:
	case SEC_E_MESSAGE_ALTERED:
	case SEC_E_BAD_BINDINGS:
		return true;
	}
	return false;
}

static s32 malformed(struct ksspi_context *ctx, const char *why)
{
	pr_warn_ratelimited("ksspi: %s context %llu: helper response refused: %s\n",
			    ctx->pkg->name, ctx->id, why);
	return SEC_E_NO_AUTHENTICATING_AUTHORITY;
}

/* Names, expiry and session key of an established context. */
static s32 take_context(struct ksspi_context *ctx,
			struct ksspi_upcall_reply *r)
{
	const char *client = r->client_name ?: ctx->cred->principal;
	const char *server = r->server_name;

	if (!server)
		server = ctx->initiator ? ctx->target : ctx->cred->principal;
	if ((client && strlen(client) > KSSPI_NAME_MAX) ||
	    (server && strlen(server) > KSSPI_NAME_MAX))
		return malformed(ctx, "name too long");
	if (r->session_key_len > KSSPI_SESSION_KEY_MAX)
		return malformed(ctx, "session key too long");
	if (r->expiry && r->expiry <= ktime_get_real_seconds())
		return SEC_E_CONTEXT_EXPIRED;

	if (client) {
		ctx->client_name = kstrdup(client, GFP_KERNEL);
		if (!ctx->client_name)
			return SEC_E_INSUFFICIENT_MEMORY;
	}
	if (server) {
		ctx->server_name = kstrdup(server, GFP_KERNEL);
		if (!ctx->server_name)
			return SEC_E_INSUFFICIENT_MEMORY;
	}
	if (r->session_key) {
		ctx->session_key = r->session_key;
		ctx->session_key_len = r->session_key_len;
		ctx->enctype = r->enctype;
		r->session_key = NULL;
	}
	ctx->expiry = r->expiry;
	return SEC_E_OK;
}

/*
 * Message protection for an established context, from the lucid context
 * the helper sent with the session key.  Without in-kernel support for the
 * enctype (RC4, DES3, ...), a caller that asked for integrity or
 * confidentiality gets SEC_E_ALGORITHM_MISMATCH; any other caller gets the
 * context without the message flags, and the message calls answer
 * SEC_E_UNSUPPORTED_FUNCTION.
 */
static s32 setup_messages(struct ksspi_context *ctx, struct krb5_ctx *kx,
			  const struct ksspi_upcall_reply *r)
{
	u32 want, prot;
	s32 status;

	lockdep_assert_held(&ctx->lock);
	if (ctx->initiator) {
		want = ISC_REQ_INTEGRITY | ISC_REQ_CONFIDENTIALITY;
		prot = ISC_RET_INTEGRITY | ISC_RET_CONFIDENTIALITY |
		       ISC_RET_REPLAY_DETECT | ISC_RET_SEQUENCE_DETECT;
	} else {
		want = ASC_REQ_INTEGRITY | ASC_REQ_CONFIDENTIALITY;
		prot = ASC_RET_INTEGRITY | ASC_RET_CONFIDENTIALITY |
		       ASC_RET_REPLAY_DETECT | ASC_RET_SEQUENCE_DETECT;
	}
	if (r->has_lucid)
		status = ksspi_krb5_msg_new(ctx, &r->lucid, &kx->msg);
	else
		status = SEC_E_UNSUPPORTED_FUNCTION;
	if (status != SEC_E_UNSUPPORTED_FUNCTION)
		return status;
	if (ctx->req_flags & want) {
		pr_info_ratelimited("ksspi: %s context %llu: no message protection for enctype %u\n",
				    ctx->pkg->name, ctx->id, ctx->enctype);
		return SEC_E_ALGORITHM_MISMATCH;
	}
	ctx->ret_flags &= ~prot;
	return SEC_E_OK;
}

/* The client's access token, from an established acceptor's reply. */
static s32 make_token(struct ksspi_context *ctx, struct ksspi_upcall_reply *r)
{
	struct ksspi_token_desc desc = {
		.uid = r->uid,
		.gid = r->gid,
		.groups = r->groups,
		.name = r->client_name,
		.level = r->level,
		.expiry = ctx->expiry,
		.source = r->instantiator,
		.delegated = r->delegated,
		.delegated_len = r->delegated_len,
	};
	struct group_info *none = NULL;
	bool deleg, anonymous;
	s32 status;

	if (!r->client_name)
		return malformed(ctx, "no client name");
	if (r->level > SECURITY_DELEGATION)
		return malformed(ctx, "bad impersonation level");
	deleg = r->level == SECURITY_DELEGATION;
	if (deleg != !!r->delegated)
		return malformed(ctx, "delegated credentials and level disagree");
	if (r->level >= SECURITY_IMPERSONATION &&
	    (!uid_valid(r->uid) || !gid_valid(r->gid)))
		return malformed(ctx, "no local identity");

	/* The server asked for identification only: no more. */
	if ((ctx->req_flags & ASC_REQ_IDENTIFY) &&
	    desc.level > SECURITY_IDENTIFICATION) {
		desc.level = SECURITY_IDENTIFICATION;
		desc.delegated = NULL;
		desc.delegated_len = 0;
	}
	/*
	 * An unmapped client (below impersonation level, checked above):
	 * anonymous ids, the principal still in the name.
	 */
	anonymous = !uid_valid(desc.uid) || !gid_valid(desc.gid) ||
		    desc.level == SECURITY_ANONYMOUS;
	if (anonymous) {
		desc.uid = make_kuid(&init_user_ns, overflowuid);
		desc.gid = make_kgid(&init_user_ns, overflowgid);
		desc.source = NULL;
	}
	if (!desc.groups || anonymous) {
		none = groups_alloc(0);
		if (!none)
			return SEC_E_INSUFFICIENT_MEMORY;
		desc.groups = none;
	}
	status = ksspi_token_create(ctx->pkg, &desc, &ctx->token);
	if (none)
		put_group_info(none);
	if (status)
		return status;
	if (desc.level == SECURITY_DELEGATION)
		ctx->ret_flags |= ASC_RET_DELEGATE;
	else
		ctx->ret_flags &= ~ASC_RET_DELEGATE;
	if (desc.level == SECURITY_IDENTIFICATION)
		ctx->ret_flags |= ASC_RET_IDENTIFY;
	if (desc.level == SECURITY_ANONYMOUS)
		ctx->ret_flags |= ASC_RET_NULL_SESSION;
	return SEC_E_OK;
}

/* Turns a validated reply into the leg's status; takes what it keeps. */
static s32 finish_leg(struct ksspi_context *ctx, struct krb5_ctx *kx,
		      struct ksspi_upcall_reply *r, u8 **out, u32 *out_len)
{
	s32 status = r->status;

	if (!known_status(status))
		return malformed(ctx, "unknown status");
	if (status < 0) {
		log_failure(ctx->pkg->name, r, ctx->id);
		return status;
	}
	if (r->output_len > KRB5_MAX_TOKEN)
		return malformed(ctx, "output token too long");
	if (r->state_len > KSSPI_UPCALL_STATE_MAX)
		return malformed(ctx, "state too long");

	if (ctx->initiator) {
		ctx->ret_flags = r->ret_flags & KRB5_ISC_RET &
				 (ctx->req_flags | ~ISC_RET_DELEGATE);
		/* Only a verified AP-REP authenticates the acceptor. */
		if (!kx->leg || !(ctx->req_flags & ISC_REQ_MUTUAL_AUTH))
			ctx->ret_flags &= ~ISC_RET_MUTUAL_AUTH;
	} else {
		ctx->ret_flags = r->ret_flags & KRB5_ASC_RET;
	}

	if (status == SEC_I_CONTINUE_NEEDED) {
		if (!r->output)
			return malformed(ctx, "CONTINUE_NEEDED without a token");
		kfree_sensitive(kx->state);
		kx->state = r->state;
		kx->state_len = r->state_len;
		r->state = NULL;
	} else {
		/*
		 * A mutual initiator is done only once the peer's AP-REP
		 * verified, which needs a leg with the peer's answer.
		 */
		if (ctx->initiator && (ctx->req_flags & ISC_REQ_MUTUAL_AUTH) &&
		    (!(r->ret_flags & ISC_RET_MUTUAL_AUTH) || !kx->leg))
			return SEC_E_MUTUAL_AUTH_FAILED;
		status = take_context(ctx, r);
		if (status == SEC_E_OK)
			status = setup_messages(ctx, kx, r);
		if (status == SEC_E_OK && !ctx->initiator)
			status = make_token(ctx, r);
		if (status != SEC_E_OK)
			return status;
		kfree_sensitive(kx->state);
		kx->state = NULL;
		kx->state_len = 0;
	}
	if (r->output) {
		*out = r->output;
		*out_len = r->output_len;
		r->output = NULL;
	}
	return status;
}

/* Refuses a leg the package cannot run without asking the helper. */
static s32 check_input(struct ksspi_context *ctx, const struct krb5_ctx *kx,
		       const struct ksspi_leg *leg)
{
	if (leg->in_len > KRB5_MAX_TOKEN)
		return SEC_E_INVALID_TOKEN;
	/* The initiator speaks first; after that every leg answers one. */
	if (ctx->initiator && !kx->leg)
		return leg->in_len ? SEC_E_INVALID_TOKEN : SEC_E_OK;
	if (!leg->in_len)
		return SEC_E_INVALID_TOKEN;
	if (kx->leg >= KRB5_MAX_LEGS)
		return SEC_E_INVALID_TOKEN;
	return SEC_E_OK;
}

static int krb5_step(struct ksspi_context *ctx, struct ksspi_leg *leg,
		     u8 **out, u32 *out_len, s32 *status)
{
	struct krb5_ctx *kx = ctx->pkg_data;
	struct ksspi_upcall_reply *reply;
	struct ksspi_upcall_req req;
	int ret;

	lockdep_assert_held(&ctx->lock);

	if (!kx) {
		kx = kzalloc(sizeof(*kx), GFP_KERNEL);
		if (!kx) {
			*status = SEC_E_INSUFFICIENT_MEMORY;
			return 0;
		}
		ctx->pkg_data = kx;
	}
	*status = check_input(ctx, kx, leg);
	if (*status)
		return 0;

	init_req(&req, ctx->cred, ctx->initiator ? KSSPI_UPCALL_INITIATE :
						   KSSPI_UPCALL_ACCEPT);
	req.context_id = ctx->id;
	req.leg = kx->leg;
	req.req_flags = ctx->req_flags;
	/* Any leg may be the last: the lucid context comes with SEC_E_OK. */
	req.flags |= KSSPI_UPCALL_F_LUCID;
	ksspi_upcall_add_string(&req, KSSPI_UPCALL_TARGET, ctx->target);
	add_cred_items(&req, ctx->cred);
	ksspi_upcall_add_item(&req, KSSPI_UPCALL_INPUT, leg->in, leg->in_len);
	ksspi_upcall_add_item(&req, KSSPI_UPCALL_STATE, kx->state, kx->state_len);

	ret = ksspi_upcall(&req, &reply);
	if (ret == -EPERM) {
		/* The upcall refused the identity (root without allow_root). */
		*status = SEC_E_LOGON_DENIED;
		kx->leg++;
		return 0;
	}
	if (ret) {
		ret = upcall_errno(ret);
		/* A signal: the leg did not happen, the caller may retry. */
		if (ret == -EINTR)
			return ret;
		*status = ret == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					   SEC_E_NO_AUTHENTICATING_AUTHORITY;
		return 0;
	}
	*status = finish_leg(ctx, kx, reply, out, out_len);
	ksspi_upcall_reply_free(reply);
	kx->leg++;
	return 0;
}

static void krb5_ctx_free(struct ksspi_context *ctx)
{
	struct krb5_ctx *kx = ctx->pkg_data;

	if (kx) {
		ksspi_krb5_msg_free(kx->msg);
		kfree_sensitive(kx->state);
		kfree(kx);
	}
}

static s32 krb5_message(struct ksspi_context *ctx, struct ksspi_msg *msg)
{
	struct krb5_ctx *kx = ctx->pkg_data;

	/* Set once, under ctx->lock, before the context was established. */
	if (!kx || !kx->msg)
		return SEC_E_UNSUPPORTED_FUNCTION;
	return ksspi_krb5_msg_call(kx->msg, msg);
}

static void krb5_message_sizes(struct ksspi_context *ctx,
			       struct ksspi_context_attrs *attrs)
{
	struct krb5_ctx *kx = ctx->pkg_data;

	lockdep_assert_held(&ctx->lock);
	if (kx && kx->msg)
		ksspi_krb5_msg_sizes(kx->msg, attrs);
}

static const struct ksspi_package_ops krb5_ops = {
	.cred_init = krb5_cred_init,
	.cred_free = krb5_cred_free,
	.step = krb5_step,
	.ctx_free = krb5_ctx_free,
	.message = krb5_message,
	.message_sizes = krb5_message_sizes,
};

#define KRB5_CAPABILITIES						\
	(SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY |			\
	 SECPKG_FLAG_TOKEN_ONLY | SECPKG_FLAG_CONNECTION |		\
	 SECPKG_FLAG_MULTI_REQUIRED | SECPKG_FLAG_EXTENDED_ERROR |	\
	 SECPKG_FLAG_IMPERSONATION | SECPKG_FLAG_ACCEPT_WIN32_NAME |	\
	 SECPKG_FLAG_GSS_COMPATIBLE | SECPKG_FLAG_LOGON |		\
	 SECPKG_FLAG_MUTUAL_AUTH | SECPKG_FLAG_DELEGATION)

static struct ksspi_package kerberos_package = {
	.name = "kerberos",
	.comment = "Kerberos V5 (GSS-API krb5 mechanism) via ksspi-upcall",
	.id = KSSPI_PACKAGE_KERBEROS,
	.capabilities = KRB5_CAPABILITIES,
	.version = 1,
	.max_token = KRB5_MAX_TOKEN,
	.isc_flags = KRB5_ISC_FLAGS,
	.asc_flags = KRB5_ASC_FLAGS,
	.ops = &krb5_ops,
};

static struct ksspi_package negotiate_package = {
	.name = "negotiate",
	.comment = "SPNEGO offering Kerberos V5, via ksspi-upcall",
	.id = KSSPI_PACKAGE_NEGOTIATE,
	.capabilities = KRB5_CAPABILITIES | SECPKG_FLAG_NEGOTIABLE,
	.version = 1,
	.max_token = KRB5_MAX_TOKEN,
	.isc_flags = KRB5_ISC_FLAGS,
	.asc_flags = KRB5_ASC_FLAGS,
	.ops = &krb5_ops,
};

int ksspi_kerberos_init(void)
{
	int ret;

	ret = ksspi_package_register(&kerberos_package);
	if (ret)
		return ret;
	ret = ksspi_package_register(&negotiate_package);
	if (ret)
		ksspi_package_unregister(&kerberos_package);
	return ret;
}

void ksspi_kerberos_exit(void)
{
	ksspi_package_unregister(&negotiate_package);
	ksspi_package_unregister(&kerberos_package);
}
