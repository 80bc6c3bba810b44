/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libksspi - SSPI-shaped C calls over the ksspi ioctls.
 *
 * Handles are file descriptors.  Functions returning int return a
 * descriptor or 0 on success and -errno on failure; functions returning
 * int32_t return a SECURITY_STATUS (an ABI failure is mapped to a status and
 * errno is set).
 */
#ifndef LIBKSSPI_H
#define LIBKSSPI_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ksspi.h>

#ifdef __cplusplus
extern "C" {
#endif

int ksspi_open(void);
int ksspi_abi_version(int dev);
int ksspi_enumerate_packages(int dev, struct ksspi_package_info *infos,
			     unsigned int *count);
int ksspi_query_package(int dev, const char *name,
			struct ksspi_package_info *info);
int ksspi_acquire_credentials(int dev, const char *package, uint32_t use,
			      const char *principal, int64_t *expiry);
/*
 * Like ksspi_acquire_credentials(), naming a Kerberos credential cache
 * (e.g. "FILE:/tmp/krb5cc_1000") and/or keytab for the kerberos and
 * negotiate packages; NULL for the default (the caller's default ccache
 * as MIT resolves it for its uid, the system keytab).  The helper opens
 * them with the caller's ids.  Returns a credentials descriptor, or
 * -errno (errno is set too): ENOKEY no credentials, EACCES ccache or
 * keytab not readable by the caller, EHOSTUNREACH no helper, ETIMEDOUT
 * the helper did not answer in time, EBADMSG a malformed answer, EINTR a
 * signal, EPROTO another failure; EINVAL for a name the package does not
 * take (the local package takes none) or longer than KSSPI_NAME_MAX.
 */
int ksspi_acquire_credentials_from(int dev, const char *package,
				   uint32_t use, const char *principal,
				   const char *ccache, const char *keytab,
				   int64_t *expiry);
/*
 * AcquireCredentialsHandle of the x509 package
 * (Documentation/userspace-api/x509.rst).  Inbound: @principal, the
 * target name the acceptor answers to; nothing else.  Outbound: a chain
 * (@chain_path, a PEM file the helper reads with the caller's ids, or
 * @chain/@chain_len, DER certificates back to back, leaf first) and a key
 * (@key_path, a PEM file the helper signs with as the caller, or
 * @key_serial, an asymmetric RSA key with its private part in a keyring
 * the caller may search).  Returns a credentials descriptor, or -errno
 * (errno too): EINVAL bad combination, ENOKEY no such file or key, EACCES
 * not readable by the caller, EKEYREJECTED the key does not belong to the
 * leaf or the chain does not parse, EOPNOTSUPP a keyring key that cannot
 * sign PKCS#1 v1.5 SHA-256, and the helper errnos of
 * ksspi_acquire_credentials_from().
 */
int ksspi_acquire_x509_credentials(int dev, uint32_t use,
				   const char *principal,
				   const char *chain_path, const void *chain,
				   size_t chain_len, const char *key_path,
				   int32_t key_serial, int64_t *expiry);
/* QueryContextAttributes(SECPKG_ATTR_KSSPI_X509_INFO): 0 or -errno. */
int ksspi_query_x509_info(int ctx, struct ksspi_x509_info *info);
int ksspi_new_context(int cred, uint32_t direction, const char *target,
		      uint32_t req_flags);

/*
 * One leg: @ctx is -1 on the first call and receives the new context.
 * *@out_len is the size of @out on entry and the token length on return
 * (or the size needed with SEC_E_BUFFER_TOO_SMALL).
 */
int32_t ksspi_initialize_security_context(int cred, int *ctx,
					  const char *target,
					  uint32_t req_flags, const void *in,
					  size_t in_len, void *out,
					  size_t *out_len,
					  uint32_t *ret_flags);
int32_t ksspi_accept_security_context(int cred, int *ctx, uint32_t req_flags,
				      const void *in, size_t in_len,
				      void *out, size_t *out_len,
				      uint32_t *ret_flags);
int ksspi_step(int ctx, struct ksspi_step *st);

int ksspi_query_context(int ctx, struct ksspi_context_info *info);
int ksspi_query_names(int ctx, char *name, size_t size);
int ksspi_query_native_names(int ctx, char *client, size_t client_size,
			     char *server, size_t server_size);
/*
 * Copies the session key of an established context to @key (@size bytes)
 * and its Kerberos enctype to *@enctype (may be NULL).  Returns the key's
 * length, or -errno (errno is set too): EPERM without CAP_SYS_ADMIN,
 * ENOENT when the context has none (not established, or the local
 * package), ERANGE when @size is too small.  A NULL @key only returns the
 * length.
 */
int ksspi_query_session_key(int ctx, void *key, size_t size,
			    uint32_t *enctype);
int ksspi_query_security_context_token(int ctx);
int ksspi_query_token(int token, struct ksspi_token_info *info);
int ksspi_whoami(int dev, struct ksspi_token_info *info);

/*
 * Message protection on an established context (SSPI's MakeSignature,
 * VerifySignature, EncryptMessage, DecryptMessage).  @bufs is changed as
 * the calls change a SecBufferDesc: lengths of tokens and padding, and for
 * DecryptMessage of a SECBUFFER_STREAM the SECBUFFER_DATA buffer is
 * pointed at the plaintext inside the stream.  @seq_no must be 0.  Return
 * a SECURITY_STATUS; an ABI failure is mapped to a status and errno is set
 * (EINVAL malformed buffer array or flags, EMSGSIZE more than
 * KSSPI_MESSAGE_MAX bytes, EFAULT a bad pointer).  See
 * Documentation/userspace-api/ksspi-messages.rst.
 */
int32_t ksspi_make_signature(int ctx, uint32_t qop,
			     struct ksspi_sec_buffer *bufs, unsigned int count,
			     uint32_t seq_no);
int32_t ksspi_verify_signature(int ctx, struct ksspi_sec_buffer *bufs,
			       unsigned int count, uint32_t seq_no,
			       uint32_t *qop);
int32_t ksspi_encrypt_message(int ctx, uint32_t qop,
			      struct ksspi_sec_buffer *bufs,
			      unsigned int count, uint32_t seq_no);
int32_t ksspi_decrypt_message(int ctx, struct ksspi_sec_buffer *bufs,
			      unsigned int count, uint32_t seq_no,
			      uint32_t *qop);
/*
 * The raw ioctl (KSSPI_IOC_MAKE_SIGNATURE ... KSSPI_IOC_DECRYPT_MESSAGE):
 * sets @m->size; returns 0 with @m->status set, or -errno.
 */
int ksspi_message_ioctl(int ctx, unsigned long cmd, struct ksspi_message *m);

int32_t ksspi_impersonate(int fd);
int32_t ksspi_revert(int fd);

/*
 * Socket-bound contexts (WSASetSocketSecurity, WSAQuerySocketSecurity,
 * WSAImpersonateSocketPeer, WSARevertImpersonation), on the /dev/ksspi
 * descriptor @dev.  attach/detach/query return 0 or -errno (errno set):
 * ENOENT nothing attached (detach, query; impersonate returns
 * SEC_E_INVALID_HANDLE with errno ENOENT), EBUSY already attached,
 * ENOTCONN not connected, EOPNOTSUPP not a stream/seqpacket socket,
 * ENOTSOCK @sock is not a socket, EINVAL @ctx is not an established
 * acceptor context, ERANGE @name too small (info->name_size: the size
 * needed).  See Documentation/userspace-api/ksspi-socket.rst.
 */
int ksspi_socket_attach(int dev, int sock, int ctx);
int ksspi_socket_detach(int dev, int sock);
int ksspi_socket_query(int dev, int sock, struct ksspi_socket_info *info,
		       char *name, size_t size);
int32_t ksspi_socket_impersonate(int dev, int sock, uint32_t *level);
int32_t ksspi_socket_revert(int dev);

const char *ksspi_status_string(int32_t status);
const char *ksspi_level_string(uint32_t level);

#ifdef __cplusplus
}
#endif

#endif /* LIBKSSPI_H */
