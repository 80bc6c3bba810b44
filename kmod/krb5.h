/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kerberos per-message protection: RFC 4121 MIC and Wrap tokens over the
 * RFC 3961 simplified profile for the AES enctypes of RFC 3962 and RFC 8009,
 * on the kernel crypto API.  One &struct ksspi_krb5_ctx holds the keys and
 * transforms of one established security context; it knows nothing of
 * sequence windows or SSPI buffers (the callers do).
 *
 * Errors all functions share:
 *   -EBADMSG   the integrity check failed (SEC_E_MESSAGE_ALTERED)
 *   -EPROTO    not a token of this context: wrong TOK_ID, filler, EC/RRC,
 *              direction (a reflected token) or acceptor-subkey flag
 *              (SEC_E_MESSAGE_ALTERED for a wrong direction or subkey flag,
 *              SEC_E_INVALID_TOKEN otherwise; the caller cannot tell them
 *              apart and should map -EPROTO to SEC_E_MESSAGE_ALTERED)
 *   -EMSGSIZE  a buffer is too short for the token, or a token is truncated
 *              (SEC_E_INCOMPLETE_MESSAGE on input, SEC_E_BUFFER_TOO_SMALL on
 *              output)
 *   -EINVAL    the piece list is malformed (two HEADERs, no HEADER, ...)
 *   -ENOMEM    out of memory
 * No function allocates a transform; all may sleep.
 */
#ifndef _KSSPI_KRB5_H
#define _KSSPI_KRB5_H

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/types.h>

/* Enctypes (RFC 3962, RFC 8009). */
#define KSSPI_KRB5_AES128_CTS_HMAC_SHA1_96		17
#define KSSPI_KRB5_AES256_CTS_HMAC_SHA1_96		18
#define KSSPI_KRB5_AES128_CTS_HMAC_SHA256_128		19
#define KSSPI_KRB5_AES256_CTS_HMAC_SHA384_192		20

/* RFC 4121 key usages. */
#define KSSPI_KRB5_KU_ACCEPTOR_SEAL	22
#define KSSPI_KRB5_KU_ACCEPTOR_SIGN	23
#define KSSPI_KRB5_KU_INITIATOR_SEAL	24
#define KSSPI_KRB5_KU_INITIATOR_SIGN	25

/* ksspi_krb5_ctx_new() flags. */
/* This side initiated the context (SentByAcceptor clear on its tokens). */
#define KSSPI_KRB5_F_INITIATOR		BIT(0)
/* The key is the acceptor's subkey (tokens carry AcceptorSubkey). */
#define KSSPI_KRB5_F_ACCEPTOR_SUBKEY	BIT(1)

/* Largest token header + trailer any supported enctype needs. */
#define KSSPI_KRB5_MAX_OVERHEAD		(16 + 16 + 16 + 24)

struct ksspi_krb5_ctx;

/**
 * struct ksspi_krb5_sizes - Buffer sizes of one context's tokens.
 * @mic: a MIC token (ksspi_krb5_get_mic()).
 * @header: the HEADER piece of a Wrap token (token header, and the
 *	confounder when sealed).
 * @trailer: the TRAILER piece of a Wrap token.  Without a TRAILER piece
 *	the HEADER piece must hold @header + @trailer bytes (the DCE/Windows
 *	layout: the trailer is rotated into the header with RRC).
 * @block: the block size DATA must be a multiple of (1: any length; the
 *	AES enctypes use ciphertext stealing, so no padding is ever needed).
 */
struct ksspi_krb5_sizes {
	u32 mic;
	u32 header;
	u32 trailer;
	u32 block;
};

/* Piece types of a message, in the order they appear in it. */
enum {
	/* Encrypted in place when sealing, integrity-protected always. */
	KSSPI_KRB5_IOV_DATA = 1,
	/* Integrity-protected, never encrypted (READONLY_WITH_CHECKSUM). */
	KSSPI_KRB5_IOV_SIGN_ONLY,
	/* Token header (+ confounder, + rotated trailer without TRAILER). */
	KSSPI_KRB5_IOV_HEADER,
	/* Encrypted header copy and checksum. */
	KSSPI_KRB5_IOV_TRAILER,
	/* Padding: always set to length 0 by wrap, ignored by unwrap. */
	KSSPI_KRB5_IOV_PADDING,
	/*
	 * A whole gss_wrap() token, unwrap only (alone or with SIGN_ONLY):
	 * unwrapped in place; on return a DATA piece (if any) is pointed at
	 * the plaintext inside it.
	 */
	KSSPI_KRB5_IOV_STREAM,
	/* Ignored (SSPI SECBUFFER_EMPTY and friends). */
	KSSPI_KRB5_IOV_EMPTY,
};

/**
 * struct ksspi_krb5_iov - One piece of a message.
 * @type: KSSPI_KRB5_IOV_*.
 * @len: its length; wrap sets HEADER, TRAILER and PADDING to the bytes it
 *	used, unwrap of a STREAM sets the DATA piece to the plaintext.
 * @data: the bytes (kernel memory, any alignment; may be vmalloc'ed).
 */
struct ksspi_krb5_iov {
	u32 type;
	u32 len;
	u8 *data;
};

bool ksspi_krb5_enctype_supported(u32 enctype);
struct ksspi_krb5_ctx *ksspi_krb5_ctx_new(u32 enctype, const u8 *key,
					  unsigned int keylen, u32 flags,
					  gfp_t gfp);
void ksspi_krb5_ctx_free(struct ksspi_krb5_ctx *k);
void ksspi_krb5_sizes(const struct ksspi_krb5_ctx *k, bool conf,
		      struct ksspi_krb5_sizes *s);

int ksspi_krb5_get_mic(struct ksspi_krb5_ctx *k, u64 seq,
		       const struct ksspi_krb5_iov *iov, unsigned int n,
		       u8 *tok, unsigned int *toklen);
int ksspi_krb5_verify_mic(struct ksspi_krb5_ctx *k,
			  const struct ksspi_krb5_iov *iov, unsigned int n,
			  const u8 *tok, unsigned int toklen, u64 *seq);
int ksspi_krb5_wrap(struct ksspi_krb5_ctx *k, u64 seq, bool conf,
		    struct ksspi_krb5_iov *iov, unsigned int n);
int ksspi_krb5_unwrap(struct ksspi_krb5_ctx *k, struct ksspi_krb5_iov *iov,
		      unsigned int n, bool *conf, u64 *seq);

/*
 * The RFC 3961 primitives under the tokens, exported for the known-answer
 * self-test (selftests/krb5crypto); not for other callers.
 */
int ksspi_krb5_nfold(const u8 *in, unsigned int inlen, u8 *out,
		     unsigned int outlen);
int ksspi_krb5_derive(u32 enctype, const u8 *base, unsigned int baselen,
		      const u8 *constant, unsigned int clen, u8 *out,
		      unsigned int outlen);
int ksspi_krb5_kat_encrypt(u32 enctype, const u8 *base, unsigned int baselen,
			   u32 usage, const u8 *confounder, const u8 *plain,
			   unsigned int len, u8 *out);
int ksspi_krb5_kat_decrypt(u32 enctype, const u8 *base, unsigned int baselen,
			   u32 usage, u8 *buf, unsigned int len);
int ksspi_krb5_kat_checksum(u32 enctype, const u8 *base, unsigned int baselen,
			    u32 usage, const u8 *data, unsigned int len,
			    u8 *out);
int ksspi_krb5_kat_cts(const u8 *key, unsigned int keylen, u8 *buf,
		       unsigned int len, bool encrypt);

#endif /* _KSSPI_KRB5_H */
