/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi - kernel-resident security contexts, user space API.
 *
 * The shape is SSPI's: a package is chosen by name, credentials are
 * acquired from it, a security context is established with it in one or more
 * legs, and an access token is taken from the context.  Each object is a file
 * descriptor made from the one before it (``/dev/ksspi`` -> credentials ->
 * context -> token); every ioctl takes a pointer to a structure whose first
 * member is its size, so that structures can grow (see
 * Documentation/userspace-api/ksspi.rst).
 *
 * ABI misuse (bad pointer, bad size, unknown flag, wrong descriptor type) is
 * reported as an errno.  Protocol outcomes are reported as SECURITY_STATUS
 * values in a ``status`` member, with the numeric values of Windows' SSPI.
 */

#ifndef _UAPI_LINUX_KSSPI_H
#define _UAPI_LINUX_KSSPI_H

#include <linux/types.h>

/**
 * KSSPI_ABI_VERSION - Version of this ABI, as returned by
 * %KSSPI_IOC_GET_ABI_VERSION.
 */
#define KSSPI_ABI_VERSION 1

/* Names of the device and of the packages. */
#define KSSPI_DEVICE_PATH	"/dev/ksspi"
#define KSSPI_PACKAGE_NAME_MAX	32
#define KSSPI_NAME_MAX		1024
#define KSSPI_TOKEN_MAX		65536

/*
 * SECURITY_STATUS values.  Negative values are errors, positive values are
 * informational, zero is success.
 */
#define KSSPI_STATUS(x)				((__s32)(x))
#define SEC_E_OK				KSSPI_STATUS(0x00000000)
#define SEC_E_INSUFFICIENT_MEMORY		KSSPI_STATUS(0x80090300)
#define SEC_E_INVALID_HANDLE			KSSPI_STATUS(0x80090301)
#define SEC_E_UNSUPPORTED_FUNCTION		KSSPI_STATUS(0x80090302)
#define SEC_E_TARGET_UNKNOWN			KSSPI_STATUS(0x80090303)
#define SEC_E_INTERNAL_ERROR			KSSPI_STATUS(0x80090304)
#define SEC_E_SECPKG_NOT_FOUND			KSSPI_STATUS(0x80090305)
#define SEC_E_NOT_OWNER				KSSPI_STATUS(0x80090306)
#define SEC_E_INVALID_TOKEN			KSSPI_STATUS(0x80090308)
#define SEC_E_QOP_NOT_SUPPORTED			KSSPI_STATUS(0x8009030A)
#define SEC_E_NO_IMPERSONATION			KSSPI_STATUS(0x8009030B)
#define SEC_E_LOGON_DENIED			KSSPI_STATUS(0x8009030C)
#define SEC_E_UNKNOWN_CREDENTIALS		KSSPI_STATUS(0x8009030D)
#define SEC_E_NO_CREDENTIALS			KSSPI_STATUS(0x8009030E)
#define SEC_E_MESSAGE_ALTERED			KSSPI_STATUS(0x8009030F)
#define SEC_E_OUT_OF_SEQUENCE			KSSPI_STATUS(0x80090310)
#define SEC_E_NO_AUTHENTICATING_AUTHORITY	KSSPI_STATUS(0x80090311)
#define SEC_I_CONTINUE_NEEDED			KSSPI_STATUS(0x00090312)
#define SEC_I_COMPLETE_NEEDED			KSSPI_STATUS(0x00090313)
#define SEC_I_COMPLETE_AND_CONTINUE		KSSPI_STATUS(0x00090314)
#define SEC_E_BAD_PKGID				KSSPI_STATUS(0x80090316)
#define SEC_E_CONTEXT_EXPIRED			KSSPI_STATUS(0x80090317)
#define SEC_E_INCOMPLETE_MESSAGE		KSSPI_STATUS(0x80090318)
#define SEC_E_BUFFER_TOO_SMALL			KSSPI_STATUS(0x80090321)
#define SEC_E_WRONG_PRINCIPAL			KSSPI_STATUS(0x80090322)
#define SEC_E_TIME_SKEW				KSSPI_STATUS(0x80090324)
#define SEC_E_UNTRUSTED_ROOT			KSSPI_STATUS(0x80090325)
#define SEC_E_ILLEGAL_MESSAGE			KSSPI_STATUS(0x80090326)
#define SEC_E_CERT_UNKNOWN			KSSPI_STATUS(0x80090327)
#define SEC_E_CERT_EXPIRED			KSSPI_STATUS(0x80090328)
#define SEC_E_ALGORITHM_MISMATCH		KSSPI_STATUS(0x80090331)
#define SEC_E_UNFINISHED_CONTEXT_DELETED	KSSPI_STATUS(0x80090333)
#define SEC_E_WRONG_CREDENTIAL_HANDLE		KSSPI_STATUS(0x80090336)
#define SEC_E_BAD_BINDINGS			KSSPI_STATUS(0x80090346)
#define SEC_E_CERT_WRONG_USAGE			KSSPI_STATUS(0x80090349)
#define SEC_E_INVALID_PARAMETER			KSSPI_STATUS(0x8009035D)
#define SEC_E_MUTUAL_AUTH_FAILED		KSSPI_STATUS(0x80090363)

/* fCredentialUse of AcquireCredentialsHandle. */
#define SECPKG_CRED_INBOUND			0x00000001
#define SECPKG_CRED_OUTBOUND			0x00000002
#define SECPKG_CRED_BOTH			0x00000003

/* fContextReq of InitializeSecurityContext. */
#define ISC_REQ_DELEGATE			0x00000001
#define ISC_REQ_MUTUAL_AUTH			0x00000002
#define ISC_REQ_REPLAY_DETECT			0x00000004
#define ISC_REQ_SEQUENCE_DETECT			0x00000008
#define ISC_REQ_CONFIDENTIALITY			0x00000010
#define ISC_REQ_USE_SESSION_KEY			0x00000020
#define ISC_REQ_PROMPT_FOR_CREDS		0x00000040
#define ISC_REQ_USE_SUPPLIED_CREDS		0x00000080
#define ISC_REQ_ALLOCATE_MEMORY			0x00000100
#define ISC_REQ_USE_DCE_STYLE			0x00000200
#define ISC_REQ_DATAGRAM			0x00000400
#define ISC_REQ_CONNECTION			0x00000800
#define ISC_REQ_CALL_LEVEL			0x00001000
#define ISC_REQ_FRAGMENT_SUPPLIED		0x00002000
#define ISC_REQ_EXTENDED_ERROR			0x00004000
#define ISC_REQ_STREAM				0x00008000
#define ISC_REQ_INTEGRITY			0x00010000
#define ISC_REQ_IDENTIFY			0x00020000
#define ISC_REQ_NULL_SESSION			0x00040000
#define ISC_REQ_MANUAL_CRED_VALIDATION		0x00080000
#define ISC_REQ_FRAGMENT_TO_FIT			0x00200000
#define ISC_REQ_FORWARD_CREDENTIALS		0x00400000
#define ISC_REQ_NO_INTEGRITY			0x00800000
#define ISC_REQ_USE_HTTP_STYLE			0x01000000
#define ISC_REQ_UNVERIFIED_TARGET_NAME		0x20000000
#define ISC_REQ_CONFIDENTIALITY_ONLY		0x40000000

/* pfContextAttr of InitializeSecurityContext. */
#define ISC_RET_DELEGATE			0x00000001
#define ISC_RET_MUTUAL_AUTH			0x00000002
#define ISC_RET_REPLAY_DETECT			0x00000004
#define ISC_RET_SEQUENCE_DETECT			0x00000008
#define ISC_RET_CONFIDENTIALITY			0x00000010
#define ISC_RET_USE_SESSION_KEY			0x00000020
#define ISC_RET_USED_COLLECTED_CREDS		0x00000040
#define ISC_RET_USED_SUPPLIED_CREDS		0x00000080
#define ISC_RET_ALLOCATED_MEMORY		0x00000100
#define ISC_RET_USED_DCE_STYLE			0x00000200
#define ISC_RET_DATAGRAM			0x00000400
#define ISC_RET_CONNECTION			0x00000800
#define ISC_RET_INTERMEDIATE_RETURN		0x00001000
#define ISC_RET_CALL_LEVEL			0x00002000
#define ISC_RET_EXTENDED_ERROR			0x00004000
#define ISC_RET_STREAM				0x00008000
#define ISC_RET_INTEGRITY			0x00010000
#define ISC_RET_IDENTIFY			0x00020000
#define ISC_RET_NULL_SESSION			0x00040000
#define ISC_RET_MANUAL_CRED_VALIDATION		0x00080000
#define ISC_RET_FRAGMENT_ONLY			0x00200000
#define ISC_RET_FORWARD_CREDENTIALS		0x00400000
#define ISC_RET_USED_HTTP_STYLE			0x01000000
#define ISC_RET_NO_ADDITIONAL_TOKEN		0x02000000
#define ISC_RET_REAUTHENTICATION		0x08000000
#define ISC_RET_CONFIDENTIALITY_ONLY		0x40000000

/* fContextReq of AcceptSecurityContext (several differ from ISC_REQ_*). */
#define ASC_REQ_DELEGATE			0x00000001
#define ASC_REQ_MUTUAL_AUTH			0x00000002
#define ASC_REQ_REPLAY_DETECT			0x00000004
#define ASC_REQ_SEQUENCE_DETECT			0x00000008
#define ASC_REQ_CONFIDENTIALITY			0x00000010
#define ASC_REQ_USE_SESSION_KEY			0x00000020
#define ASC_REQ_SESSION_TICKET			0x00000040
#define ASC_REQ_ALLOCATE_MEMORY			0x00000100
#define ASC_REQ_USE_DCE_STYLE			0x00000200
#define ASC_REQ_DATAGRAM			0x00000400
#define ASC_REQ_CONNECTION			0x00000800
#define ASC_REQ_CALL_LEVEL			0x00001000
#define ASC_REQ_FRAGMENT_SUPPLIED		0x00002000
#define ASC_REQ_EXTENDED_ERROR			0x00008000
#define ASC_REQ_STREAM				0x00010000
#define ASC_REQ_INTEGRITY			0x00020000
#define ASC_REQ_LICENSING			0x00040000
#define ASC_REQ_IDENTIFY			0x00080000
#define ASC_REQ_ALLOW_NULL_SESSION		0x00100000
#define ASC_REQ_ALLOW_NON_USER_LOGONS		0x00200000
#define ASC_REQ_ALLOW_CONTEXT_REPLAY		0x00400000
#define ASC_REQ_FRAGMENT_TO_FIT			0x00800000
#define ASC_REQ_NO_TOKEN			0x01000000
#define ASC_REQ_PROXY_BINDINGS			0x04000000
#define ASC_REQ_ALLOW_MISSING_BINDINGS		0x10000000

/* pfContextAttr of AcceptSecurityContext. */
#define ASC_RET_DELEGATE			0x00000001
#define ASC_RET_MUTUAL_AUTH			0x00000002
#define ASC_RET_REPLAY_DETECT			0x00000004
#define ASC_RET_SEQUENCE_DETECT			0x00000008
#define ASC_RET_CONFIDENTIALITY			0x00000010
#define ASC_RET_USE_SESSION_KEY			0x00000020
#define ASC_RET_SESSION_TICKET			0x00000040
#define ASC_RET_ALLOCATED_MEMORY		0x00000100
#define ASC_RET_USED_DCE_STYLE			0x00000200
#define ASC_RET_DATAGRAM			0x00000400
#define ASC_RET_CONNECTION			0x00000800
#define ASC_RET_CALL_LEVEL			0x00002000
#define ASC_RET_THIRD_LEG_FAILED		0x00004000
#define ASC_RET_EXTENDED_ERROR			0x00008000
#define ASC_RET_STREAM				0x00010000
#define ASC_RET_INTEGRITY			0x00020000
#define ASC_RET_LICENSING			0x00040000
#define ASC_RET_IDENTIFY			0x00080000
#define ASC_RET_NULL_SESSION			0x00100000
#define ASC_RET_ALLOW_NON_USER_LOGONS		0x00200000
#define ASC_RET_ALLOW_CONTEXT_REPLAY		0x00400000
#define ASC_RET_FRAGMENT_ONLY			0x00800000
#define ASC_RET_NO_TOKEN			0x01000000
#define ASC_RET_NO_ADDITIONAL_TOKEN		0x02000000

/* SecBuffer types and attribute bits. */
#define SECBUFFER_EMPTY				0
#define SECBUFFER_DATA				1
#define SECBUFFER_TOKEN				2
#define SECBUFFER_PKG_PARAMS			3
#define SECBUFFER_MISSING			4
#define SECBUFFER_EXTRA				5
#define SECBUFFER_STREAM_TRAILER		6
#define SECBUFFER_STREAM_HEADER			7
#define SECBUFFER_NEGOTIATION_INFO		8
#define SECBUFFER_PADDING			9
#define SECBUFFER_STREAM			10
#define SECBUFFER_MECHLIST			11
#define SECBUFFER_MECHLIST_SIGNATURE		12
#define SECBUFFER_TARGET			13
#define SECBUFFER_CHANNEL_BINDINGS		14
#define SECBUFFER_ATTRMASK			0xF0000000
#define SECBUFFER_READONLY			0x80000000
#define SECBUFFER_READONLY_WITH_CHECKSUM	0x10000000

/* SECURITY_IMPERSONATION_LEVEL. */
#define SECURITY_ANONYMOUS			0
#define SECURITY_IDENTIFICATION			1
#define SECURITY_IMPERSONATION			2
#define SECURITY_DELEGATION			3

/* SecPkgInfo fCapabilities. */
#define SECPKG_FLAG_INTEGRITY			0x00000001
#define SECPKG_FLAG_PRIVACY			0x00000002
#define SECPKG_FLAG_TOKEN_ONLY			0x00000004
#define SECPKG_FLAG_DATAGRAM			0x00000008
#define SECPKG_FLAG_CONNECTION			0x00000010
#define SECPKG_FLAG_MULTI_REQUIRED		0x00000020
#define SECPKG_FLAG_CLIENT_ONLY			0x00000040
#define SECPKG_FLAG_EXTENDED_ERROR		0x00000080
#define SECPKG_FLAG_IMPERSONATION		0x00000100
#define SECPKG_FLAG_ACCEPT_WIN32_NAME		0x00000200
#define SECPKG_FLAG_STREAM			0x00000400
#define SECPKG_FLAG_NEGOTIABLE			0x00000800
#define SECPKG_FLAG_GSS_COMPATIBLE		0x00001000
#define SECPKG_FLAG_LOGON			0x00002000
#define SECPKG_FLAG_MUTUAL_AUTH			0x00010000
#define SECPKG_FLAG_DELEGATION			0x00020000
#define SECPKG_FLAG_READONLY_WITH_CHECKSUM	0x00040000

/* Package identifiers (SecPkgInfo wRPCID where Windows has one). */
#define KSSPI_PACKAGE_NEGOTIATE			9
#define KSSPI_PACKAGE_X509			14
#define KSSPI_PACKAGE_KERBEROS			16
#define KSSPI_PACKAGE_LOCAL			0x0100

/* ulAttribute of QueryContextAttributes. */
#define SECPKG_ATTR_SIZES			0
#define SECPKG_ATTR_NAMES			1
#define SECPKG_ATTR_LIFESPAN			2
#define SECPKG_ATTR_DCE_INFO			3
#define SECPKG_ATTR_STREAM_SIZES		4
#define SECPKG_ATTR_KEY_INFO			5
#define SECPKG_ATTR_AUTHORITY			6
#define SECPKG_ATTR_PROTO_INFO			7
#define SECPKG_ATTR_PASSWORD_EXPIRY		8
#define SECPKG_ATTR_SESSION_KEY			9
#define SECPKG_ATTR_PACKAGE_INFO		10
#define SECPKG_ATTR_USER_FLAGS			11
#define SECPKG_ATTR_NEGOTIATION_INFO		12
#define SECPKG_ATTR_NATIVE_NAMES		13
#define SECPKG_ATTR_FLAGS			14
#define SECPKG_ATTR_ACCESS_TOKEN		18
#define SECPKG_ATTR_TARGET			19
#define SECPKG_ATTR_IS_LOOPBACK			37

/**
 * KSSPI_ATTR() - Bit for a SECPKG_ATTR_* id in &ksspi_context_info.mask.
 * @id: a SECPKG_ATTR_* value below 64.
 */
#define KSSPI_ATTR(id)				(1ULL << (id))

/**
 * struct ksspi_package_info - Description of a security package.
 *
 * Argument of %KSSPI_IOC_QUERY_PACKAGE, and element of the array filled by
 * %KSSPI_IOC_ENUM_PACKAGES.  Mirrors SecPkgInfo.
 */
struct ksspi_package_info {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @name: NUL-terminated package name; input of
	 * %KSSPI_IOC_QUERY_PACKAGE, output of %KSSPI_IOC_ENUM_PACKAGES.
	 */
	char name[KSSPI_PACKAGE_NAME_MAX];
	/**
	 * @comment: NUL-terminated one-line description.
	 */
	char comment[64];
	/**
	 * @capabilities: SECPKG_FLAG_* bits the package supports.
	 */
	__u32 capabilities;
	/**
	 * @id: KSSPI_PACKAGE_* identifier.
	 */
	__u32 id;
	/**
	 * @version: Version of the package's protocol.
	 */
	__u32 version;
	/**
	 * @max_token: Largest token the package produces, in bytes.
	 */
	__u32 max_token;
};

/**
 * struct ksspi_enum_packages - Argument of %KSSPI_IOC_ENUM_PACKAGES.
 */
struct ksspi_enum_packages {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @count: In: number of entries @packages has room for.  Out: number
	 * of packages registered (more than were written when the array was
	 * too small; then the call fails with ``ERANGE``).
	 */
	__u32 count;
	/**
	 * @entry_size: Size of one element of @packages as known to the
	 * caller, at least the size of ABI version 1's &struct
	 * ksspi_package_info.
	 */
	__u32 entry_size;
	/**
	 * @packages: Pointer to an array of &struct ksspi_package_info.
	 */
	__u64 packages;
};

/**
 * struct ksspi_acquire_cred - Argument of %KSSPI_IOC_ACQUIRE_CRED
 * (AcquireCredentialsHandle).
 *
 * The credentials belong to the identity of the calling thread at the time of
 * the call; later changes of the caller's identity do not change them.
 */
struct ksspi_acquire_cred {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @package: NUL-terminated package name.
	 */
	char package[KSSPI_PACKAGE_NAME_MAX];
	/**
	 * @use: %SECPKG_CRED_INBOUND, %SECPKG_CRED_OUTBOUND or
	 * %SECPKG_CRED_BOTH.
	 */
	__u32 use;
	/**
	 * @principal_len: Length of @principal without a terminating NUL, or
	 * 0 for the package's default principal of the caller.
	 */
	__u32 principal_len;
	/**
	 * @principal: Pointer to the principal name to act as, or 0.
	 */
	__u64 principal;
	/**
	 * @expiry: Out: when the credentials expire, in seconds since the
	 * epoch (``CLOCK_REALTIME``); 0 if they do not.
	 */
	__s64 expiry;
	/**
	 * @ccache_len: Length of @ccache without a terminating NUL, at most
	 * %KSSPI_NAME_MAX, or 0 for the package's default credential cache
	 * (ABI version 1 size %KSSPI_ACQUIRE_CRED_SIZE_VER1 and later).
	 */
	__u32 ccache_len;
	/**
	 * @keytab_len: Length of @keytab without a terminating NUL, at most
	 * %KSSPI_NAME_MAX, or 0 for the package's default keytab.
	 */
	__u32 keytab_len;
	/**
	 * @ccache: Pointer to the name of a Kerberos credential cache
	 * ("FILE:/path", "KEYRING:...", ...) to initiate with, or 0.  The
	 * helper opens it with the ids of the caller.  Only the kerberos and
	 * negotiate packages accept one.
	 */
	__u64 ccache;
	/**
	 * @keytab: Pointer to the name of a keytab to accept with (or to get
	 * initial credentials from), or 0.  The helper opens it with the ids
	 * of the caller.  Only the kerberos and negotiate packages accept one.
	 */
	__u64 keytab;
};

/*
 * Sizes of &struct ksspi_acquire_cred that %KSSPI_IOC_ACQUIRE_CRED accepts:
 * that of the first version (up to @expiry), and from that of the second
 * (with @ccache and @keytab) up.  Sizes in between are -EINVAL.
 */
#define KSSPI_ACQUIRE_CRED_SIZE_VER0		64
#define KSSPI_ACQUIRE_CRED_SIZE_VER1		88

/* Direction of a context, for &ksspi_context_new.flags. */
#define KSSPI_CONTEXT_INITIATE			0x00000001
#define KSSPI_CONTEXT_ACCEPT			0x00000002

/**
 * struct ksspi_context_new - Argument of %KSSPI_IOC_NEW_CONTEXT.
 *
 * Makes a context descriptor from a credentials descriptor; the first
 * %KSSPI_IOC_STEP on it is the first call of InitializeSecurityContext or
 * AcceptSecurityContext.
 */
struct ksspi_context_new {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Exactly one of %KSSPI_CONTEXT_INITIATE and
	 * %KSSPI_CONTEXT_ACCEPT.
	 */
	__u32 flags;
	/**
	 * @req_flags: ISC_REQ_* bits for an initiator, ASC_REQ_* bits for an
	 * acceptor.  Unknown bits, and ``*_REQ_ALLOCATE_MEMORY``, are
	 * rejected.
	 */
	__u32 req_flags;
	/**
	 * @target_len: Length of @target without a terminating NUL; must be
	 * 0 for an acceptor.
	 */
	__u32 target_len;
	/**
	 * @target: Pointer to the target name (pszTargetName), or 0.
	 */
	__u64 target;
};

/**
 * struct ksspi_step - Argument of %KSSPI_IOC_STEP: one leg of
 * InitializeSecurityContext or AcceptSecurityContext.
 */
struct ksspi_step {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @in_token: Pointer to the token received from the peer, or 0.
	 */
	__u64 in_token;
	/**
	 * @out_token: Pointer to a buffer for the token to send to the peer.
	 * If it cannot be written the call fails with ``EFAULT`` and the leg
	 * is kept for a retry, as with %SEC_E_BUFFER_TOO_SMALL.
	 */
	__u64 out_token;
	/**
	 * @in_len: Length of @in_token, at most %KSSPI_TOKEN_MAX.
	 */
	__u32 in_len;
	/**
	 * @out_size: Size of the @out_token buffer.
	 */
	__u32 out_size;
	/**
	 * @out_len: Out: length of the token written to @out_token, or with
	 * %SEC_E_BUFFER_TOO_SMALL the size needed.  The leg is not lost: the
	 * same call with a larger buffer (its input is then ignored) returns
	 * the token and the status of the leg.
	 */
	__u32 out_len;
	/**
	 * @status: Out: SECURITY_STATUS of the leg.
	 */
	__s32 status;
	/**
	 * @ret_flags: Out: ISC_RET_* or ASC_RET_* bits in effect.
	 */
	__u32 ret_flags;
	/**
	 * @missing: Out: with %SEC_E_INCOMPLETE_MESSAGE, how many more input
	 * bytes are needed (SECBUFFER_MISSING).
	 */
	__u32 missing;
	/**
	 * @extra: Out: how many bytes at the end of @in_token were not part of
	 * this leg's token (SECBUFFER_EXTRA).
	 */
	__u32 extra;
	/**
	 * @reserved: Must be zero.
	 */
	__u32 reserved;
	/**
	 * @expiry: Out: when the context expires, in seconds since the epoch.
	 */
	__s64 expiry;
};

/* &ksspi_context_info.state */
#define KSSPI_STATE_NEW				0
#define KSSPI_STATE_IN_PROGRESS			1
#define KSSPI_STATE_ESTABLISHED			2
#define KSSPI_STATE_FAILED			3

/**
 * struct ksspi_context_info - Argument of %KSSPI_IOC_QUERY_CONTEXT
 * (QueryContextAttributes).
 *
 * The caller sets @mask to the KSSPI_ATTR(SECPKG_ATTR_*) bits it wants; the
 * kernel answers with the bits it filled in.  Strings are copied to caller
 * buffers; when one is too small, its size member is set to the size needed
 * and the call fails with ``ERANGE``.  A NULL buffer only gets its size
 * member set.
 */
struct ksspi_context_info {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @mask: In: attributes asked for.  Out: attributes answered.
	 * Attributes that need an established context are not answered
	 * before it is established.
	 */
	__u64 mask;
	/**
	 * @state: Out: KSSPI_STATE_* (always answered).
	 */
	__u32 state;
	/**
	 * @package_id: Out (SECPKG_ATTR_PACKAGE_INFO): KSSPI_PACKAGE_* id.
	 */
	__u32 package_id;
	/**
	 * @max_token: Out (SECPKG_ATTR_SIZES): cbMaxToken.
	 */
	__u32 max_token;
	/**
	 * @max_signature: Out (SECPKG_ATTR_SIZES): cbMaxSignature.
	 */
	__u32 max_signature;
	/**
	 * @block_size: Out (SECPKG_ATTR_SIZES): cbBlockSize.
	 */
	__u32 block_size;
	/**
	 * @security_trailer: Out (SECPKG_ATTR_SIZES): cbSecurityTrailer.
	 */
	__u32 security_trailer;
	/**
	 * @start: Out (SECPKG_ATTR_LIFESPAN): tsStart, seconds since epoch.
	 */
	__s64 start;
	/**
	 * @expiry: Out (SECPKG_ATTR_LIFESPAN): tsExpiry, seconds since epoch.
	 */
	__s64 expiry;
	/**
	 * @ctx_flags: Out (SECPKG_ATTR_FLAGS): ISC_RET_* or ASC_RET_* bits.
	 */
	__u32 ctx_flags;
	/**
	 * @level: Out (SECPKG_ATTR_ACCESS_TOKEN): impersonation level
	 * (SECURITY_*) of the client's token.
	 */
	__u32 level;
	/**
	 * @name: Pointer to a buffer for SECPKG_ATTR_NAMES: the client's name
	 * on both sides of the context.
	 */
	__u64 name;
	/**
	 * @client_name: Pointer to a buffer for SECPKG_ATTR_NATIVE_NAMES'
	 * sClientName.
	 */
	__u64 client_name;
	/**
	 * @server_name: Pointer to a buffer for SECPKG_ATTR_NATIVE_NAMES'
	 * sServerName.
	 */
	__u64 server_name;
	/**
	 * @name_size: In: size of @name.  Out: length of the name plus its
	 * terminating NUL.
	 */
	__u32 name_size;
	/**
	 * @client_name_size: In: size of @client_name.  Out: length plus NUL.
	 */
	__u32 client_name_size;
	/**
	 * @server_name_size: In: size of @server_name.  Out: length plus NUL.
	 */
	__u32 server_name_size;
	/**
	 * @session_key_size: In: size of @session_key.  Out: key length.
	 */
	__u32 session_key_size;
	/**
	 * @session_key: Pointer to a buffer for SECPKG_ATTR_SESSION_KEY
	 * (callers with ``CAP_SYS_ADMIN`` only; others get ``EPERM``).
	 */
	__u64 session_key;
	/**
	 * @stream_header: Out (SECPKG_ATTR_STREAM_SIZES): cbHeader, the
	 * bytes a sealed message's token puts in front of the data
	 * (ABI version 1 size %KSSPI_CONTEXT_INFO_SIZE_VER1 and later).
	 */
	__u32 stream_header;
	/**
	 * @stream_trailer: Out (SECPKG_ATTR_STREAM_SIZES): cbTrailer, bytes
	 * after the data (0: the RFC 4121 token is rotated to the front).
	 */
	__u32 stream_trailer;
	/**
	 * @stream_max_message: Out (SECPKG_ATTR_STREAM_SIZES):
	 * cbMaximumMessage, the largest data one call protects.
	 */
	__u32 stream_max_message;
	/**
	 * @stream_buffers: Out (SECPKG_ATTR_STREAM_SIZES): cBuffers, the
	 * buffers of a stream call (%SECBUFFER_STREAM and %SECBUFFER_DATA).
	 */
	__u32 stream_buffers;
};

/**
 * struct ksspi_session_key - Argument of %KSSPI_IOC_QUERY_SESSION_KEY:
 * the session key of an established context, with its type.
 *
 * Only callers with ``CAP_SYS_ADMIN`` may ask (``EPERM`` otherwise); a
 * context without a session key (the local package, or not yet
 * established) gives ``ENOENT``.
 */
struct ksspi_session_key {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @enctype: Out: the Kerberos encryption type of the key (RFC 3961
	 * etype number, e.g. 18 for aes256-cts-hmac-sha1-96).
	 */
	__u32 enctype;
	/**
	 * @key_size: In: size of the buffer at @key.  Out: length of the key
	 * (when the buffer is too small the call fails with ``ERANGE``; a
	 * NULL @key only gets the length).
	 */
	__u32 key_size;
	/**
	 * @key: Pointer to a buffer for the key, or 0.
	 */
	__u64 key;
};

/**
 * struct ksspi_token_info - Argument of %KSSPI_IOC_QUERY_TOKEN and
 * %KSSPI_IOC_WHOAMI.
 *
 * Ids are those of the token's identity as seen from the caller's user
 * namespace (unmapped ids read as the overflow id).
 */
struct ksspi_token_info {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @uid: Out: the client's user id.
	 */
	__u32 uid;
	/**
	 * @gid: Out: the client's primary group id.
	 */
	__u32 gid;
	/**
	 * @level: Out: impersonation level (SECURITY_*).
	 */
	__u32 level;
	/**
	 * @package_id: Out: KSSPI_PACKAGE_* of the package that made it.
	 */
	__u32 package_id;
	/**
	 * @ngroups: In: number of entries @groups has room for.  Out: number
	 * of supplementary groups (``ERANGE`` when more than fit).
	 */
	__u32 ngroups;
	/**
	 * @name_size: In: size of @name.  Out: length plus NUL.
	 */
	__u32 name_size;
	/**
	 * @groups: Pointer to an array of __u32 for the supplementary groups.
	 */
	__u64 groups;
	/**
	 * @name: Pointer to a buffer for the client's name.
	 */
	__u64 name;
	/**
	 * @expiry: Out: when the token expires, seconds since the epoch.
	 */
	__s64 expiry;
};

/**
 * struct ksspi_impersonate - Argument of %KSSPI_IOC_IMPERSONATE and
 * %KSSPI_IOC_REVERT (ImpersonateSecurityContext, RevertSecurityContext).
 */
struct ksspi_impersonate {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @status: Out: %SEC_E_OK, or why the thread's credentials were left
	 * as they were (%SEC_E_NO_IMPERSONATION, %SEC_E_CONTEXT_EXPIRED, ...).
	 */
	__s32 status;
	/**
	 * @level: Out: the impersonation level now in effect on the thread
	 * (after %KSSPI_IOC_REVERT: 0).
	 */
	__u32 level;
};

#define KSSPI_IOC_TYPE				0xD5

/* On /dev/ksspi.  Returns %KSSPI_ABI_VERSION; the argument must be 0. */
#define KSSPI_IOC_GET_ABI_VERSION		_IO(KSSPI_IOC_TYPE, 0x00)
/* On /dev/ksspi: struct ksspi_enum_packages. */
#define KSSPI_IOC_ENUM_PACKAGES			_IO(KSSPI_IOC_TYPE, 0x01)
/* On /dev/ksspi: struct ksspi_package_info. */
#define KSSPI_IOC_QUERY_PACKAGE			_IO(KSSPI_IOC_TYPE, 0x02)
/* On /dev/ksspi: struct ksspi_acquire_cred; returns a credentials fd. */
#define KSSPI_IOC_ACQUIRE_CRED			_IO(KSSPI_IOC_TYPE, 0x03)
/* On /dev/ksspi: struct ksspi_token_info of the calling thread's
 * impersonation; ``ENOENT`` when it is not impersonating.
 */
#define KSSPI_IOC_WHOAMI			_IO(KSSPI_IOC_TYPE, 0x04)
/* On a credentials fd: struct ksspi_context_new; returns a context fd. */
#define KSSPI_IOC_NEW_CONTEXT			_IO(KSSPI_IOC_TYPE, 0x10)
/* On a context fd: struct ksspi_step. */
#define KSSPI_IOC_STEP				_IO(KSSPI_IOC_TYPE, 0x20)
/* On a context fd: struct ksspi_context_info. */
#define KSSPI_IOC_QUERY_CONTEXT			_IO(KSSPI_IOC_TYPE, 0x21)
/* On a context fd: struct ksspi_session_key (CAP_SYS_ADMIN only). */
#define KSSPI_IOC_QUERY_SESSION_KEY		_IO(KSSPI_IOC_TYPE, 0x23)
/* On an established acceptor context fd: returns a token fd; the argument
 * must be 0 (QuerySecurityContextToken).
 */
#define KSSPI_IOC_GET_TOKEN			_IO(KSSPI_IOC_TYPE, 0x22)
/* On a token fd: struct ksspi_token_info. */
#define KSSPI_IOC_QUERY_TOKEN			_IO(KSSPI_IOC_TYPE, 0x30)
/* On an acceptor context fd or a token fd: struct ksspi_impersonate. */
#define KSSPI_IOC_IMPERSONATE			_IO(KSSPI_IOC_TYPE, 0x40)
/* On any ksspi fd: struct ksspi_impersonate. */
#define KSSPI_IOC_REVERT			_IO(KSSPI_IOC_TYPE, 0x41)

/* ---- Socket-bound contexts (agent-sock, ioctls 0x60-0x67) ---- */

/**
 * struct ksspi_socket_attach - Argument of %KSSPI_IOC_SOCKET_ATTACH and
 * %KSSPI_IOC_SOCKET_DETACH (WSASetSocketSecurity's analog).
 *
 * Attaching binds the client of an established acceptor context to a
 * connected socket, until the socket or the context goes away or the
 * binding is detached, whichever comes first.  The caller must hold both
 * descriptors; nothing more is required, and nothing more is granted:
 * impersonating the socket's peer later is checked like impersonating the
 * context itself.
 */
struct ksspi_socket_attach {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @sock_fd: A connected socket.
	 */
	__s32 sock_fd;
	/**
	 * @ctx_fd: An established acceptor context (attach); must be -1
	 * (detach).
	 */
	__s32 ctx_fd;
};

/**
 * struct ksspi_socket_info - Argument of %KSSPI_IOC_SOCKET_QUERY
 * (WSAQuerySocketSecurity's analog): the security of a socket's peer.
 *
 * Ids are those of the caller's user namespace (unmapped: the overflow
 * ids).  A socket with nothing attached fails with ``ENOENT``.
 */
struct ksspi_socket_info {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @sock_fd: The socket.
	 */
	__s32 sock_fd;
	/**
	 * @package_id: Out: KSSPI_PACKAGE_* of the context.
	 */
	__u32 package_id;
	/**
	 * @level: Out: impersonation level of the peer's token.
	 */
	__u32 level;
	/**
	 * @ctx_flags: Out: the ASC_RET_* bits of the context.
	 */
	__u32 ctx_flags;
	/**
	 * @uid: Out: the peer's user.
	 */
	__u32 uid;
	/**
	 * @gid: Out: the peer's primary group.
	 */
	__u32 gid;
	/**
	 * @attacher_uid: Out: the effective user of whoever attached the
	 * context (0 for the kernel: %KSSPI_SOCKET_KERNEL is then set).
	 */
	__u32 attacher_uid;
	/**
	 * @attach_flags: Out: %KSSPI_SOCKET_KERNEL when the binding was made
	 * by kernel code.
	 */
	__u32 attach_flags;
	/**
	 * @expiry: Out: when the peer's token expires.
	 */
	__s64 expiry;
	/**
	 * @name: Pointer to a buffer for the peer's name (0: only the size).
	 */
	__u64 name;
	/**
	 * @name_size: In: size of @name; out: the size needed (``ERANGE``
	 * when larger than given; the rest is filled anyway).
	 */
	__u32 name_size;
	/**
	 * @reserved: Must be zero.
	 */
	__u32 reserved;
};

#define KSSPI_SOCKET_KERNEL			0x00000001

/**
 * struct ksspi_socket_impersonate - Argument of
 * %KSSPI_IOC_SOCKET_IMPERSONATE (WSAImpersonateSocketPeer's analog).
 */
struct ksspi_socket_impersonate {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @sock_fd: The socket.
	 */
	__s32 sock_fd;
	/**
	 * @status: Out: as for %KSSPI_IOC_IMPERSONATE.
	 */
	__s32 status;
	/**
	 * @level: Out: the impersonation level now in effect.
	 */
	__u32 level;
	/**
	 * @reserved: Must be zero.
	 */
	__u32 reserved;
};

/* On /dev/ksspi: struct ksspi_socket_attach. */
#define KSSPI_IOC_SOCKET_ATTACH			_IO(KSSPI_IOC_TYPE, 0x60)
/* On /dev/ksspi: struct ksspi_socket_attach, ctx_fd -1. */
#define KSSPI_IOC_SOCKET_DETACH			_IO(KSSPI_IOC_TYPE, 0x61)
/* On /dev/ksspi: struct ksspi_socket_info. */
#define KSSPI_IOC_SOCKET_QUERY			_IO(KSSPI_IOC_TYPE, 0x62)
/* On /dev/ksspi: struct ksspi_socket_impersonate. */
#define KSSPI_IOC_SOCKET_IMPERSONATE		_IO(KSSPI_IOC_TYPE, 0x63)
/* On /dev/ksspi: struct ksspi_impersonate (WSARevertImpersonation). */
#define KSSPI_IOC_SOCKET_REVERT			_IO(KSSPI_IOC_TYPE, 0x64)

/*
 * ---- Message protection (MakeSignature, VerifySignature, EncryptMessage,
 * DecryptMessage) ----
 *
 * See Documentation/userspace-api/ksspi-messages.rst for the buffer layouts
 * and the table of statuses and errnos.
 */

/* fQOP of EncryptMessage: integrity only (an RFC 4121 Wrap token, not sealed). */
#define SECQOP_WRAP_NO_ENCRYPT			0x80000001

/* Most buffers one message call takes. */
#define KSSPI_MESSAGE_BUFFERS_MAX		16
/* Largest sum of the buffer lengths of one message call (4 MiB). */
#define KSSPI_MESSAGE_MAX			(4U << 20)

/**
 * struct ksspi_sec_buffer - One SecBuffer of a message call.
 *
 * Element of the array &ksspi_message.buffers points to.
 */
struct ksspi_sec_buffer {
	/**
	 * @type: A SECBUFFER_* type (%SECBUFFER_EMPTY, %SECBUFFER_DATA,
	 * %SECBUFFER_TOKEN, %SECBUFFER_PADDING or %SECBUFFER_STREAM), ORed
	 * with at most one of %SECBUFFER_READONLY and
	 * %SECBUFFER_READONLY_WITH_CHECKSUM (data buffers only).  Other types
	 * and bits are ``EINVAL``.  Out: %SECBUFFER_DATA of a decrypted
	 * stream keeps its type.
	 */
	__u32 type;
	/**
	 * @len: In: size of the buffer at @data.  Out: the bytes of it the
	 * call used (a signature or a message token's length; 0 for an unused
	 * %SECBUFFER_PADDING; the plaintext's length for the %SECBUFFER_DATA
	 * of a decrypted %SECBUFFER_STREAM).
	 */
	__u32 len;
	/**
	 * @data: Pointer to the buffer, or 0 when @len is 0.  Out: for the
	 * %SECBUFFER_DATA of a decrypted %SECBUFFER_STREAM, a pointer into
	 * the stream buffer at the plaintext.
	 */
	__u64 data;
};

/**
 * struct ksspi_message - Argument of %KSSPI_IOC_MAKE_SIGNATURE,
 * %KSSPI_IOC_VERIFY_SIGNATURE, %KSSPI_IOC_ENCRYPT_MESSAGE and
 * %KSSPI_IOC_DECRYPT_MESSAGE.
 *
 * The call reads the buffers, protects or checks the message, and writes
 * back the buffers it changed and this structure.  On any status other
 * than %SEC_E_OK the contents of the writable buffers are undefined.
 */
struct ksspi_message {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @qop: In (MakeSignature, EncryptMessage): fQOP; 0, or for
	 * EncryptMessage %SECQOP_WRAP_NO_ENCRYPT.  Must be 0 for the verifying
	 * calls.  Out (VerifySignature, DecryptMessage): pfQOP;
	 * %SECQOP_WRAP_NO_ENCRYPT for a message that was not sealed.
	 */
	__u32 qop;
	/**
	 * @seq_no: MessageSeqNo.  Connection contexts (all this package
	 * offers) number messages themselves: must be 0.
	 */
	__u32 seq_no;
	/**
	 * @status: Out: the SECURITY_STATUS of the call.
	 */
	__s32 status;
	/**
	 * @count: Number of elements of @buffers, 1 to
	 * %KSSPI_MESSAGE_BUFFERS_MAX.
	 */
	__u32 count;
	/**
	 * @buffers: Pointer to an array of @count &struct ksspi_sec_buffer,
	 * whose lengths add up to at most %KSSPI_MESSAGE_MAX.
	 */
	__u64 buffers;
	/**
	 * @seq: Out: the sequence number of the token made or checked.
	 */
	__u64 seq;
};

/* On an established context fd: struct ksspi_message. */
#define KSSPI_IOC_MAKE_SIGNATURE		_IO(KSSPI_IOC_TYPE, 0x50)
#define KSSPI_IOC_VERIFY_SIGNATURE		_IO(KSSPI_IOC_TYPE, 0x51)
#define KSSPI_IOC_ENCRYPT_MESSAGE		_IO(KSSPI_IOC_TYPE, 0x52)
#define KSSPI_IOC_DECRYPT_MESSAGE		_IO(KSSPI_IOC_TYPE, 0x53)

/*
 * Sizes of &struct ksspi_context_info that %KSSPI_IOC_QUERY_CONTEXT
 * accepts: that of the first version, and from the one with
 * SECPKG_ATTR_STREAM_SIZES up.
 */
#define KSSPI_CONTEXT_INFO_SIZE_VER0		112
#define KSSPI_CONTEXT_INFO_SIZE_VER1		128

/*
 * The x509 package (Documentation/userspace-api/x509.rst).
 */
/* Certificate revoked (winerror.h CRYPT_E_REVOKED). */
#define CRYPT_E_REVOKED				KSSPI_STATUS(0x80092010)

/* Signature algorithms of the proof of possession. */
#define KSSPI_X509_SIG_RSA_PKCS1_SHA256		1
#define KSSPI_X509_SIG_ECDSA_SHA256		2
#define KSSPI_X509_SIG_RSA_PSS_SHA256		3

/* Binding strength of a certificate mapping (KB5014754). */
#define KSSPI_X509_STRENGTH_WEAK		1
#define KSSPI_X509_STRENGTH_STRONG		2

/* &ksspi_x509_info.attr: the ksspi-private attribute it answers. */
#define SECPKG_ATTR_KSSPI_X509_INFO		0x80000110

/**
 * struct ksspi_x509_acquire - Argument of %KSSPI_IOC_X509_ACQUIRE:
 * AcquireCredentialsHandle of the x509 package.
 *
 * Inbound credentials take no material but @principal, the target name the
 * acceptor answers to (the initiator's signature covers it).  Outbound
 * credentials need a chain (@chain_path, or @chain) and a key (@key_path,
 * or @key_serial); exactly one of each.
 */
struct ksspi_x509_acquire {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @use: %SECPKG_CRED_INBOUND or %SECPKG_CRED_OUTBOUND.
	 */
	__u32 use;
	/**
	 * @principal_len: Length of @principal (inbound: required).
	 */
	__u32 principal_len;
	/**
	 * @principal: Pointer to the target name an acceptor answers to.
	 */
	__u64 principal;
	/**
	 * @chain_path: Pointer to the path of a PEM chain file (leaf first),
	 * read by the helper with the caller's ids, or 0.
	 */
	__u64 chain_path;
	/**
	 * @chain: Pointer to DER certificates back to back, leaf first, or 0.
	 */
	__u64 chain;
	/**
	 * @key_path: Pointer to the path of a PEM private key file, read by
	 * the helper with the caller's ids at each signature, or 0.
	 */
	__u64 key_path;
	/**
	 * @chain_path_len: Length of @chain_path.
	 */
	__u32 chain_path_len;
	/**
	 * @chain_len: Bytes at @chain, at most 32768.
	 */
	__u32 chain_len;
	/**
	 * @key_path_len: Length of @key_path.
	 */
	__u32 key_path_len;
	/**
	 * @key_serial: Serial of an asymmetric key with a private part (RSA)
	 * the caller may search, or 0.
	 */
	__s32 key_serial;
	/**
	 * @expiry: Out: when the credentials expire (0: never).
	 */
	__s64 expiry;
};

/**
 * struct ksspi_x509_info - Argument of %KSSPI_IOC_X509_QUERY on an
 * established x509 context (QueryContextAttributes with
 * %SECPKG_ATTR_KSSPI_X509_INFO).
 */
struct ksspi_x509_info {
	/**
	 * @size: Size of this structure as known to the caller.
	 */
	__u32 size;
	/**
	 * @flags: Must be zero.
	 */
	__u32 flags;
	/**
	 * @attr: Out: %SECPKG_ATTR_KSSPI_X509_INFO.
	 */
	__u32 attr;
	/**
	 * @strength: Out: KSSPI_X509_STRENGTH_* (acceptor), 0 on an initiator.
	 */
	__u32 strength;
	/**
	 * @sig_alg: Out: KSSPI_X509_SIG_* of the proof, 0 for a kernel peer.
	 */
	__u32 sig_alg;
	/**
	 * @ncerts: Out: certificates in the chain presented.
	 */
	__u32 ncerts;
	/**
	 * @possession_proven: Out: 1 when an in-kernel TLS peer was accepted
	 * without a proof (ksspi_x509_accept_tls_peer()).
	 */
	__u32 possession_proven;
	/**
	 * @reserved: Zero.
	 */
	__u32 reserved;
};

/* On /dev/ksspi: struct ksspi_x509_acquire; returns a credentials fd. */
#define KSSPI_IOC_X509_ACQUIRE			_IO(KSSPI_IOC_TYPE, 0x70)
/* On an x509 context fd: struct ksspi_x509_info. */
#define KSSPI_IOC_X509_QUERY			_IO(KSSPI_IOC_TYPE, 0x71)

#endif /* _UAPI_LINUX_KSSPI_H */
