/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Credentials handles, security contexts and access tokens: the three
 * reference-counted objects of ksspi, each made from the one before it.
 */
#ifndef _KSSPI_OBJECT_H
#define _KSSPI_OBJECT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/time64.h>

#include "ksspi.h"

struct ksspi_package;

/* Largest session key a context keeps (Kerberos keys are at most 32). */
#define KSSPI_SESSION_KEY_MAX	64

/**
 * struct ksspi_cred - A credentials handle (AcquireCredentialsHandle).
 * @ref: reference count.
 * @pkg: the package it belongs to.
 * @use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH.
 * @owner: the identity of the thread that acquired it, as it was then.
 * @principal: the principal name it acts as.
 * @ccache: the credential cache the acquirer named, or NULL.
 * @keytab: the keytab the acquirer named, or NULL.
 * @kernel: acquired by kernel code (ksspi_acquire_credentials()), not
 *	through the ioctl: the package uses the system's credentials.
 * @expiry: when it expires (0: never).
 * @pkg_data: the package's state.
 * @pkg_args: package-specific acquire arguments (&ksspi_cred_args.pkg_args),
 *	set only while the package's cred_init runs.
 */
struct ksspi_cred {
	struct kref ref;
	const struct ksspi_package *pkg;
	u32 use;
	const struct cred *owner;
	char *principal;
	char *ccache;
	char *keytab;
	bool kernel;
	time64_t expiry;
	void *pkg_data;
	const void *pkg_args;
};

/**
 * struct ksspi_cred_args - What a credentials handle is acquired with.
 * @package: name of the package.
 * @use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH.
 * @principal: principal to act as, or NULL.
 * @ccache: credential cache name, or NULL.
 * @keytab: keytab name, or NULL.
 * @kernel: see &struct ksspi_cred.
 * @pkg_args: the package's own arguments (x509: &struct ksspi_x509_args),
 *	or NULL.
 */
struct ksspi_cred_args {
	const char *package;
	u32 use;
	const char *principal;
	const char *ccache;
	const char *keytab;
	bool kernel;
	const void *pkg_args;
};

/**
 * struct ksspi_context - A security context.
 * @ref: reference count.
 * @id: number naming it in trace events and debugfs.
 * @node: entry in the registry of live contexts.
 * @lock: serialises legs and the state they change.
 * @cred: the credentials it was made from.
 * @pkg: the package (that of @cred).
 * @initiator: true for InitializeSecurityContext, false for Accept.
 * @state: KSSPI_STATE_*.
 * @req_flags: ISC_REQ_* or ASC_REQ_* asked for.
 * @ret_flags: ISC_RET_* or ASC_RET_* granted.
 * @target: the target name (initiator), or NULL.
 * @client_name: the client's name once known.
 * @server_name: the server's name once known.
 * @start: when it was established.
 * @expiry: when it expires.
 * @token: the client's access token (established acceptor only).
 * @pending: output token of the last leg that did not fit the caller's
 *	buffer, or NULL.
 * @pending_len: its length.
 * @pending_status: the status of that leg.
 * @session_key: the session key, or NULL (freed with kfree_sensitive()).
 * @session_key_len: its length.
 * @enctype: its Kerberos encryption type.
 * @pkg_data: the package's state.
 */
struct ksspi_context {
	struct kref ref;
	u64 id;
	struct list_head node;
	struct mutex lock;	/* serialises legs, see above */
	struct ksspi_cred *cred;
	const struct ksspi_package *pkg;
	bool initiator;
	u32 state;
	u32 req_flags;
	u32 ret_flags;
	char *target;
	char *client_name;
	char *server_name;
	time64_t start;
	time64_t expiry;
	struct ksspi_token *token;
	u8 *pending;
	u32 pending_len;
	s32 pending_status;
	u8 *session_key;
	u32 session_key_len;
	u32 enctype;
	void *pkg_data;
};

/**
 * struct ksspi_token_desc - The identity a package asks a token to carry.
 * @uid: the client's user.
 * @gid: the client's primary group.
 * @groups: every supplementary group (a reference is taken).
 * @name: the client's name.
 * @level: impersonation level (SECURITY_*).
 * @expiry: when the token expires.
 * @source: credentials of a task that runs as the client (real uid = @uid),
 *	or NULL; user threads can impersonate only tokens that have one (see
 *	ksspi_token_cred_for()).  A reference is taken.
 * @delegated: the client's delegated credentials (the image of a Kerberos
 *	credential cache), or NULL; copied.  Only at %SECURITY_DELEGATION.
 * @delegated_len: its length.
 */
struct ksspi_token_desc {
	kuid_t uid;
	kgid_t gid;
	struct group_info *groups;
	const char *name;
	u32 level;
	time64_t expiry;
	const struct cred *source;
	const u8 *delegated;
	u32 delegated_len;
};

/**
 * struct ksspi_token - An access token (QuerySecurityContextToken).
 * @ref: reference count.
 * @id: number naming it in trace events and debugfs.
 * @node: entry in the registry of live tokens.
 * @pkg: the package that made it.
 * @uid: the client's user.
 * @gid: the client's primary group.
 * @groups: the client's supplementary groups.
 * @name: the client's name.
 * @level: impersonation level (SECURITY_*).
 * @expiry: when it expires.
 * @cred: what impersonating it installs, built once when the token is made:
 *	the client's ids without capabilities, or anonymous ids below
 *	SECURITY_IMPERSONATION.
 * @source: see &struct ksspi_token_desc.
 * @cache_lock: protects @cache_base and @cache_cred.
 * @cache_base: the thread credentials @cache_cred was derived from.
 * @cache_cred: @cred rebuilt on @cache_base (see ksspi_token_cred_for()).
 * @delegated: see &struct ksspi_token_desc (freed with kfree_sensitive()).
 * @delegated_len: its length.
 */
struct ksspi_token {
	struct kref ref;
	u64 id;
	struct list_head node;
	const struct ksspi_package *pkg;
	kuid_t uid;
	kgid_t gid;
	struct group_info *groups;
	char *name;
	u32 level;
	time64_t expiry;
	const struct cred *cred;
	const struct cred *source;
	spinlock_t cache_lock;	/* protects the cache_* members */
	const struct cred *cache_base;
	const struct cred *cache_cred;
	u8 *delegated;
	u32 delegated_len;
};

struct ksspi_cred *ksspi_cred_get(struct ksspi_cred *cred);
void ksspi_cred_put(struct ksspi_cred *cred);
int ksspi_cred_acquire(const struct ksspi_cred_args *args,
		       struct ksspi_cred **credp);

int ksspi_context_new(struct ksspi_cred *cred, bool initiator, u32 req_flags,
		      const char *target, struct ksspi_context **ctxp);
struct ksspi_context *ksspi_context_get(struct ksspi_context *ctx);
void ksspi_context_put(struct ksspi_context *ctx);
int ksspi_context_step(struct ksspi_context *ctx, struct ksspi_leg *leg,
		       s32 *status);
int ksspi_context_session_key(struct ksspi_context *ctx, void *key, u32 size,
			      u32 *enctype);
int ksspi_context_keep(struct ksspi_context *ctx, const void *out, u32 len,
		       s32 status);
struct ksspi_token *ksspi_context_token(struct ksspi_context *ctx);

s32 ksspi_token_create(const struct ksspi_package *pkg,
		       const struct ksspi_token_desc *desc,
		       struct ksspi_token **tokp);
bool ksspi_token_expired(const struct ksspi_token *tok);
const struct cred *ksspi_token_cred_for(struct ksspi_token *tok,
					const struct cred *base);

#endif /* _KSSPI_OBJECT_H */
