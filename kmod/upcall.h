/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request-key upcall to ksspi-upcall: the whole surface packages use.
 * The wire format is uapi/linux/ksspi_upcall.h.
 */
#ifndef _KSSPI_UPCALL_H
#define _KSSPI_UPCALL_H

#include <linux/cred.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/time64.h>

#include "../uapi/linux/ksspi_upcall.h"

struct seq_file;

/* Most request items one call carries. */
#define KSSPI_UPCALL_ITEMS_MAX	8

/**
 * struct ksspi_upcall_req - What a package asks of the helper.
 * @op: KSSPI_UPCALL_* operation.
 * @flags: KSSPI_UPCALL_F_* flags.
 * @context_id: the context's id, or 0.
 * @package_id: KSSPI_PACKAGE_*.
 * @leg: 0 for the first leg of a context.
 * @req_flags: ISC_REQ_* or ASC_REQ_* bits.
 * @cred_use: SECPKG_CRED_* of the handle.
 * @requester: the credentials the helper acts as (the handle's owner): its
 *	real uid, real gid and supplementary groups go into the request.
 * @nr_items: number of @items in use.
 * @items: request items (KSSPI_UPCALL_GROUPS is added by the upcall from
 *	@requester; do not pass it).
 * @items.type: KSSPI_UPCALL_* item type.
 * @items.len: bytes at @items.data.
 * @items.data: the item's data (not copied until ksspi_upcall() runs).
 */
struct ksspi_upcall_req {
	u16 op;
	u32 flags;
	u64 context_id;
	u32 package_id;
	u32 leg;
	u32 req_flags;
	u32 cred_use;
	const struct cred *requester;
	unsigned int nr_items;
	struct {
		u16 type;
		u32 len;
		const void *data;
	} items[KSSPI_UPCALL_ITEMS_MAX];
};

/**
 * ksspi_upcall_add_item() - Append an item to a request.
 * @req: the request.
 * @type: KSSPI_UPCALL_* item type.
 * @data: the item's data; nothing is added when NULL or @len is 0.
 * @len: bytes at @data.
 *
 * The data is not copied until ksspi_upcall() runs.  Packages never add
 * more than %KSSPI_UPCALL_ITEMS_MAX items; one more is a bug (warned once
 * and dropped, which the helper then refuses as incomplete).
 */
static inline void ksspi_upcall_add_item(struct ksspi_upcall_req *req,
					 u16 type, const void *data, u32 len)
{
	if (!data || !len)
		return;
	if (WARN_ON_ONCE(req->nr_items >= KSSPI_UPCALL_ITEMS_MAX))
		return;
	req->items[req->nr_items].type = type;
	req->items[req->nr_items].len = len;
	req->items[req->nr_items].data = data;
	req->nr_items++;
}

/**
 * ksspi_upcall_add_string() - Append a string item (without its NUL).
 * @req: the request.
 * @type: KSSPI_UPCALL_* item type.
 * @s: the string, or NULL for none.
 */
static inline void ksspi_upcall_add_string(struct ksspi_upcall_req *req,
					   u16 type, const char *s)
{
	if (s)
		ksspi_upcall_add_item(req, type, s, strlen(s));
}

/**
 * struct ksspi_upcall_reply - A response that parsed and validated.
 * @status: SECURITY_STATUS the helper reported.
 * @ret_flags: ISC_RET_* or ASC_RET_* bits.
 * @gss_major: GSS-API major status (log only).
 * @gss_minor: GSS-API minor status (log only).
 * @expiry: when the credentials or context expire (0: unknown).
 * @uid: the client's uid (INVALID_UID if none), mapped from the initial
 *	user namespace; never root unless the allow_root parameter is set.
 * @gid: the client's primary gid (INVALID_GID if none).
 * @groups: the client's supplementary groups, sorted, or NULL.
 * @level: SECURITY_* level, or 0.
 * @enctype: enctype of @session_key, or 0.
 * @output: token for the peer, or NULL.
 * @output_len: its length.
 * @state: opaque state for the next leg, or NULL.
 * @state_len: its length.
 * @client_name: the client's principal, or NULL.
 * @server_name: the server's principal, or NULL.
 * @local_name: the local account name, or NULL.
 * @message: the helper's explanation of a failure, or NULL.
 * @session_key: the session key, or NULL (freed with kfree_sensitive()).
 * @session_key_len: its length.
 * @delegated: image of a ccache with delegated credentials, or NULL
 *	(freed with kfree_sensitive()).
 * @delegated_len: its length.
 * @has_lucid: @lucid is valid (only when the request had
 *	%KSSPI_UPCALL_F_LUCID; then @session_key is there too).
 * @lucid: per-message state of the established context.
 * @x509_certs: %KSSPI_UPCALL_X509_CERTS (framing checked), or NULL.
 * @x509_certs_len: its length.
 * @x509_sig: %KSSPI_UPCALL_X509_SIGNATURE, or NULL.
 * @x509_sig_len: its length.
 * @x509_sig_alg: %KSSPI_UPCALL_X509_SIG_ALG (a KSSPI_X509_SIG_*), or 0.
 * @x509_strength: %KSSPI_UPCALL_X509_STRENGTH (KSSPI_X509_STRENGTH_*), or 0.
 * @instantiator: the credentials of the process that instantiated the key
 *	when their real, effective, saved and filesystem uids are all @uid
 *	(in the initial user namespace), else NULL: a task credential of the
 *	client, usable as &ksspi_token_desc.source.  For %KSSPI_UPCALL_DONOR:
 *	when all their uids and gids are the request's, with no group and no
 *	capability.
 *
 * All strings are NUL-terminated, printable and non-empty.
 */
struct ksspi_upcall_reply {
	s32 status;
	u32 ret_flags;
	u32 gss_major;
	u32 gss_minor;
	time64_t expiry;
	kuid_t uid;
	kgid_t gid;
	struct group_info *groups;
	u32 level;
	u32 enctype;
	u8 *output;
	u32 output_len;
	u8 *state;
	u32 state_len;
	char *client_name;
	char *server_name;
	char *local_name;
	char *message;
	u8 *session_key;
	u32 session_key_len;
	u8 *delegated;
	u32 delegated_len;
	bool has_lucid;
	struct ksspi_upcall_lucid lucid;
	u8 *x509_certs;
	u32 x509_certs_len;
	u8 *x509_sig;
	u32 x509_sig_len;
	u32 x509_sig_alg;
	u32 x509_strength;
	const struct cred *instantiator;
};

int ksspi_upcall(const struct ksspi_upcall_req *req,
		 struct ksspi_upcall_reply **replyp);
void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply);
int ksspi_upcall_x509_split(const u8 *der, u32 len, u32 *off, u32 *lens);
const struct cred *ksspi_upcall_anon_donor(void);
unsigned int ksspi_upcall_in_flight(void);
void ksspi_upcall_show_failures(struct seq_file *m);

int ksspi_upcall_init(void);
void ksspi_upcall_exit(void);

#endif /* _KSSPI_UPCALL_H */
