// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libksspi - SSPI-shaped C calls over the ksspi ioctls.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libksspi.h"

#define KSSPI_API __attribute__((visibility("default")))

static int ioctl_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

static int32_t errno_status(int err)
{
	switch (err) {
	case ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	case EBADF:
	case ENOTTY:
	case ENOENT:
		return SEC_E_INVALID_HANDLE;
	case EINVAL:
	case E2BIG:
	case EMSGSIZE:
	case EFAULT:
		return SEC_E_INVALID_PARAMETER;
	case ENOPKG:
		return SEC_E_SECPKG_NOT_FOUND;
	case EPERM:
	case EACCES:
		return SEC_E_NOT_OWNER;
	default:
		return SEC_E_INTERNAL_ERROR;
	}
}

KSSPI_API int ksspi_open(void)
{
	int fd = open(KSSPI_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

KSSPI_API int ksspi_abi_version(int dev)
{
	return ioctl_ret(ioctl(dev, KSSPI_IOC_GET_ABI_VERSION, 0));
}

KSSPI_API int ksspi_enumerate_packages(int dev,
				       struct ksspi_package_info *infos,
				       unsigned int *count)
{
	struct ksspi_enum_packages ep = {
		.size = sizeof(ep),
		.count = *count,
		.entry_size = sizeof(*infos),
		.packages = (uintptr_t)infos,
	};
	int ret = ioctl_ret(ioctl(dev, KSSPI_IOC_ENUM_PACKAGES, &ep));

	if (ret == 0 || ret == -ERANGE)
		*count = ep.count;
	return ret;
}

KSSPI_API int ksspi_query_package(int dev, const char *name,
				  struct ksspi_package_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (strlen(name) >= sizeof(info->name))
		return -EINVAL;
	strcpy(info->name, name);
	return ioctl_ret(ioctl(dev, KSSPI_IOC_QUERY_PACKAGE, info));
}

/* Sets errno to -@ret when @ret is an error, and returns @ret. */
static int with_errno(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

static int acquire(int dev, const char *package, uint32_t use,
		   const char *principal, const char *ccache,
		   const char *keytab, int64_t *expiry)
{
	struct ksspi_acquire_cred ac = {
		.size = sizeof(ac),
		.use = use,
	};
	int fd;

	if (strlen(package) >= sizeof(ac.package))
		return -EINVAL;
	strcpy(ac.package, package);
	if (principal) {
		ac.principal = (uintptr_t)principal;
		ac.principal_len = strlen(principal);
	}
	if (ccache) {
		ac.ccache = (uintptr_t)ccache;
		ac.ccache_len = strlen(ccache);
	}
	if (keytab) {
		ac.keytab = (uintptr_t)keytab;
		ac.keytab_len = strlen(keytab);
	}
	/* Without names the first version's size does: older kernels. */
	if (!ccache && !keytab)
		ac.size = KSSPI_ACQUIRE_CRED_SIZE_VER0;
	fd = ioctl_ret(ioctl(dev, KSSPI_IOC_ACQUIRE_CRED, &ac));
	if (fd >= 0 && expiry)
		*expiry = ac.expiry;
	return fd;
}

KSSPI_API int ksspi_acquire_credentials(int dev, const char *package,
					uint32_t use, const char *principal,
					int64_t *expiry)
{
	return acquire(dev, package, use, principal, NULL, NULL, expiry);
}

KSSPI_API int ksspi_acquire_credentials_from(int dev, const char *package,
					     uint32_t use,
					     const char *principal,
					     const char *ccache,
					     const char *keytab,
					     int64_t *expiry)
{
	return with_errno(acquire(dev, package, use, principal, ccache,
				  keytab, expiry));
}

KSSPI_API int ksspi_acquire_x509_credentials(int dev, uint32_t use,
					     const char *principal,
					     const char *chain_path,
					     const void *chain,
					     size_t chain_len,
					     const char *key_path,
					     int32_t key_serial,
					     int64_t *expiry)
{
	struct ksspi_x509_acquire xa = {
		.size = sizeof(xa),
		.use = use,
		.key_serial = key_serial,
	};
	int ret;

	if (principal) {
		xa.principal = (uintptr_t)principal;
		xa.principal_len = strlen(principal);
	}
	if (chain_path) {
		xa.chain_path = (uintptr_t)chain_path;
		xa.chain_path_len = strlen(chain_path);
	}
	if (chain) {
		if (chain_len > UINT32_MAX)
			return with_errno(-EINVAL);
		xa.chain = (uintptr_t)chain;
		xa.chain_len = chain_len;
	}
	if (key_path) {
		xa.key_path = (uintptr_t)key_path;
		xa.key_path_len = strlen(key_path);
	}
	ret = ioctl_ret(ioctl(dev, KSSPI_IOC_X509_ACQUIRE, &xa));
	if (ret >= 0 && expiry)
		*expiry = xa.expiry;
	return with_errno(ret);
}

KSSPI_API int ksspi_query_x509_info(int ctx, struct ksspi_x509_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return with_errno(ioctl_ret(ioctl(ctx, KSSPI_IOC_X509_QUERY, info)));
}

KSSPI_API int ksspi_new_context(int cred, uint32_t direction,
				const char *target, uint32_t req_flags)
{
	struct ksspi_context_new cn = {
		.size = sizeof(cn),
		.flags = direction,
		.req_flags = req_flags,
	};

	if (target) {
		cn.target = (uintptr_t)target;
		cn.target_len = strlen(target);
	}
	return ioctl_ret(ioctl(cred, KSSPI_IOC_NEW_CONTEXT, &cn));
}

KSSPI_API int ksspi_step(int ctx, struct ksspi_step *st)
{
	return ioctl_ret(ioctl(ctx, KSSPI_IOC_STEP, st));
}

static int32_t leg(int cred, int *ctx, uint32_t direction, const char *target,
		   uint32_t req_flags, const void *in, size_t in_len,
		   void *out, size_t *out_len, uint32_t *ret_flags)
{
	struct ksspi_step st = {
		.size = sizeof(st),
		.in_token = (uintptr_t)in,
		.in_len = in_len,
		.out_token = (uintptr_t)out,
		.out_size = out_len ? *out_len : 0,
	};
	bool fresh = *ctx < 0;
	int ret;

	if (in_len > UINT32_MAX || (out_len && *out_len > UINT32_MAX)) {
		errno = EMSGSIZE;
		return SEC_E_INVALID_PARAMETER;
	}
	if (fresh) {
		ret = ksspi_new_context(cred, direction, target, req_flags);
		if (ret < 0) {
			errno = -ret;
			return errno_status(-ret);
		}
		*ctx = ret;
	}
	ret = ksspi_step(*ctx, &st);
	if (ret < 0) {
		if (fresh) {
			close(*ctx);
			*ctx = -1;
		}
		errno = -ret;
		return errno_status(-ret);
	}
	if (out_len)
		*out_len = st.out_len;
	if (ret_flags)
		*ret_flags = st.ret_flags;
	/* Like SSPI, a first leg that fails leaves no context behind. */
	if (fresh && st.status < 0 && st.status != SEC_E_INCOMPLETE_MESSAGE &&
	    st.status != SEC_E_BUFFER_TOO_SMALL) {
		close(*ctx);
		*ctx = -1;
	}
	return st.status;
}

KSSPI_API int32_t ksspi_initialize_security_context(int cred, int *ctx,
						    const char *target,
						    uint32_t req_flags,
						    const void *in,
						    size_t in_len, void *out,
						    size_t *out_len,
						    uint32_t *ret_flags)
{
	return leg(cred, ctx, KSSPI_CONTEXT_INITIATE, target, req_flags, in,
		   in_len, out, out_len, ret_flags);
}

KSSPI_API int32_t ksspi_accept_security_context(int cred, int *ctx,
						uint32_t req_flags,
						const void *in, size_t in_len,
						void *out, size_t *out_len,
						uint32_t *ret_flags)
{
	return leg(cred, ctx, KSSPI_CONTEXT_ACCEPT, NULL, req_flags, in,
		   in_len, out, out_len, ret_flags);
}

KSSPI_API int ksspi_message_ioctl(int ctx, unsigned long cmd,
				  struct ksspi_message *m)
{
	m->size = sizeof(*m);
	return ioctl_ret(ioctl(ctx, cmd, m));
}

static int32_t message(int ctx, unsigned long cmd, uint32_t qop_in,
		       uint32_t *qop_out, struct ksspi_sec_buffer *bufs,
		       unsigned int count, uint32_t seq_no)
{
	struct ksspi_message m = {
		.qop = qop_in,
		.seq_no = seq_no,
		.count = count,
		.buffers = (uintptr_t)bufs,
	};
	int ret = ksspi_message_ioctl(ctx, cmd, &m);

	if (ret < 0) {
		errno = -ret;
		return errno_status(-ret);
	}
	if (qop_out)
		*qop_out = m.qop;
	return m.status;
}

KSSPI_API int32_t ksspi_make_signature(int ctx, uint32_t qop,
				       struct ksspi_sec_buffer *bufs,
				       unsigned int count, uint32_t seq_no)
{
	return message(ctx, KSSPI_IOC_MAKE_SIGNATURE, qop, NULL, bufs, count,
		       seq_no);
}

KSSPI_API int32_t ksspi_verify_signature(int ctx,
					 struct ksspi_sec_buffer *bufs,
					 unsigned int count, uint32_t seq_no,
					 uint32_t *qop)
{
	return message(ctx, KSSPI_IOC_VERIFY_SIGNATURE, 0, qop, bufs, count,
		       seq_no);
}

KSSPI_API int32_t ksspi_encrypt_message(int ctx, uint32_t qop,
					struct ksspi_sec_buffer *bufs,
					unsigned int count, uint32_t seq_no)
{
	return message(ctx, KSSPI_IOC_ENCRYPT_MESSAGE, qop, NULL, bufs, count,
		       seq_no);
}

KSSPI_API int32_t ksspi_decrypt_message(int ctx,
					struct ksspi_sec_buffer *bufs,
					unsigned int count, uint32_t seq_no,
					uint32_t *qop)
{
	return message(ctx, KSSPI_IOC_DECRYPT_MESSAGE, 0, qop, bufs, count,
		       seq_no);
}

KSSPI_API int ksspi_query_context(int ctx, struct ksspi_context_info *info)
{
	info->size = sizeof(*info);
	return ioctl_ret(ioctl(ctx, KSSPI_IOC_QUERY_CONTEXT, info));
}

KSSPI_API int ksspi_query_names(int ctx, char *name, size_t size)
{
	struct ksspi_context_info ci = {
		.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES),
		.name = (uintptr_t)name,
		.name_size = size,
	};
	int ret = ksspi_query_context(ctx, &ci);

	if (ret)
		return ret;
	return ci.mask & KSSPI_ATTR(SECPKG_ATTR_NAMES) ? 0 : -ENODATA;
}

KSSPI_API int ksspi_query_native_names(int ctx, char *client,
				       size_t client_size, char *server,
				       size_t server_size)
{
	struct ksspi_context_info ci = {
		.mask = KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES),
		.client_name = (uintptr_t)client,
		.client_name_size = client_size,
		.server_name = (uintptr_t)server,
		.server_name_size = server_size,
	};
	int ret = ksspi_query_context(ctx, &ci);

	if (ret)
		return ret;
	return ci.mask & KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES) ? 0 : -ENODATA;
}

KSSPI_API int ksspi_query_session_key(int ctx, void *key, size_t size,
				      uint32_t *enctype)
{
	struct ksspi_session_key sk = {
		.size = sizeof(sk),
		.key = (uintptr_t)key,
		.key_size = size > UINT32_MAX ? UINT32_MAX : size,
	};
	int ret = ioctl_ret(ioctl(ctx, KSSPI_IOC_QUERY_SESSION_KEY, &sk));

	if (ret < 0)
		return with_errno(ret);
	if (enctype)
		*enctype = sk.enctype;
	return sk.key_size;
}

KSSPI_API int ksspi_query_security_context_token(int ctx)
{
	return ioctl_ret(ioctl(ctx, KSSPI_IOC_GET_TOKEN, 0));
}

KSSPI_API int ksspi_query_token(int token, struct ksspi_token_info *info)
{
	info->size = sizeof(*info);
	return ioctl_ret(ioctl(token, KSSPI_IOC_QUERY_TOKEN, info));
}

KSSPI_API int ksspi_whoami(int dev, struct ksspi_token_info *info)
{
	info->size = sizeof(*info);
	return ioctl_ret(ioctl(dev, KSSPI_IOC_WHOAMI, info));
}

static int32_t imp_call(int fd, unsigned long cmd)
{
	struct ksspi_impersonate im = { .size = sizeof(im) };

	if (ioctl(fd, cmd, &im) < 0)
		return errno_status(errno);
	return im.status;
}

KSSPI_API int32_t ksspi_impersonate(int fd)
{
	return imp_call(fd, KSSPI_IOC_IMPERSONATE);
}

KSSPI_API int32_t ksspi_revert(int fd)
{
	return imp_call(fd, KSSPI_IOC_REVERT);
}

/* ---- socket-bound contexts ---- */

static int sock_attach_call(int dev, unsigned long cmd, int sock, int ctx)
{
	struct ksspi_socket_attach sa = {
		.size = sizeof(sa), .sock_fd = sock, .ctx_fd = ctx,
	};

	return ioctl_ret(ioctl(dev, cmd, &sa));
}

KSSPI_API int ksspi_socket_attach(int dev, int sock, int ctx)
{
	return sock_attach_call(dev, KSSPI_IOC_SOCKET_ATTACH, sock, ctx);
}

KSSPI_API int ksspi_socket_detach(int dev, int sock)
{
	return sock_attach_call(dev, KSSPI_IOC_SOCKET_DETACH, sock, -1);
}

KSSPI_API int ksspi_socket_query(int dev, int sock,
				 struct ksspi_socket_info *info,
				 char *name, size_t size)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->sock_fd = sock;
	info->name = (uintptr_t)name;
	info->name_size = name ? (uint32_t)size : 0;
	return ioctl_ret(ioctl(dev, KSSPI_IOC_SOCKET_QUERY, info));
}

KSSPI_API int32_t ksspi_socket_impersonate(int dev, int sock,
					   uint32_t *level)
{
	struct ksspi_socket_impersonate im = {
		.size = sizeof(im), .sock_fd = sock,
	};

	if (ioctl(dev, KSSPI_IOC_SOCKET_IMPERSONATE, &im) < 0)
		return errno_status(errno);
	if (level)
		*level = im.level;
	return im.status;
}

KSSPI_API int32_t ksspi_socket_revert(int dev)
{
	return imp_call(dev, KSSPI_IOC_SOCKET_REVERT);
}

KSSPI_API const char *ksspi_status_string(int32_t status)
{
	static const struct {
		int32_t status;
		const char *name;
	} names[] = {
#define N(s) { s, #s }
		N(SEC_E_OK), N(SEC_E_INSUFFICIENT_MEMORY),
		N(SEC_E_INVALID_HANDLE), N(SEC_E_UNSUPPORTED_FUNCTION),
		N(SEC_E_TARGET_UNKNOWN), N(SEC_E_INTERNAL_ERROR),
		N(SEC_E_SECPKG_NOT_FOUND), N(SEC_E_NOT_OWNER),
		N(SEC_E_INVALID_TOKEN), N(SEC_E_QOP_NOT_SUPPORTED),
		N(SEC_E_NO_IMPERSONATION), N(SEC_E_LOGON_DENIED),
		N(SEC_E_UNKNOWN_CREDENTIALS), N(SEC_E_NO_CREDENTIALS),
		N(SEC_E_MESSAGE_ALTERED), N(SEC_E_OUT_OF_SEQUENCE),
		N(SEC_E_NO_AUTHENTICATING_AUTHORITY), N(SEC_I_CONTINUE_NEEDED),
		N(SEC_I_COMPLETE_NEEDED), N(SEC_I_COMPLETE_AND_CONTINUE),
		N(SEC_E_BAD_PKGID), N(SEC_E_CONTEXT_EXPIRED),
		N(SEC_E_INCOMPLETE_MESSAGE), N(SEC_E_BUFFER_TOO_SMALL),
		N(SEC_E_WRONG_PRINCIPAL), N(SEC_E_TIME_SKEW),
		N(SEC_E_UNTRUSTED_ROOT), N(SEC_E_ILLEGAL_MESSAGE),
		N(SEC_E_CERT_UNKNOWN), N(SEC_E_CERT_EXPIRED),
		N(SEC_E_ALGORITHM_MISMATCH), N(SEC_E_UNFINISHED_CONTEXT_DELETED),
		N(SEC_E_WRONG_CREDENTIAL_HANDLE), N(SEC_E_BAD_BINDINGS),
		N(SEC_E_CERT_WRONG_USAGE), N(SEC_E_INVALID_PARAMETER),
		N(SEC_E_MUTUAL_AUTH_FAILED), N(CRYPT_E_REVOKED),
#undef N
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return "SEC_E_UNKNOWN_STATUS";
}

KSSPI_API const char *ksspi_level_string(uint32_t level)
{
	static const char *const levels[] = {
		"anonymous", "identification", "impersonation", "delegation",
	};

	return level < 4 ? levels[level] : "unknown";
}
