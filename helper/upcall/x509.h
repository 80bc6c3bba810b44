/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: certificate logon (package x509), the helper's side.
 *
 * Plain functions with no knowledge of the upcall wire: proto.c/worker.c
 * (the dispatch) turn the request items into these structures and the
 * results back into response items.
 *
 * Acceptor: kx509_logon() validates the presented chain against the
 * configured trust anchors (x509_ca / x509_ca_dir in upcall.conf) with
 * OpenSSL's X509_verify_cert(): signatures, validity period, key usage
 * digitalSignature, extended key usage clientAuth (or the Microsoft
 * smartcard-logon EKU), CRLs when x509_crl is configured, x509_max_chain.
 * Then it checks the initiator's signature over the challenge bytes with
 * the leaf's public key, and maps the certificate to a local account with
 * the rules of x509_rules (certmap.h), then getpwnam()/getgrouplist().
 *
 * Initiator: kx509_load_chain() reads the chain file, kx509_check_key()
 * refuses a private key that does not belong to the leaf, kx509_sign()
 * signs the challenge bytes.  Both run in the worker already dropped to
 * the requester: they just open the paths.
 *
 * Every entry point returns a SECURITY_STATUS (SEC_E_OK on success) and
 * writes a one-line reason into @msg (also on success: what was done).
 *
 *   SEC_E_UNTRUSTED_ROOT	the chain does not end at a configured anchor
 *   SEC_E_CERT_EXPIRED		a certificate expired or is not yet valid
 *				(CRL out of date: also this)
 *   SEC_E_CERT_WRONG_USAGE	no digitalSignature KU, no acceptable EKU
 *   CRYPT_E_REVOKED		a certificate of the chain is on a CRL
 *   SEC_E_CERT_UNKNOWN		bad certificate signature, garbage DER,
 *				chain too long or too big, other X.509 error
 *   SEC_E_LOGON_DENIED		challenge signature wrong; no rule matches;
 *				weak binding under x509_require_strong; maps
 *				to uid/gid 0 without allow_root; no account
 *   SEC_E_NO_AUTHENTICATING_AUTHORITY  no CA configured or CA/CRL/rules
 *				file unreadable, unsafe or invalid
 *   SEC_E_ALGORITHM_MISMATCH	sig_alg unknown or not usable with the key
 *   SEC_E_NO_CREDENTIALS	(initiator) chain/key file missing/unreadable
 *   SEC_E_UNKNOWN_CREDENTIALS	(initiator) key does not match the leaf,
 *				unparsable chain or key file
 *   SEC_E_BUFFER_TOO_SMALL	(kx509_sign) @sig too small, *sig_len = need
 *   SEC_E_INVALID_PARAMETER	bad arguments (NULL, sizes over the limits)
 *   SEC_E_INSUFFICIENT_MEMORY	out of memory
 */
#ifndef KSSPI_UPCALL_X509_H
#define KSSPI_UPCALL_X509_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/ksspi.h>

#include "config.h"

#ifndef CRYPT_E_REVOKED
#define CRYPT_E_REVOKED			KSSPI_STATUS(0x80092010)
#endif

#define KX509_CHAIN_MAX		16	/* certificates in a kx509_chain */
#define KX509_CERT_MAX		16384	/* bytes of one DER certificate */
#define KX509_CHAIN_BYTES_MAX	65536	/* bytes of all of them */
#define KX509_TBS_MAX		4096	/* bytes of the signed challenge */
#define KX509_SIG_MAX		1024	/* bytes of a signature (RSA-8192) */

/*
 * Signature algorithms of the proof of possession, all over SHA-256 of
 * the TBS bytes:
 *   RSA_PKCS1_SHA256	RSASSA-PKCS1-v1_5 (what the kernel's asymmetric
 *			key type makes with "pkcs1" + sha256)
 *   ECDSA_SHA256	ECDSA over P-256 or P-384, signature DER-encoded
 *			(ECDSA-Sig-Value, X9.62) as OpenSSL makes it
 *   RSA_PSS_SHA256	RSASSA-PSS, MGF1-SHA-256, salt length 32
 */
#define KX509_SIG_RSA_PKCS1_SHA256	1
#define KX509_SIG_ECDSA_SHA256		2
#define KX509_SIG_RSA_PSS_SHA256	3

/* Binding strength (Microsoft KB5014754); also SECPKG_ATTR value. */
#define KX509_WEAK		1
#define KX509_STRONG		2

/* Leaf first, then the intermediates the peer sent (the root optional). */
struct kx509_chain {
	unsigned int n;
	const unsigned char *der[KX509_CHAIN_MAX];
	size_t len[KX509_CHAIN_MAX];
};

struct kx509_logon_in {
	struct kx509_chain chain;
	const unsigned char *tbs;	/* bytes the initiator signed */
	size_t tbs_len;			/* (built by the kernel) */
	const unsigned char *sig;	/* signature by the leaf key */
	size_t sig_len;
	unsigned int sig_alg;		/* KX509_SIG_* */
	int possession_proven;		/* kernel-only trusted peer: no tbs/sig */
};

struct kx509_logon_out {
	uid_t uid;
	gid_t gid;
	char account[256];		/* local account name */
	char subject[1024];		/* leaf subject, RFC 2253 */
	int strength;			/* KX509_WEAK or KX509_STRONG */
	char rule[64];			/* "file:line" of the rule that matched */
	gid_t *groups;			/* getgrouplist(), primary gid included; */
	int ngroups;			/* free with kx509_logon_out_free() */
};

int32_t kx509_logon(const struct kup_config *cfg,
		    const struct kx509_logon_in *in,
		    struct kx509_logon_out *out, char *msg, size_t msglen);
void kx509_logon_out_free(struct kx509_logon_out *out);

/*
 * Initiator, in the worker already dropped to the requester.
 * @key_path: PEM (PKCS#8, traditional RSA/EC) or DER (PKCS#8) private
 * key, unencrypted.  @sig_len: in, the size of @sig; out, the length
 * written (SEC_E_BUFFER_TOO_SMALL: the length needed).
 */
int32_t kx509_sign(const char *key_path, unsigned int sig_alg,
		   const unsigned char *tbs, size_t tbs_len,
		   unsigned char *sig, size_t *sig_len,
		   char *msg, size_t msglen);

/* SEC_E_OK when the private key in @key_path is the leaf's (chain->der[0]). */
int32_t kx509_check_key(const char *key_path, const struct kx509_chain *chain,
			char *msg, size_t msglen);

/*
 * A PEM file of certificates (leaf first; or one DER certificate) into
 * @out, whose der[] are malloc()ed: free with kx509_chain_free().
 */
int32_t kx509_load_chain(const char *chain_path, struct kx509_chain *out,
			 char *msg, size_t msglen);
void kx509_chain_free(struct kx509_chain *chain);

/* The signature algorithm that fits the leaf's key (RSA: PKCS#1 v1.5). */
int32_t kx509_default_sig_alg(const struct kx509_chain *chain,
			      unsigned int *sig_alg);

#endif
