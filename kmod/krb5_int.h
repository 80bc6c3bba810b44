/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the RFC 3961 crypto (krb5_crypto.c) and the RFC 4121 tokens
 * (krb5_token.c): nothing else includes this.
 */
#ifndef _KSSPI_KRB5_INT_H
#define _KSSPI_KRB5_INT_H

#include <crypto/hash.h>
#include <crypto/skcipher.h>

#include "krb5.h"

/* AES block size; also the confounder and the token header's size. */
#define KRB5_BLOCK	16

/**
 * struct krb5_enctype - One enctype's parameters.
 * @etype: the number (17, 18, 19, 20).
 * @hmac: the HMAC of its integrity keys, a crypto API name.
 * @keylen: base key and encryption key bytes.
 * @kilen: integrity (Ki) and checksum (Kc) key bytes.
 * @cksum: checksum (truncated HMAC) bytes.
 * @etm: RFC 8009 (HMAC over IV and ciphertext, KDF-HMAC-SHA2) rather than
 *	RFC 3962 (HMAC over plaintext, DK with n-fold).
 */
struct krb5_enctype {
	u32 etype;
	const char *hmac;
	unsigned int keylen;
	unsigned int kilen;
	unsigned int cksum;
	bool etm;
};

/**
 * struct krb5_keys - Transforms keyed for one sender's tokens.
 * @ke: cts(cbc(aes)) with Ke of the seal usage.
 * @ki: HMAC with Ki of the seal usage.
 * @kc_seal: HMAC with Kc of the seal usage (Wrap without confidentiality).
 * @kc_sign: HMAC with Kc of the sign usage (MIC).
 *
 * Each transform is keyed once; requests and descriptors live on the
 * stack, so one set serves concurrent callers.
 */
struct krb5_keys {
	struct crypto_sync_skcipher *ke;
	struct crypto_shash *ki;
	struct crypto_shash *kc_seal;
	struct crypto_shash *kc_sign;
};

/**
 * struct ksspi_krb5_ctx - Keys and transforms of one security context.
 * @et: the enctype.
 * @flags: KSSPI_KRB5_F_*.
 * @send: keys of the tokens this side makes.
 * @recv: keys of the tokens the peer makes.
 */
struct ksspi_krb5_ctx {
	const struct krb5_enctype *et;
	u32 flags;
	struct krb5_keys send;
	struct krb5_keys recv;
};

/**
 * struct krb5_seg - A contiguous piece of the protected message.
 * @p: its bytes.
 * @len: their count.
 * @enc: encrypted when sealing (else integrity-protected only).
 */
struct krb5_seg {
	u8 *p;
	u32 len;
	bool enc;
};

int krb5_seal(const struct krb5_enctype *et, const struct krb5_keys *k,
	      const struct krb5_seg *seg, unsigned int nseg, u8 *cksum);
int krb5_unseal(const struct krb5_enctype *et, const struct krb5_keys *k,
		const struct krb5_seg *seg, unsigned int nseg,
		const u8 *cksum);
int krb5_checksum(const struct krb5_enctype *et, struct crypto_shash *kc,
		  const struct krb5_seg *seg, unsigned int nseg, u8 *out);

#endif /* _KSSPI_KRB5_INT_H */
