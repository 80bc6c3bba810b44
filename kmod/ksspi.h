/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi in-kernel API: the whole surface another module (an in-kernel file or
 * RPC server) uses.  It mirrors SSPI's calls; SECURITY_STATUS values and flag
 * bits are those of <uapi/linux/ksspi.h>.
 *
 * Objects are reference counted.  Every function may sleep unless said
 * otherwise; none may be called from atomic context.
 */
#ifndef _KSSPI_H
#define _KSSPI_H

#include <linux/types.h>
#include <linux/cred.h>
#include <linux/time64.h>
#include "../uapi/linux/ksspi.h"

struct ksspi_cred;
struct ksspi_context;
struct ksspi_token;

/**
 * struct ksspi_leg - Input and output of one leg of a context handshake.
 * @in: token received from the peer, or NULL.
 * @in_len: length of @in.
 * @out: buffer for the token to send to the peer.
 * @out_size: size of @out.
 * @out_len: out: length written to @out, or the size needed with
 *	%SEC_E_BUFFER_TOO_SMALL (then call again with a larger buffer; the input
 *	of that call is ignored and the leg is not lost).
 * @ret_flags: out: ISC_RET_* or ASC_RET_* bits in effect.
 * @missing: out: with %SEC_E_INCOMPLETE_MESSAGE, bytes still needed.
 * @extra: out: bytes at the end of @in that were not part of the token.
 * @expiry: out: when the context expires (seconds since the epoch).
 */
struct ksspi_leg {
	const void *in;
	u32 in_len;
	u32 out_size;
	void *out;
	u32 out_len;
	u32 ret_flags;
	u32 missing;
	u32 extra;
	time64_t expiry;
};

/**
 * struct ksspi_context_attrs - What ksspi_query_context_attributes() returns.
 * @state: KSSPI_STATE_*.
 * @package_id: KSSPI_PACKAGE_*.
 * @ctx_flags: ISC_RET_* or ASC_RET_* bits.
 * @level: impersonation level (SECURITY_*) of the client's token.
 * @start: when the context was established (seconds since the epoch).
 * @expiry: when it expires.
 * @max_token: largest token of the package.
 * @max_signature: largest signature (0: no per-message support).
 * @block_size: cipher block size (0: no per-message support).
 * @security_trailer: trailer size (0: no per-message support).
 * @stream_header: SECPKG_ATTR_STREAM_SIZES cbHeader (0: no per-message
 *	support).
 * @stream_trailer: cbTrailer.
 * @stream_max_message: cbMaximumMessage.
 * @stream_buffers: cBuffers.
 * @name: the client's name, or NULL before establishment.
 * @client_name: the client's native name, or NULL.
 * @server_name: the server's native name, or NULL.
 *
 * The strings stay valid while the caller holds its context reference.
 */
struct ksspi_context_attrs {
	u32 state;
	u32 package_id;
	u32 ctx_flags;
	u32 level;
	time64_t start;
	time64_t expiry;
	u32 max_token;
	u32 max_signature;
	u32 block_size;
	u32 security_trailer;
	u32 stream_header;
	u32 stream_trailer;
	u32 stream_max_message;
	u32 stream_buffers;
	const char *name;
	const char *client_name;
	const char *server_name;
};

int __must_check ksspi_acquire_credentials(const char *package, u32 use,
					   const char *principal,
					   struct ksspi_cred **credp);
void ksspi_free_credentials(struct ksspi_cred *cred);

s32 __must_check ksspi_initialize_security_context(struct ksspi_cred *cred,
						   struct ksspi_context **ctxp,
						   const char *target,
						   u32 req_flags,
						   struct ksspi_leg *leg);
s32 __must_check ksspi_accept_security_context(struct ksspi_cred *cred,
					       struct ksspi_context **ctxp,
					       u32 req_flags,
					       struct ksspi_leg *leg);
void ksspi_delete_security_context(struct ksspi_context *ctx);

void ksspi_query_context_attributes(struct ksspi_context *ctx,
				    struct ksspi_context_attrs *attrs);
s32 __must_check ksspi_query_security_context_token(struct ksspi_context *ctx,
						    struct ksspi_token **tokp);
int __must_check ksspi_query_context_session_key(struct ksspi_context *ctx,
						 void *key, u32 size,
						 u32 *enctype);

struct ksspi_token *ksspi_token_get(struct ksspi_token *tok);
void ksspi_token_put(struct ksspi_token *tok);
kuid_t ksspi_token_uid(const struct ksspi_token *tok);
u32 ksspi_token_level(const struct ksspi_token *tok);
const char *ksspi_token_name(const struct ksspi_token *tok);

/**
 * struct ksspi_secbuffer - One SecBuffer of a message call, in kernel memory.
 * @type: SECBUFFER_* type, with SECBUFFER_READONLY or
 *	SECBUFFER_READONLY_WITH_CHECKSUM for data buffers.
 * @len: in: size of @data; out: bytes used (see
 *	Documentation/userspace-api/ksspi-messages.rst).
 * @data: the bytes, changed in place; for the %SECBUFFER_DATA of a
 *	decrypted %SECBUFFER_STREAM, set to point into the stream.
 */
struct ksspi_secbuffer {
	u32 type;
	u32 len;
	void *data;
};

s32 __must_check ksspi_make_signature(struct ksspi_context *ctx, u32 qop,
				      struct ksspi_secbuffer *bufs,
				      unsigned int count, u32 seq_no);
s32 __must_check ksspi_verify_signature(struct ksspi_context *ctx,
					struct ksspi_secbuffer *bufs,
					unsigned int count, u32 seq_no,
					u32 *qop);
s32 __must_check ksspi_encrypt_message(struct ksspi_context *ctx, u32 qop,
				       struct ksspi_secbuffer *bufs,
				       unsigned int count, u32 seq_no);
s32 __must_check ksspi_decrypt_message(struct ksspi_context *ctx,
				       struct ksspi_secbuffer *bufs,
				       unsigned int count, u32 seq_no,
				       u32 *qop);

const struct cred * __must_check ksspi_impersonate_token(struct ksspi_token *tok);
const struct cred * __must_check ksspi_impersonate_context(struct ksspi_context *ctx);
void ksspi_revert(const struct cred *old);

struct socket;

/**
 * struct ksspi_socket_security - What ksspi_socket_query() returns.
 * @token: the peer's token (a new reference: put it with ksspi_token_put()).
 * @name: the peer's name; lives as long as @token.
 * @uid: the peer's user.
 * @gid: the peer's primary group.
 * @level: impersonation level (SECURITY_*).
 * @package_id: KSSPI_PACKAGE_* of the context.
 * @ctx_flags: the context's ASC_RET_* bits.
 * @expiry: when the peer's token expires.
 * @kernel: kernel code made the binding.
 * @attacher: the effective user of the user who made it (else root).
 */
struct ksspi_socket_security {
	struct ksspi_token *token;
	const char *name;
	kuid_t uid;
	kgid_t gid;
	u32 level;
	u32 package_id;
	u32 ctx_flags;
	time64_t expiry;
	bool kernel;
	kuid_t attacher;
};

int __must_check ksspi_socket_attach(struct socket *sock,
				     struct ksspi_context *ctx);
int ksspi_socket_detach(struct socket *sock);
int __must_check ksspi_socket_query(struct socket *sock,
				    struct ksspi_socket_security *sec);
const struct cred * __must_check
ksspi_impersonate_socket_peer(struct socket *sock);
s32 __must_check ksspi_x509_accept_tls_peer(struct ksspi_cred *cred,
					    const u8 *chain, u32 chain_len,
					    bool possession_proven,
					    struct ksspi_context **ctxp);

#endif /* _KSSPI_H */
