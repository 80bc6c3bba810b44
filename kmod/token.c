// SPDX-License-Identifier: GPL-2.0
/*
 * Access tokens: the client identity a context established, and the one
 * struct cred that impersonating it installs.
 *
 * The cred is built once, when the token is made, so that impersonation on
 * a server's hot path is a pointer swap: no allocation, no group sorting.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/export.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/keyctl.h>
#include <linux/timekeeping.h>
#include <linux/highuid.h>
#include <linux/capability.h>

#include "object.h"
#include "params.h"
#include "stats.h"
#include "trace.h"
#include "upcall.h"

struct ksspi_token *ksspi_token_get(struct ksspi_token *tok)
{
	kref_get(&tok->ref);
	return tok;
}
EXPORT_SYMBOL_GPL(ksspi_token_get);

static void token_release(struct kref *ref)
{
	struct ksspi_token *tok = container_of(ref, struct ksspi_token, ref);

	ksspi_token_unregister(tok);
	if (tok->cache_base) {
		put_cred(tok->cache_base);
		put_cred(tok->cache_cred);
	}
	put_cred(tok->cred);
	if (tok->source)
		put_cred(tok->source);
	put_group_info(tok->groups);
	kfree(tok->name);
	kfree(tok);
}

/**
 * ksspi_token_put() - Drop a token reference.
 * @tok: the token, or NULL.
 */
void ksspi_token_put(struct ksspi_token *tok)
{
	if (tok)
		kref_put(&tok->ref, token_release);
}
EXPORT_SYMBOL_GPL(ksspi_token_put);

/**
 * ksspi_token_uid() - The client's user.
 * @tok: the token.
 *
 * Return: the kuid the token identifies (even below impersonation level).
 */
kuid_t ksspi_token_uid(const struct ksspi_token *tok)
{
	return tok->uid;
}
EXPORT_SYMBOL_GPL(ksspi_token_uid);

/**
 * ksspi_token_level() - The token's impersonation level.
 * @tok: the token.
 *
 * Return: SECURITY_ANONYMOUS .. SECURITY_DELEGATION.
 */
u32 ksspi_token_level(const struct ksspi_token *tok)
{
	return tok->level;
}
EXPORT_SYMBOL_GPL(ksspi_token_level);

/**
 * ksspi_token_name() - The client's name.
 * @tok: the token.
 *
 * Return: a string that lives as long as the token.
 */
const char *ksspi_token_name(const struct ksspi_token *tok)
{
	return tok->name;
}
EXPORT_SYMBOL_GPL(ksspi_token_name);

bool ksspi_token_expired(const struct ksspi_token *tok)
{
	return tok->expiry && ktime_get_real_seconds() >= tok->expiry;
}

static bool maps_to_root(const struct ksspi_token_desc *desc)
{
	int i;

	if (uid_eq(desc->uid, GLOBAL_ROOT_UID) ||
	    gid_eq(desc->gid, GLOBAL_ROOT_GID))
		return true;
	for (i = 0; i < desc->groups->ngroups; i++)
		if (gid_eq(desc->groups->gid[i], GLOBAL_ROOT_GID))
			return true;
	return false;
}

/*
 * Builds what impersonating the token installs: @new, or a copy of the
 * current thread's credentials (so that its LSM context and user namespace
 * carry over), with the client's ids, or anonymous ids below impersonation
 * level, and no capabilities or keyrings of the thread's own.  A session
 * keyring that @new brings is the client's and is kept.
 */
static struct cred *build_cred(const struct ksspi_token_desc *desc,
			       struct cred *new)
{
	bool own_session = !new;
	struct group_info *groups;
	kuid_t uid;
	kgid_t gid;

	if (!new)
		new = prepare_creds();
	if (!new)
		return NULL;

	if (desc->level >= SECURITY_IMPERSONATION) {
		uid = desc->uid;
		gid = desc->gid;
		groups = get_group_info(desc->groups);
	} else {
		uid = make_kuid(&init_user_ns, overflowuid);
		gid = make_kgid(&init_user_ns, overflowgid);
		groups = groups_alloc(0);
		if (!groups) {
			abort_creds(new);
			return NULL;
		}
	}
	new->uid = uid;
	new->euid = uid;
	new->suid = uid;
	new->fsuid = uid;
	new->gid = gid;
	new->egid = gid;
	new->sgid = gid;
	new->fsgid = gid;
	set_groups(new, groups);
	put_group_info(groups);

	new->cap_inheritable = CAP_EMPTY_SET;
	new->cap_permitted = CAP_EMPTY_SET;
	new->cap_effective = CAP_EMPTY_SET;
	new->cap_ambient = CAP_EMPTY_SET;

#ifdef CONFIG_KEYS
	/* The client gets its own user keyrings, not the server's. */
	if (own_session) {
		key_put(new->session_keyring);
		new->session_keyring = NULL;
	}
	key_put(new->process_keyring);
	new->process_keyring = NULL;
	key_put(new->thread_keyring);
	new->thread_keyring = NULL;
	key_put(new->request_key_auth);
	new->request_key_auth = NULL;
	new->jit_keyring = KEY_REQKEY_DEFL_DEFAULT;
#endif
	return new;
}

/* Prepares a copy of @c, as prepare_creds() does of current's. */
static struct cred *prepare_creds_of(const struct cred *c)
{
	const struct cred *saved = override_creds(c);
	struct cred *new = prepare_creds();

	revert_creds(saved);
	return new;
}

/*
 * @base with @source's accounting: its user_struct (which also names its
 * user keyrings) and its ucounts.  The kernel keys a task's ucounts by its
 * real uid and moves its process count only when the user_struct changes; a
 * cred whose uid is not that of its accounting would send RLIMIT_NPROC
 * counts negative at the next execve() or setuid().  Only code that sets
 * real uids may allocate those objects, so they are taken, with their
 * references, from a cred that already has them.
 *
 * The session keyring: at delegation level the client's own (its
 * credentials are the client's to use); below, a new empty one, so that
 * touching it does not make the kernel install the user session keyring,
 * which would change the thread's credentials and end its revert.
 */
static struct cred *prepare_accounted(const struct cred *base,
				      const struct cred *source, u32 level)
{
	struct cred *new, *donor;
#ifdef CONFIG_KEYS
	struct key *session = NULL;

	if (level < SECURITY_DELEGATION) {
		session = keyring_alloc("_ksspi_ses", source->uid, source->gid,
					source, KEY_POS_ALL | KEY_USR_VIEW |
					KEY_USR_READ, KEY_ALLOC_NOT_IN_QUOTA,
					NULL, NULL);
		if (IS_ERR(session))
			return NULL;
	}
#endif

	new = prepare_creds_of(base);
	donor = new ? prepare_creds_of(source) : NULL;
	if (!donor) {
		if (new)
			abort_creds(new);
#ifdef CONFIG_KEYS
		key_put(session);
#endif
		return NULL;
	}
	swap(new->user, donor->user);
	swap(new->ucounts, donor->ucounts);
#ifdef CONFIG_KEYS
	swap(new->session_keyring, donor->session_keyring);
	if (session) {
		key_put(new->session_keyring);
		new->session_keyring = session;
	}
#endif
	/* The donor takes what it got back with it. */
	abort_creds(donor);
	return new;
}

/**
 * ksspi_token_cred_for() - The credentials impersonating @tok installs on a
 * user thread whose own credentials are @base.
 * @tok: the token.
 * @base: the impersonating thread's credentials before impersonation.
 *
 * They are @base (so that the thread keeps its LSM context and user
 * namespace) with the client's ids, no capabilities, and the client's
 * accounting and keyrings (see prepare_accounted()).  They need a task
 * credential of the client: the token's source, or @base itself when the
 * token names the caller; below impersonation level, where the ids are
 * anonymous, one of the overflow uid that the helper donates (an upcall,
 * see ksspi_upcall_anon_donor()).  The last result is cached in the token:
 * the threads of one server share their credentials, so after the first
 * call this allocates nothing and makes no upcall.
 *
 * Return: a new reference; ERR_PTR(-ENOENT) when the token has no usable
 * source (none, another user namespace, or below impersonation level no
 * donor because no helper answered); -ENOMEM.
 */
const struct cred *ksspi_token_cred_for(struct ksspi_token *tok,
					const struct cred *base)
{
	struct ksspi_token_desc desc = {
		.uid = tok->uid,
		.gid = tok->gid,
		.groups = tok->groups,
		.level = tok->level,
	};
	const struct cred *built, *old_base = NULL, *old_built = NULL;
	const struct cred *source = tok->source, *donor = NULL;
	struct cred *prepared;

	spin_lock(&tok->cache_lock);
	if (tok->cache_base == base) {
		built = get_cred(tok->cache_cred);
		spin_unlock(&tok->cache_lock);
		return built;
	}
	spin_unlock(&tok->cache_lock);

	if (tok->level < SECURITY_IMPERSONATION) {
		/* Anonymous ids: a task of the overflow uid, from the helper. */
		donor = ksspi_upcall_anon_donor();
		source = donor;
	} else if (uid_eq(base->uid, tok->uid)) {
		source = base;
	}
	if (!source || source->user_ns != base->user_ns ||
	    (!donor && !uid_eq(source->uid, tok->uid))) {
		if (donor)
			put_cred(donor);
		return ERR_PTR(-ENOENT);
	}
	prepared = prepare_accounted(base, source, tok->level);
	if (donor)
		put_cred(donor);
	built = prepared ? build_cred(&desc, prepared) : NULL;
	if (!built)
		return ERR_PTR(-ENOMEM);

	spin_lock(&tok->cache_lock);
	old_base = tok->cache_base;
	old_built = tok->cache_cred;
	tok->cache_base = get_cred(base);
	tok->cache_cred = get_cred(built);
	spin_unlock(&tok->cache_lock);
	if (old_base) {
		put_cred(old_base);
		put_cred(old_built);
	}
	return built;
}

/**
 * ksspi_token_create() - Make an access token.
 * @pkg: the package making it.
 * @desc: the identity; its groups must be sorted.
 * @tokp: where to store the token.
 *
 * Runs in the context of the thread that establishes the context.
 *
 * Return: %SEC_E_OK, %SEC_E_LOGON_DENIED for an identity that maps to
 * root while the allow_root parameter is off, %SEC_E_INSUFFICIENT_MEMORY.
 */
s32 ksspi_token_create(const struct ksspi_package *pkg,
		       const struct ksspi_token_desc *desc,
		       struct ksspi_token **tokp)
{
	struct ksspi_token *tok;

	if (desc->level > SECURITY_DELEGATION)
		return SEC_E_INTERNAL_ERROR;
	if (desc->level >= SECURITY_IDENTIFICATION && !ksspi_allow_root &&
	    maps_to_root(desc))
		return SEC_E_LOGON_DENIED;

	tok = kzalloc(sizeof(*tok), GFP_KERNEL);
	if (!tok)
		return SEC_E_INSUFFICIENT_MEMORY;
	tok->name = kstrdup(desc->name, GFP_KERNEL);
	if (!tok->name)
		goto err_free;
	tok->cred = build_cred(desc, NULL);
	if (!tok->cred)
		goto err_free_name;
	kref_init(&tok->ref);
	spin_lock_init(&tok->cache_lock);
	tok->pkg = pkg;
	tok->uid = desc->uid;
	tok->gid = desc->gid;
	tok->groups = get_group_info(desc->groups);
	tok->level = desc->level;
	tok->expiry = desc->expiry;
	tok->source = desc->source ? get_cred(desc->source) : NULL;
	tok->id = ksspi_object_id();
	ksspi_token_register(tok);
	ksspi_stat_inc(KSSPI_STAT_TOKENS);
	*tokp = tok;
	return SEC_E_OK;

err_free_name:
	kfree(tok->name);
err_free:
	kfree(tok);
	return SEC_E_INSUFFICIENT_MEMORY;
}

/**
 * ksspi_impersonate_token() - Act as a token's client on the current thread.
 * @tok: the token.
 *
 * Installs the token's credentials as the thread's subjective credentials
 * until ksspi_revert().  Allocates nothing; pairs nest like
 * override_creds()/revert_creds().  Below %SECURITY_IMPERSONATION the
 * credentials installed are anonymous.  The in-kernel caller is trusted:
 * no privilege check is made.
 *
 * Return: the credentials to hand to ksspi_revert(), or ERR_PTR(-EKEYEXPIRED)
 * for an expired token, in which case the thread's credentials are unchanged
 * and the request must not go on with them.
 */
const struct cred *ksspi_impersonate_token(struct ksspi_token *tok)
{
	if (ksspi_token_expired(tok)) {
		trace_ksspi_impersonate(tok->id, __kuid_val(tok->uid),
					tok->level, SEC_E_CONTEXT_EXPIRED, true);
		return ERR_PTR(-EKEYEXPIRED);
	}
	trace_ksspi_impersonate(tok->id, __kuid_val(tok->uid),
				tok->level, SEC_E_OK, true);
	return override_creds(tok->cred);
}
EXPORT_SYMBOL_GPL(ksspi_impersonate_token);

/**
 * ksspi_impersonate_context() - ImpersonateSecurityContext for the kernel.
 * @ctx: an established acceptor context.
 *
 * Return: as ksspi_impersonate_token(), or ERR_PTR(-ENOENT) when @ctx has
 * no client token.
 */
const struct cred *ksspi_impersonate_context(struct ksspi_context *ctx)
{
	struct ksspi_token *tok = ksspi_context_token(ctx);
	const struct cred *old;

	if (!tok)
		return ERR_PTR(-ENOENT);
	old = ksspi_impersonate_token(tok);
	/* The installed cred holds its own reference. */
	ksspi_token_put(tok);
	return old;
}
EXPORT_SYMBOL_GPL(ksspi_impersonate_context);

/**
 * ksspi_revert() - RevertSecurityContext for the kernel.
 * @old: what ksspi_impersonate_token() or ksspi_impersonate_context()
 *	returned.
 */
void ksspi_revert(const struct cred *old)
{
	trace_ksspi_revert(SEC_E_OK, true);
	revert_creds(old);
}
EXPORT_SYMBOL_GPL(ksspi_revert);
