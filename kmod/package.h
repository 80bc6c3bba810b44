/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security packages: the registry and the operations a package implements.
 */
#ifndef _KSSPI_PACKAGE_H
#define _KSSPI_PACKAGE_H

#include <linux/list.h>
#include <linux/types.h>

struct ksspi_cred;
struct ksspi_context;
struct ksspi_leg;
struct ksspi_context_attrs;
struct ksspi_msg;

/**
 * struct ksspi_package_ops - What a package implements.
 * @cred_init: validate and set up a new credentials handle (may be NULL).
 * @cred_free: release what @cred_init set up (may be NULL).
 * @step: run one leg on @ctx, with ctx->lock held.  Returns 0 and sets
 *	*status to the leg's SECURITY_STATUS; on success or CONTINUE_NEEDED
 *	may set *out to a kmalloc()ed token of *out_len bytes, which the core
 *	frees.  Returns -EINTR when a signal interrupted the leg before it
 *	took effect: the context is unchanged and the leg may be retried.
 * @ctx_free: release the package's state of a context (may be NULL).
 * @message: protect or check one message of an established context (see
 *	&struct ksspi_msg); returns its SECURITY_STATUS.  Called without
 *	ctx->lock; the package serialises its own per-message state.  NULL:
 *	the package has no message protection (%SEC_E_UNSUPPORTED_FUNCTION).
 * @message_sizes: fill the SIZES and STREAM_SIZES members of @attrs for an
 *	established context, with ctx->lock held (may be NULL: all 0).
 */
struct ksspi_package_ops {
	int (*cred_init)(struct ksspi_cred *cred);
	void (*cred_free)(struct ksspi_cred *cred);
	int (*step)(struct ksspi_context *ctx, struct ksspi_leg *leg,
		    u8 **out, u32 *out_len, s32 *status);
	void (*ctx_free)(struct ksspi_context *ctx);
	s32 (*message)(struct ksspi_context *ctx, struct ksspi_msg *msg);
	void (*message_sizes)(struct ksspi_context *ctx,
			      struct ksspi_context_attrs *attrs);
};

/**
 * struct ksspi_package - A registered security package.
 * @name: name users select it by.
 * @comment: one-line description.
 * @id: KSSPI_PACKAGE_*.
 * @capabilities: SECPKG_FLAG_* bits.
 * @version: protocol version.
 * @max_token: largest token it produces.
 * @isc_flags: ISC_REQ_* bits it can honour.
 * @asc_flags: ASC_REQ_* bits it can honour.
 * @ops: its operations.
 * @list: entry in the registry.
 */
struct ksspi_package {
	const char *name;
	const char *comment;
	u32 id;
	u32 capabilities;
	u32 version;
	u32 max_token;
	u32 isc_flags;
	u32 asc_flags;
	const struct ksspi_package_ops *ops;
	struct list_head list;
};

int ksspi_package_register(struct ksspi_package *pkg);
void ksspi_package_unregister(struct ksspi_package *pkg);
const struct ksspi_package *ksspi_package_find(const char *name);
int ksspi_package_enum(int (*fn)(const struct ksspi_package *pkg, void *arg),
		       void *arg);

int ksspi_local_init(void);
unsigned int ksspi_local_tickets(void);
void ksspi_local_exit(void);

/* The four message calls, for &struct ksspi_msg.op. */
enum ksspi_msg_op {
	KSSPI_MSG_SIGN,
	KSSPI_MSG_VERIFY,
	KSSPI_MSG_ENCRYPT,
	KSSPI_MSG_DECRYPT,
};

/**
 * struct ksspi_msg - One message call, as a package sees it.
 * @op: what to do.
 * @qop: in: fQOP (SIGN, ENCRYPT); out: pfQOP (VERIFY, DECRYPT).
 * @bufs: the buffers, validated by the core: known types and attributes
 *	only, lengths summing to at most %KSSPI_MESSAGE_MAX, non-NULL @data
 *	when the length is not 0.
 * @count: number of @bufs, 1 to %KSSPI_MESSAGE_BUFFERS_MAX.
 * @seq: out: the sequence number of the token made or checked.
 */
struct ksspi_msg {
	enum ksspi_msg_op op;
	u32 qop;
	struct ksspi_secbuffer *bufs;
	unsigned int count;
	u64 seq;
};

int ksspi_message(struct ksspi_context *ctx, struct ksspi_msg *msg,
		  s32 *status);

int ksspi_kerberos_init(void);
void ksspi_kerberos_exit(void);

int ksspi_x509_init(void);
void ksspi_x509_exit(void);

#endif /* _KSSPI_PACKAGE_H */
