/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksspi - the request-key upcall: what the module asks ksspi-upcall and
 * what it answers.
 *
 * The module calls request_key() on a key of type %KSSPI_UPCALL_KEY_TYPE
 * with a unique description ("ksspi;<id in hex>") and a request in the
 * callout information, encoded as base64 (RFC 4648, with padding, no line
 * breaks) of a binary &struct ksspi_upcall_request and its items.  The
 * helper reads it with keyctl_read() on the request-key authorisation key
 * (never from its command line, which every user can read), does the work,
 * and instantiates the key with the binary &struct ksspi_upcall_response
 * and its items as the payload -- or negates the key on any failure.
 *
 * Both messages are a fixed header followed by items.  An item is a &struct
 * ksspi_upcall_item, then @len bytes of data, then zero bytes up to the next
 * multiple of %KSSPI_UPCALL_ALIGN.  A message's @size counts everything,
 * header and padding included.  Strings are not NUL-terminated: @len is
 * their length, and they contain no NUL and no control character.  Each
 * item type occurs at most once.  Unknown item types are an error for the
 * kernel; the helper ignores unknown request items whose type has
 * %KSSPI_UPCALL_ITEM_OPTIONAL set.
 *
 * The kernel treats every response as untrusted input: a response that
 * does not parse, does not answer the request it was asked (@op, @id), or
 * names an identity the module's rules refuse, fails the call.
 */

#ifndef _UAPI_LINUX_KSSPI_UPCALL_H
#define _UAPI_LINUX_KSSPI_UPCALL_H

#include <linux/types.h>

/* The key type the module registers. */
#define KSSPI_UPCALL_KEY_TYPE		"ksspi"

/* &ksspi_upcall_header.magic: "ksUP" in memory order on little endian. */
#define KSSPI_UPCALL_MAGIC		0x5055736bU
/* &ksspi_upcall_header.version of this definition. */
#define KSSPI_UPCALL_VERSION		1
/* Alignment of items. */
#define KSSPI_UPCALL_ALIGN		8
/* Largest request or response, in bytes (binary, before base64). */
#define KSSPI_UPCALL_MAX		65536
/* Largest opaque state carried from one leg to the next. */
#define KSSPI_UPCALL_STATE_MAX		16384
/* Most supplementary groups a %KSSPI_UPCALL_GROUPS item may carry. */
#define KSSPI_UPCALL_GROUPS_MAX		4096
/* Largest %KSSPI_UPCALL_SESSION_KEY item, in bytes. */
#define KSSPI_UPCALL_SESSION_KEY_MAX	64

/* Operations (&ksspi_upcall_header.op). */
/*
 * Check that credentials for a new handle exist; answer the principal and
 * when they expire.
 */
#define KSSPI_UPCALL_ACQUIRE		1
/* One leg of InitializeSecurityContext. */
#define KSSPI_UPCALL_INITIATE		2
/* One leg of AcceptSecurityContext. */
#define KSSPI_UPCALL_ACCEPT		3
/*
 * Instantiate the key from a process whose real, effective, saved and
 * filesystem ids are @uid and @gid of the request, with no supplementary
 * group and no capability: the module keeps that process's credentials to
 * account the threads that impersonate anonymous tokens (see
 * Documentation/security/impersonation.rst).  No item; the response has no
 * item either.
 */
#define KSSPI_UPCALL_DONOR		4

/* Request flags (&ksspi_upcall_header.flags of a request). */
/*
 * The credentials handle belongs to kernel code (an in-kernel server), not
 * to a user: use the system keytab and credentials, and do not change to
 * the requester's ids.
 */
#define KSSPI_UPCALL_F_KERNEL		0x00000001
/*
 * Answer an established context (%SEC_E_OK of initiate or accept) with the
 * %KSSPI_UPCALL_LUCID item too: what in-kernel per-message protection
 * needs besides the session key.
 */
#define KSSPI_UPCALL_F_LUCID		0x00000002
/* No response flag is defined; a response's flags must be 0. */

/**
 * struct ksspi_upcall_header - The start of every message.
 */
struct ksspi_upcall_header {
	/**
	 * @magic: %KSSPI_UPCALL_MAGIC.
	 */
	__u32 magic;
	/**
	 * @version: %KSSPI_UPCALL_VERSION; a response has the version of its
	 * request.
	 */
	__u16 version;
	/**
	 * @op: KSSPI_UPCALL_* operation; a response has that of its request.
	 */
	__u16 op;
	/**
	 * @size: Bytes of the whole message, header, items and padding.
	 */
	__u32 size;
	/**
	 * @flags: KSSPI_UPCALL_F_* in a request; 0 in a response.
	 */
	__u32 flags;
};

/**
 * struct ksspi_upcall_request - What the module asks.  Items follow.
 */
struct ksspi_upcall_request {
	/**
	 * @hdr: The header.
	 */
	struct ksspi_upcall_header hdr;
	/**
	 * @id: Number of this request, unique while the module is loaded;
	 * also in the key description.
	 */
	__u64 id;
	/**
	 * @context_id: Number of the context (as in debugfs and trace
	 * events), or 0 for %KSSPI_UPCALL_ACQUIRE and %KSSPI_UPCALL_DONOR.
	 */
	__u64 context_id;
	/**
	 * @package_id: KSSPI_PACKAGE_* of the package (%KSSPI_PACKAGE_KERBEROS
	 * or %KSSPI_PACKAGE_NEGOTIATE), 0 for %KSSPI_UPCALL_DONOR.
	 */
	__u32 package_id;
	/**
	 * @leg: 0 for the first leg of a context, then 1, 2, ...
	 */
	__u32 leg;
	/**
	 * @req_flags: ISC_REQ_* bits (initiate) or ASC_REQ_* bits (accept).
	 */
	__u32 req_flags;
	/**
	 * @cred_use: SECPKG_CRED_INBOUND, _OUTBOUND or _BOTH of the handle.
	 */
	__u32 cred_use;
	/**
	 * @uid: The real uid, in the initial user namespace, of the thread
	 * that acquired the credentials handle: the helper changes to it
	 * (with @gid and the %KSSPI_UPCALL_GROUPS item) before it opens a
	 * credential cache or keytab.  For %KSSPI_UPCALL_DONOR, the uid to
	 * instantiate as.
	 */
	__u32 uid;
	/**
	 * @gid: The real gid that goes with @uid.
	 */
	__u32 gid;
	/**
	 * @now: The kernel's ``CLOCK_REALTIME``, in seconds since the epoch.
	 */
	__s64 now;
};

/**
 * struct ksspi_upcall_response - What the helper answers.  Items follow.
 */
struct ksspi_upcall_response {
	/**
	 * @hdr: The header.
	 */
	struct ksspi_upcall_header hdr;
	/**
	 * @id: &ksspi_upcall_request.id of the request answered.
	 */
	__u64 id;
	/**
	 * @status: SECURITY_STATUS of the operation or leg: %SEC_E_OK,
	 * %SEC_I_CONTINUE_NEEDED, or an error.
	 */
	__s32 status;
	/**
	 * @ret_flags: ISC_RET_* or ASC_RET_* bits in effect.
	 */
	__u32 ret_flags;
	/**
	 * @gss_major: GSS-API major status, for the log only.
	 */
	__u32 gss_major;
	/**
	 * @gss_minor: GSS-API minor status, for the log only.
	 */
	__u32 gss_minor;
	/**
	 * @expiry: When the credentials or the context expire, in seconds
	 * since the epoch; 0 if unknown.
	 */
	__s64 expiry;
	/**
	 * @uid: Established acceptor: the uid, in the initial user namespace,
	 * the client maps to; otherwise ``(__u32)-1``.
	 */
	__u32 uid;
	/**
	 * @gid: The primary gid of @uid, or ``(__u32)-1``.
	 */
	__u32 gid;
	/**
	 * @level: Established acceptor: the impersonation level (SECURITY_*)
	 * the client allows: %SECURITY_DELEGATION with delegated credentials
	 * (then the %KSSPI_UPCALL_DELEGATED item is present),
	 * %SECURITY_IDENTIFICATION when the client asked for identify-only
	 * or its principal is mapped to the anonymous level by
	 * configuration, else %SECURITY_IMPERSONATION.  0 otherwise.
	 */
	__u32 level;
	/**
	 * @enctype: Kerberos enctype of the %KSSPI_UPCALL_SESSION_KEY item,
	 * or 0 if there is none.
	 */
	__u32 enctype;
};

/**
 * struct ksspi_upcall_item - Header of one item.
 */
struct ksspi_upcall_item {
	/**
	 * @type: KSSPI_UPCALL_* item type, possibly with
	 * %KSSPI_UPCALL_ITEM_OPTIONAL.
	 */
	__u16 type;
	/**
	 * @flags: Must be 0.
	 */
	__u16 flags;
	/**
	 * @len: Bytes of data that follow, not counting the padding.
	 */
	__u32 len;
};

/* Set in &ksspi_upcall_item.type of request items an old helper may skip. */
#define KSSPI_UPCALL_ITEM_OPTIONAL	0x8000

/* Item types.  R: in requests; A: in responses. */
/* R A: supplementary gids (array of __u32): the requester's; the client's. */
#define KSSPI_UPCALL_GROUPS		1
/* R: the target name, as the caller gave it ("service/host" or "svc@host"). */
#define KSSPI_UPCALL_TARGET		2
/* R: the principal the handle acts as, if one was named when acquiring. */
#define KSSPI_UPCALL_PRINCIPAL		3
/* R: a credential cache name the acquirer gave (opened as @uid). */
#define KSSPI_UPCALL_CCACHE		4
/* R: a keytab name the acquirer gave (opened as @uid). */
#define KSSPI_UPCALL_KEYTAB		5
/* R: the token received from the peer. */
#define KSSPI_UPCALL_INPUT		6
/* R A: opaque state of a context between legs; at most ..._STATE_MAX. */
#define KSSPI_UPCALL_STATE		7
/*
 * R: the image of a credential cache (MIT FILE format) holding delegated
 * credentials, when the handle was acquired by a thread impersonating a
 * delegation-level token: initiate with these.
 */
#define KSSPI_UPCALL_CCACHE_DATA	8
/* A: the token to send to the peer. */
#define KSSPI_UPCALL_OUTPUT		16
/* A: the client's principal, realm-qualified ("alice@EXAMPLE.COM"). */
#define KSSPI_UPCALL_CLIENT_NAME	17
/* A: the server's (acceptor's) principal. */
#define KSSPI_UPCALL_SERVER_NAME	18
/* A: the local account the client maps to ("alice"). */
#define KSSPI_UPCALL_LOCAL_NAME		19
/* A: the session key (see &ksspi_upcall_response.enctype). */
#define KSSPI_UPCALL_SESSION_KEY	20
/*
 * A: the client's delegated credentials, as the image of a credential
 * cache (MIT FILE format); the module keeps it, never writes it to disk.
 */
#define KSSPI_UPCALL_DELEGATED		21
/* A: a human-readable explanation of a failure, for the log. */
#define KSSPI_UPCALL_MESSAGE		22
/*
 * A: &struct ksspi_upcall_lucid of an established context, only when the
 * request had %KSSPI_UPCALL_F_LUCID.
 */
#define KSSPI_UPCALL_LUCID		23

/* &ksspi_upcall_lucid.flags: this side initiated the context. */
#define KSSPI_UPCALL_LUCID_INITIATOR		0x00000001
/*
 * &ksspi_upcall_lucid.flags: the session key is the acceptor's subkey
 * (RFC 4121 tokens then carry the AcceptorSubkey flag).
 */
#define KSSPI_UPCALL_LUCID_ACCEPTOR_SUBKEY	0x00000002

/**
 * struct ksspi_upcall_lucid - Per-message state of an established krb5
 * context (from MIT's lucid context), the data of %KSSPI_UPCALL_LUCID.
 * The key is the %KSSPI_UPCALL_SESSION_KEY item.
 */
struct ksspi_upcall_lucid {
	/**
	 * @protocol: 0 for RFC 1964 tokens (DES, RC4), 1 for RFC 4121.
	 */
	__u32 protocol;
	/**
	 * @flags: KSSPI_UPCALL_LUCID_* bits.
	 */
	__u32 flags;
	/**
	 * @send_seq: Sequence number of this side's next token.
	 */
	__u64 send_seq;
	/**
	 * @recv_seq: Sequence number expected of the peer's next token.
	 */
	__u64 recv_seq;
};

/*
 * x509 (Documentation/userspace-api/x509.rst): operations 5-7, items 24-31.
 *
 * %KSSPI_UPCALL_X509_CHAIN (acquire of outbound x509 credentials, run as
 * the requester): R %KSSPI_UPCALL_X509_CHAIN_PATH or %KSSPI_UPCALL_X509_CERTS,
 * optional %KSSPI_UPCALL_X509_KEY_PATH (the key is opened and checked
 * against the leaf); A %KSSPI_UPCALL_X509_CERTS (when a path was given),
 * %KSSPI_UPCALL_X509_SIG_ALG, %KSSPI_UPCALL_CLIENT_NAME (leaf subject).
 *
 * %KSSPI_UPCALL_X509_SIGN (an initiator's proof, run as the requester): R
 * %KSSPI_UPCALL_X509_KEY_PATH, %KSSPI_UPCALL_X509_TBS,
 * %KSSPI_UPCALL_X509_SIG_ALG; A %KSSPI_UPCALL_X509_SIGNATURE.
 *
 * %KSSPI_UPCALL_X509_ACCEPT (an acceptor's last leg): R
 * %KSSPI_UPCALL_X509_CERTS, and either %KSSPI_UPCALL_X509_TBS +
 * %KSSPI_UPCALL_X509_SIGNATURE + %KSSPI_UPCALL_X509_SIG_ALG, or (only with
 * %KSSPI_UPCALL_F_KERNEL) %KSSPI_UPCALL_X509_PROVEN; A on %SEC_E_OK: uid,
 * gid, level, %KSSPI_UPCALL_GROUPS, %KSSPI_UPCALL_CLIENT_NAME (the leaf's
 * subject, RFC 4514), %KSSPI_UPCALL_LOCAL_NAME, %KSSPI_UPCALL_X509_STRENGTH.
 */
#define KSSPI_UPCALL_X509_ACCEPT	5
#define KSSPI_UPCALL_X509_SIGN		6
#define KSSPI_UPCALL_X509_CHAIN		7

/* R A: a certificate chain: DER certificates back to back, leaf first. */
#define KSSPI_UPCALL_X509_CERTS		24
/* R: the bytes the initiator signs (the to-be-signed structure). */
#define KSSPI_UPCALL_X509_TBS		25
/* R A: a signature over %KSSPI_UPCALL_X509_TBS by the leaf's key. */
#define KSSPI_UPCALL_X509_SIGNATURE	26
/* R A: __u32 KSSPI_X509_SIG_* (uapi/linux/ksspi.h) of the signature. */
#define KSSPI_UPCALL_X509_SIG_ALG	27
/* R: path of a PEM private key file, opened as the requester. */
#define KSSPI_UPCALL_X509_KEY_PATH	28
/* R: path of a PEM certificate chain file, opened as the requester. */
#define KSSPI_UPCALL_X509_CHAIN_PATH	29
/* R: __u32 1: an in-kernel TLS peer whose possession was proven. */
#define KSSPI_UPCALL_X509_PROVEN	30
/* A: __u32 KSSPI_X509_STRENGTH_* of the mapping that matched. */
#define KSSPI_UPCALL_X509_STRENGTH	31

/* Most certificates in a chain, and most bytes of a whole chain. */
#define KSSPI_UPCALL_X509_CERTS_MAX	16
#define KSSPI_UPCALL_X509_CHAIN_MAX	32768
/* Largest signature (RSA-8192) and to-be-signed structure. */
#define KSSPI_UPCALL_X509_SIG_MAX	1024
#define KSSPI_UPCALL_X509_TBS_MAX	256

#endif /* _UAPI_LINUX_KSSPI_UPCALL_H */
