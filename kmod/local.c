// SPDX-License-Identifier: GPL-2.0
/*
 * The local package: two processes on one host authenticate each other
 * through the kernel itself, the loopback-logon analog.
 *
 * The kernel is the authority both sides trust, so a token needs no
 * cryptography: it names a ticket the kernel keeps.  A ticket is single-use,
 * lives ksspi_local_ticket_ms, is bound to a target name, and records the
 * initiator's identity as it was when its credentials were acquired.  Only an
 * acceptor whose credentials carry exactly that target principal may consume
 * it, and a principal names its owner's uid ("uid:N" or "service/uid:N"), so
 * no one can accept tickets meant for someone else.  With mutual
 * authentication the acceptor answers with a proof the kernel generated when
 * the ticket was consumed; the initiator's second leg checks it against the
 * ticket, which proves the intended acceptor really accepted.
 *
 * Wire format (big endian): a 12-byte header {magic "KSLC", version, type,
 * flags, body length} followed by the body: AP-REQ {ticket id[16], target
 * length (16 bits), target}; AP-REP {ticket id[16], proof[16]}.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>
#include <crypto/algapi.h>
#include <asm/unaligned.h>

#include "object.h"
#include "package.h"
#include "params.h"

#define LOCAL_MAGIC		0x4b534c43	/* "KSLC" */
#define LOCAL_VERSION		1
#define LOCAL_AP_REQ		1
#define LOCAL_AP_REP		2
#define LOCAL_F_MUTUAL		0x0001
#define LOCAL_HDR_LEN		12
#define LOCAL_ID_LEN		16
#define LOCAL_SERVICE_MAX	64
#define LOCAL_CONSUMED		256
#define LOCAL_MAX_TOKEN		(LOCAL_HDR_LEN + LOCAL_ID_LEN + 2 + KSSPI_NAME_MAX)

#define LOCAL_ISC_FLAGS	(ISC_REQ_MUTUAL_AUTH | ISC_REQ_DELEGATE |	\
			 ISC_REQ_IDENTIFY | ISC_REQ_NULL_SESSION |	\
			 ISC_REQ_CONNECTION)

enum ticket_state {
	TICKET_ISSUED,
	TICKET_ACCEPTED,
};

struct local_ticket {
	struct list_head node;
	struct kref ref;
	u8 id[LOCAL_ID_LEN];
	u8 proof[LOCAL_ID_LEN];
	enum ticket_state state;
	unsigned long deadline;
	bool mutual;
	u32 level;
	kuid_t owner;
	const struct cred *client;
	char *client_name;
	char *target;
	char *server_name;
};

static LIST_HEAD(tickets);
static DEFINE_SPINLOCK(tickets_lock);
static unsigned int nr_tickets;
static u8 consumed[LOCAL_CONSUMED][LOCAL_ID_LEN];
static unsigned int consumed_next, nr_consumed;

static void ticket_release(struct kref *ref)
{
	struct local_ticket *t = container_of(ref, struct local_ticket, ref);

	put_cred(t->client);
	kfree(t->client_name);
	kfree(t->target);
	kfree(t->server_name);
	kfree_sensitive(t);
}

static void ticket_put(struct local_ticket *t)
{
	if (t)
		kref_put(&t->ref, ticket_release);
}

/* Unlinks expired tickets onto @dead, for the caller to put outside the lock. */
static void tickets_expire(struct list_head *dead)
{
	struct local_ticket *t, *tmp;

	lockdep_assert_held(&tickets_lock);
	list_for_each_entry_safe(t, tmp, &tickets, node) {
		if (time_before(jiffies, t->deadline))
			continue;
		list_move(&t->node, dead);
		nr_tickets--;
	}
}

static void tickets_put_list(struct list_head *dead)
{
	struct local_ticket *t, *tmp;

	list_for_each_entry_safe(t, tmp, dead, node) {
		list_del(&t->node);
		ticket_put(t);
	}
}

/* Parses "uid:N" at the end of a principal. */
static int principal_uid(const char *p, uid_t *uid)
{
	const char *s = strrchr(p, '/');
	const char *svc_end = s;
	const char *c;

	s = s ? s + 1 : p;
	if (svc_end) {
		if (svc_end == p || svc_end - p > LOCAL_SERVICE_MAX)
			return -EINVAL;
		for (c = p; c < svc_end; c++)
			if (!isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
				return -EINVAL;
	}
	if (strncmp(s, "uid:", 4) || !isdigit(s[4]) ||
	    (s[4] == '0' && s[5]))
		return -EINVAL;
	return kstrtouint(s + 4, 10, uid);
}

static int local_cred_init(struct ksspi_cred *cred)
{
	uid_t own = from_kuid(&init_user_ns, cred->owner->euid);
	uid_t uid;
	int ret;

	/* The kernel is the authority: there is no ccache or keytab. */
	if (cred->ccache || cred->keytab)
		return -EINVAL;
	if (!cred->principal) {
		cred->principal = kasprintf(GFP_KERNEL, "uid:%u", own);
		return cred->principal ? 0 : -ENOMEM;
	}
	ret = principal_uid(cred->principal, &uid);
	if (ret)
		return -EINVAL;
	/* A principal names its owner: nobody claims another's tickets. */
	return uid == own ? 0 : -EPERM;
}

/*
 * Checks the header of an input token of @type; on success points @body at
 * its body and reports trailing bytes in leg->extra.
 */
static s32 parse(struct ksspi_leg *leg, u8 type, const u8 **body, u32 *len)
{
	const u8 *in = leg->in;
	u32 need;

	if (leg->in_len < LOCAL_HDR_LEN) {
		leg->missing = LOCAL_HDR_LEN - leg->in_len;
		return SEC_E_INCOMPLETE_MESSAGE;
	}
	if (get_unaligned_be32(in) != LOCAL_MAGIC || in[4] != LOCAL_VERSION ||
	    in[5] != type)
		return SEC_E_INVALID_TOKEN;
	*len = get_unaligned_be32(in + 8);
	if (*len > LOCAL_MAX_TOKEN - LOCAL_HDR_LEN)
		return SEC_E_INVALID_TOKEN;
	need = LOCAL_HDR_LEN + *len;
	if (leg->in_len < need) {
		leg->missing = need - leg->in_len;
		return SEC_E_INCOMPLETE_MESSAGE;
	}
	leg->extra = leg->in_len - need;
	*body = in + LOCAL_HDR_LEN;
	return SEC_E_OK;
}

static u8 *build(u8 type, u16 flags, u32 body_len, u32 *out_len)
{
	u8 *out = kzalloc(LOCAL_HDR_LEN + body_len, GFP_KERNEL);

	if (!out)
		return NULL;
	put_unaligned_be32(LOCAL_MAGIC, out);
	out[4] = LOCAL_VERSION;
	out[5] = type;
	put_unaligned_be16(flags, out + 6);
	put_unaligned_be32(body_len, out + 8);
	*out_len = LOCAL_HDR_LEN + body_len;
	return out;
}

static u32 initiator_level(u32 req)
{
	if (req & ISC_REQ_NULL_SESSION)
		return SECURITY_ANONYMOUS;
	if (req & ISC_REQ_IDENTIFY)
		return SECURITY_IDENTIFICATION;
	if (req & ISC_REQ_DELEGATE)
		return SECURITY_DELEGATION;
	return SECURITY_IMPERSONATION;
}

static s32 issue(struct ksspi_context *ctx, struct ksspi_leg *leg,
		 u8 **out, u32 *out_len)
{
	struct ksspi_cred *cred = ctx->cred;
	struct local_ticket *t, *it;
	unsigned int mine = 0;
	LIST_HEAD(dead);
	size_t tlen;
	u8 *tok;

	if (leg->in_len)
		return SEC_E_INVALID_TOKEN;
	if (!ctx->target || !*ctx->target)
		return SEC_E_TARGET_UNKNOWN;
	tlen = strlen(ctx->target);

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return SEC_E_INSUFFICIENT_MEMORY;
	kref_init(&t->ref);
	t->target = kstrdup(ctx->target, GFP_KERNEL);
	t->client_name = kstrdup(cred->principal, GFP_KERNEL);
	tok = build(LOCAL_AP_REQ, (ctx->req_flags & ISC_REQ_MUTUAL_AUTH) ?
		    LOCAL_F_MUTUAL : 0, LOCAL_ID_LEN + 2 + tlen, out_len);
	if (!t->target || !t->client_name || !tok) {
		kfree(tok);
		ticket_put(t);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	get_random_bytes(t->id, sizeof(t->id));
	t->client = get_cred(cred->owner);
	t->owner = cred->owner->euid;
	t->mutual = ctx->req_flags & ISC_REQ_MUTUAL_AUTH;
	t->level = initiator_level(ctx->req_flags);
	t->deadline = jiffies + msecs_to_jiffies(ksspi_local_ticket_ms);

	memcpy(tok + LOCAL_HDR_LEN, t->id, LOCAL_ID_LEN);
	put_unaligned_be16(tlen, tok + LOCAL_HDR_LEN + LOCAL_ID_LEN);
	memcpy(tok + LOCAL_HDR_LEN + LOCAL_ID_LEN + 2, ctx->target, tlen);

	spin_lock(&tickets_lock);
	tickets_expire(&dead);
	list_for_each_entry(it, &tickets, node)
		if (uid_eq(it->owner, t->owner))
			mine++;
	if (nr_tickets >= ksspi_local_max_tickets ||
	    mine >= ksspi_local_max_tickets / 4 + 1) {
		spin_unlock(&tickets_lock);
		tickets_put_list(&dead);
		kfree(tok);
		ticket_put(t);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	/*
	 * The list holds the first reference; this leg takes another before
	 * the ticket is published: once the lock is dropped an acceptor may
	 * consume it, or another leg expire it, and free it under us.
	 */
	kref_get(&t->ref);
	list_add_tail(&t->node, &tickets);
	nr_tickets++;
	spin_unlock(&tickets_lock);
	tickets_put_list(&dead);

	*out = tok;
	ctx->client_name = kstrdup(t->client_name, GFP_KERNEL);
	if (!ctx->client_name) {
		kfree(tok);
		*out = NULL;
		ticket_put(t);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	ctx->ret_flags = ctx->req_flags & LOCAL_ISC_FLAGS &
			 ~ISC_REQ_MUTUAL_AUTH;
	if (t->level != SECURITY_DELEGATION)
		ctx->ret_flags &= ~ISC_RET_DELEGATE;
	if (!t->mutual) {
		/* Nothing comes back: the initiator is done. */
		ticket_put(t);
		ctx->server_name = kstrdup(ctx->target, GFP_KERNEL);
		return ctx->server_name ? SEC_E_OK : SEC_E_INSUFFICIENT_MEMORY;
	}
	/* The context keeps this leg's reference for the second leg. */
	ctx->pkg_data = t;
	return SEC_I_CONTINUE_NEEDED;
}

static s32 confirm(struct ksspi_context *ctx, struct ksspi_leg *leg)
{
	struct local_ticket *t = ctx->pkg_data;
	const u8 *body;
	bool good;
	u32 len;
	s32 status;

	status = parse(leg, LOCAL_AP_REP, &body, &len);
	if (status)
		return status;
	if (len != 2 * LOCAL_ID_LEN || crypto_memneq(body, t->id, LOCAL_ID_LEN))
		return SEC_E_INVALID_TOKEN;

	spin_lock(&tickets_lock);
	good = t->state == TICKET_ACCEPTED &&
	       !crypto_memneq(body + LOCAL_ID_LEN, t->proof, LOCAL_ID_LEN);
	spin_unlock(&tickets_lock);
	if (!good)
		return SEC_E_MUTUAL_AUTH_FAILED;

	/* server_name is written once, before state turned ACCEPTED. */
	ctx->server_name = kstrdup(t->server_name, GFP_KERNEL);
	if (!ctx->server_name)
		return SEC_E_INSUFFICIENT_MEMORY;
	ctx->ret_flags |= ISC_RET_MUTUAL_AUTH;
	ctx->pkg_data = NULL;
	ticket_put(t);
	return SEC_E_OK;
}

/*
 * The ids of the last LOCAL_CONSUMED tickets consumed, so that a replay is
 * reported as one; an older replay names no ticket and is refused as an
 * invalid token.
 */
static void remember_consumed(const u8 *id)
{
	lockdep_assert_held(&tickets_lock);
	memcpy(consumed[consumed_next], id, LOCAL_ID_LEN);
	consumed_next = (consumed_next + 1) % LOCAL_CONSUMED;
	nr_consumed = min(nr_consumed + 1, LOCAL_CONSUMED);
}

static bool was_consumed(const u8 *id)
{
	int i;

	lockdep_assert_held(&tickets_lock);
	for (i = 0; i < nr_consumed; i++)
		if (!crypto_memneq(consumed[i], id, LOCAL_ID_LEN))
			return true;
	return false;
}

static struct local_ticket *find(const u8 *id)
{
	struct local_ticket *t;

	lockdep_assert_held(&tickets_lock);
	list_for_each_entry(t, &tickets, node)
		if (!crypto_memneq(t->id, id, LOCAL_ID_LEN))
			return t;
	return NULL;
}

static s32 make_token(struct ksspi_context *ctx, struct local_ticket *t)
{
	const struct cred *c = t->client;
	struct ksspi_token_desc desc = {
		.uid = c->euid,
		.gid = c->egid,
		.groups = c->group_info,
		.name = t->client_name,
		.level = t->level,
		.expiry = ctx->expiry,
		.source = c,
	};
	struct group_info *none = NULL;
	s32 status;

	if (ctx->req_flags & ASC_REQ_IDENTIFY)
		desc.level = min_t(u32, desc.level, SECURITY_IDENTIFICATION);
	if (desc.level == SECURITY_ANONYMOUS) {
		none = groups_alloc(0);
		if (!none)
			return SEC_E_INSUFFICIENT_MEMORY;
		desc.uid = make_kuid(&init_user_ns, overflowuid);
		desc.gid = make_kgid(&init_user_ns, overflowgid);
		desc.groups = none;
		desc.name = "anonymous";
		desc.source = NULL;
	}
	status = ksspi_token_create(ctx->pkg, &desc, &ctx->token);
	if (none)
		put_group_info(none);
	if (status)
		return status;
	ctx->client_name = kstrdup(desc.name, GFP_KERNEL);
	if (!ctx->client_name)
		return SEC_E_INSUFFICIENT_MEMORY;

	switch (desc.level) {
	case SECURITY_ANONYMOUS:
		ctx->ret_flags |= ASC_RET_NULL_SESSION;
		break;
	case SECURITY_IDENTIFICATION:
		ctx->ret_flags |= ASC_RET_IDENTIFY;
		break;
	case SECURITY_DELEGATION:
		ctx->ret_flags |= ASC_RET_DELEGATE;
		break;
	}
	return SEC_E_OK;
}

static s32 accept(struct ksspi_context *ctx, struct ksspi_leg *leg,
		  u8 **out, u32 *out_len)
{
	const char *principal = ctx->cred->principal;
	struct local_ticket *t;
	const u8 *body;
	u32 len, tlen;
	u8 proof[LOCAL_ID_LEN];
	char *server_name;
	LIST_HEAD(dead);
	s32 status;
	u8 *rep;

	status = parse(leg, LOCAL_AP_REQ, &body, &len);
	if (status)
		return status;
	if (len < LOCAL_ID_LEN + 2)
		return SEC_E_INVALID_TOKEN;
	tlen = get_unaligned_be16(body + LOCAL_ID_LEN);
	if (len != LOCAL_ID_LEN + 2 + tlen)
		return SEC_E_INVALID_TOKEN;

	rep = build(LOCAL_AP_REP, 0, 2 * LOCAL_ID_LEN, out_len);
	if (!rep)
		return SEC_E_INSUFFICIENT_MEMORY;
	get_random_bytes(proof, sizeof(proof));

	server_name = kstrdup(principal, GFP_KERNEL);
	if (!server_name) {
		kfree(rep);
		*out_len = 0;
		return SEC_E_INSUFFICIENT_MEMORY;
	}

	spin_lock(&tickets_lock);
	t = find(body);
	if (!t) {
		status = was_consumed(body) ? SEC_E_LOGON_DENIED :
					      SEC_E_INVALID_TOKEN;
	} else if (!time_before(jiffies, t->deadline)) {
		status = SEC_E_CONTEXT_EXPIRED;
	} else if (strlen(t->target) != tlen ||
		   memcmp(t->target, body + LOCAL_ID_LEN + 2, tlen) ||
		   strcmp(t->target, principal)) {
		/* Not for us: leave it for the acceptor it names. */
		status = SEC_E_WRONG_PRINCIPAL;
	} else if (t->level == SECURITY_ANONYMOUS &&
		   !(ctx->req_flags & ASC_REQ_ALLOW_NULL_SESSION)) {
		status = SEC_E_LOGON_DENIED;
	} else {
		/*
		 * Consumed: off the list, whose reference is now ours, so that
		 * quotas count only tickets still waiting for an acceptor.
		 */
		memcpy(t->proof, proof, sizeof(proof));
		t->server_name = server_name;
		server_name = NULL;
		t->state = TICKET_ACCEPTED;
		list_del(&t->node);
		nr_tickets--;
		remember_consumed(t->id);
	}
	tickets_expire(&dead);
	spin_unlock(&tickets_lock);
	tickets_put_list(&dead);
	kfree(server_name);
	if (status) {
		kfree(rep);
		*out_len = 0;
		return status;
	}

	ctx->expiry = ktime_get_real_seconds() + ksspi_context_lifetime;
	ctx->server_name = kstrdup(principal, GFP_KERNEL);
	status = ctx->server_name ? make_token(ctx, t) :
				    SEC_E_INSUFFICIENT_MEMORY;
	if (status == SEC_E_OK && t->mutual) {
		memcpy(rep + LOCAL_HDR_LEN, t->id, LOCAL_ID_LEN);
		memcpy(rep + LOCAL_HDR_LEN + LOCAL_ID_LEN, proof, LOCAL_ID_LEN);
		ctx->ret_flags |= ASC_RET_MUTUAL_AUTH;
		*out = rep;
	} else {
		kfree(rep);
		*out_len = 0;
	}
	if (ctx->req_flags & ASC_REQ_CONNECTION)
		ctx->ret_flags |= ASC_RET_CONNECTION;
	memzero_explicit(proof, sizeof(proof));
	ticket_put(t);
	return status;
}

/* Never waits for anything: never interrupted. */
static int local_step(struct ksspi_context *ctx, struct ksspi_leg *leg,
		      u8 **out, u32 *out_len, s32 *status)
{
	lockdep_assert_held(&ctx->lock);

	if (!ctx->initiator)
		*status = accept(ctx, leg, out, out_len);
	else if (ctx->state == KSSPI_STATE_NEW)
		*status = issue(ctx, leg, out, out_len);
	else
		*status = confirm(ctx, leg);
	return 0;
}

static void local_ctx_free(struct ksspi_context *ctx)
{
	ticket_put(ctx->pkg_data);
}

static const struct ksspi_package_ops local_ops = {
	.cred_init = local_cred_init,
	.step = local_step,
	.ctx_free = local_ctx_free,
};

static struct ksspi_package local_package = {
	.name = "local",
	.comment = "Same-host authentication through the kernel",
	.id = KSSPI_PACKAGE_LOCAL,
	.capabilities = SECPKG_FLAG_CONNECTION | SECPKG_FLAG_IMPERSONATION |
			SECPKG_FLAG_MUTUAL_AUTH | SECPKG_FLAG_LOGON |
			SECPKG_FLAG_DELEGATION,
	.version = LOCAL_VERSION,
	.max_token = LOCAL_MAX_TOKEN,
	.ops = &local_ops,
};

unsigned int ksspi_local_tickets(void)
{
	return READ_ONCE(nr_tickets);
}

int ksspi_local_init(void)
{
	return ksspi_package_register(&local_package);
}

void ksspi_local_exit(void)
{
	LIST_HEAD(dead);

	ksspi_package_unregister(&local_package);
	spin_lock(&tickets_lock);
	list_splice_init(&tickets, &dead);
	nr_tickets = 0;
	spin_unlock(&tickets_lock);
	tickets_put_list(&dead);
}
