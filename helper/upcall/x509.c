// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: certificate logon with OpenSSL's libcrypto.
 *
 * All X.509 and ASN.1 work is libcrypto's (d2i_X509, X509_verify_cert,
 * EVP_DigestVerify); this file only decides policy and maps the results
 * to SECURITY_STATUS values (x509.h has the table).  Trust anchors, CRLs
 * and the rules file are read by us (certmap_read_file: owner and mode
 * checked like upcall.conf, no symlink) and handed to libcrypto from
 * memory, so a file an attacker could write never becomes an anchor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certmap.h"
#include "mapping.h"
#include "x509.h"

#define ANCHOR_FILE_MAX		(4 << 20)	/* a CA bundle or CRL file */
#define ANCHOR_DIR_FILES_MAX	1024
#define KEY_FILE_MAX		65536
#define CHAIN_FILE_MAX		(KX509_CHAIN_BYTES_MAX * 2)
#define RSA_BITS_MIN		2048

static int32_t say(char *msg, size_t msglen, int32_t status,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int32_t say(char *msg, size_t msglen, int32_t status,
		   const char *fmt, ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Never prompt for a passphrase (the helper has no terminal). */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Add the certificates (and CRLs) of one PEM file to @store. */
static int32_t add_pem_file(X509_STORE *store, const char *path, uid_t owner,
			    int want_crl, unsigned int *count, char *msg,
			    size_t msglen)
{
	STACK_OF(X509_INFO) *infos = NULL;
	char *buf, err[KUP_PATH_MAX + 96];
	int32_t st = SEC_E_OK;
	size_t len;
	BIO *bio;
	int i, r;

	r = certmap_read_file(path, owner, ANCHOR_FILE_MAX, &buf, &len, err,
			      sizeof(err));
	if (r == -ENOMEM)
		return say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	if (r)
		return say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			   "%s", err);
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio)
		infos = PEM_X509_INFO_read_bio(bio, NULL, no_password, NULL);
	if (!infos) {
		st = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			 "%s: not a PEM file of %s", path,
			 want_crl ? "CRLs" : "certificates");
		goto out;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (!want_crl && xi->x509) {
			if (!X509_STORE_add_cert(store, xi->x509))
				goto bad;
			(*count)++;
		}
		if (want_crl && xi->crl) {
			if (!X509_STORE_add_crl(store, xi->crl))
				goto bad;
			(*count)++;
		}
	}
	goto out;
bad:
	st = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
		 "%s: cannot add entry %d", path, i);
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	free(buf);
	ERR_clear_error();
	return st;
}

/* Every regular *.pem / *.crt / *.cer file of @dir (no c_rehash needed). */
static int32_t add_pem_dir(X509_STORE *store, const char *dir, uid_t owner,
			   unsigned int *count, char *msg, size_t msglen)
{
	char path[KUP_PATH_MAX + 256];
	unsigned int files = 0;
	struct dirent *de;
	struct stat st;
	int32_t s = SEC_E_OK;
	DIR *d;

	if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			   "%s: not a directory", dir);
	if (st.st_uid != owner || st.st_mode & (S_IWGRP | S_IWOTH))
		return say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			   "%s: must be owned by uid %u and not group/world-writable",
			   dir, (unsigned int)owner);
	d = opendir(dir);
	if (!d)
		return say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			   "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 5 ||
		    (strcmp(de->d_name + n - 4, ".pem") &&
		     strcmp(de->d_name + n - 4, ".crt") &&
		     strcmp(de->d_name + n - 4, ".cer")))
			continue;
		if (++files > ANCHOR_DIR_FILES_MAX) {
			s = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
				"%s: more than %d files", dir,
				ANCHOR_DIR_FILES_MAX);
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		s = add_pem_file(store, path, owner, 0, count, msg, msglen);
		if (s != SEC_E_OK)
			break;
	}
	closedir(d);
	return s;
}

static int32_t make_store(const struct kup_config *cfg, X509_STORE **out,
			  char *msg, size_t msglen)
{
	unsigned int anchors = 0, crls = 0;
	X509_STORE *store;
	int32_t st;

	*out = NULL;
	if (!cfg->x509_ca[0] && !cfg->x509_ca_dir[0])
		return say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			   "no trust anchors: set x509_ca or x509_ca_dir in upcall.conf");
	store = X509_STORE_new();
	if (!store)
		return say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	if (cfg->x509_ca[0]) {
		st = add_pem_file(store, cfg->x509_ca, cfg->file_owner, 0,
				  &anchors, msg, msglen);
		if (st != SEC_E_OK)
			goto fail;
	}
	if (cfg->x509_ca_dir[0]) {
		st = add_pem_dir(store, cfg->x509_ca_dir, cfg->file_owner,
				 &anchors, msg, msglen);
		if (st != SEC_E_OK)
			goto fail;
	}
	if (!anchors) {
		st = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			 "no certificate in x509_ca / x509_ca_dir");
		goto fail;
	}
	if (cfg->x509_crl[0]) {
		st = add_pem_file(store, cfg->x509_crl, cfg->file_owner, 1,
				  &crls, msg, msglen);
		if (st != SEC_E_OK)
			goto fail;
		if (!crls) {
			st = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
				 "%s: no CRL in it", cfg->x509_crl);
			goto fail;
		}
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK |
				     X509_V_FLAG_CRL_CHECK_ALL);
	}
	*out = store;
	return SEC_E_OK;
fail:
	X509_STORE_free(store);
	return st;
}

static void dn_string(const X509_NAME *name, char *dst, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	dst[0] = '\0';
	if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0)
			snprintf(dst, size, "%.*s", (int)n, p);
	}
	BIO_free(b);
}

static int32_t verify_error_status(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return SEC_E_CERT_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return SEC_E_UNTRUSTED_ROOT;
	case X509_V_ERR_CERT_REVOKED:
		return CRYPT_E_REVOKED;
	case X509_V_ERR_INVALID_PURPOSE:
		return SEC_E_CERT_WRONG_USAGE;
	}
	return SEC_E_CERT_UNKNOWN;
}

static int key_usable(EVP_PKEY *pk, char *why, size_t whylen)
{
	char group[64];
	size_t gl = 0;

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		if (EVP_PKEY_get_bits(pk) < RSA_BITS_MIN) {
			snprintf(why, whylen, "RSA key of %d bits (minimum %d)",
				 EVP_PKEY_get_bits(pk), RSA_BITS_MIN);
			return 0;
		}
		return 1;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(pk, "group", group,
						    sizeof(group), &gl) ||
		    (strcmp(group, "prime256v1") && strcmp(group, "secp384r1"))) {
			snprintf(why, whylen, "EC key not on P-256 or P-384");
			return 0;
		}
		return 1;
	}
	snprintf(why, whylen, "key type %s not supported",
		 EVP_PKEY_get0_type_name(pk));
	return 0;
}

/* Does @alg fit @pk?  Sets up @pctx for it. */
static int alg_setup(EVP_PKEY *pk, unsigned int alg, EVP_PKEY_CTX *pctx)
{
	int id = EVP_PKEY_get_base_id(pk);

	switch (alg) {
	case KX509_SIG_RSA_PKCS1_SHA256:
		return id == EVP_PKEY_RSA &&
		       EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	case KX509_SIG_RSA_PSS_SHA256:
		return (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) &&
		       EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0;
	case KX509_SIG_ECDSA_SHA256:
		return id == EVP_PKEY_EC;
	}
	return 0;
}

static int alg_known(unsigned int alg)
{
	return alg == KX509_SIG_RSA_PKCS1_SHA256 ||
	       alg == KX509_SIG_RSA_PSS_SHA256 ||
	       alg == KX509_SIG_ECDSA_SHA256;
}

static int32_t check_signature(X509 *leaf, const struct kx509_logon_in *in,
			       char *msg, size_t msglen)
{
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md;
	char why[96];
	int ok;

	if (!pk)
		return say(msg, msglen, SEC_E_CERT_UNKNOWN,
			   "leaf public key unreadable");
	if (!key_usable(pk, why, sizeof(why)))
		return say(msg, msglen, SEC_E_ALGORITHM_MISMATCH, "leaf: %s", why);
	if (!alg_known(in->sig_alg))
		return say(msg, msglen, SEC_E_ALGORITHM_MISMATCH,
			   "unknown signature algorithm %u", in->sig_alg);
	md = EVP_MD_CTX_new();
	if (!md)
		return say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pk) <= 0 ||
	    !alg_setup(pk, in->sig_alg, pctx)) {
		EVP_MD_CTX_free(md);
		ERR_clear_error();
		return say(msg, msglen, SEC_E_ALGORITHM_MISMATCH,
			   "signature algorithm %u does not fit the leaf's %s key",
			   in->sig_alg, EVP_PKEY_get0_type_name(pk));
	}
	ok = EVP_DigestVerify(md, in->sig, in->sig_len, in->tbs, in->tbs_len);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (ok != 1)
		return say(msg, msglen, SEC_E_LOGON_DENIED,
			   "the signature over the challenge does not verify with the leaf's key");
	return SEC_E_OK;
}

static int has_eku(X509 *x, int nid)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
						   NULL);
	int i, found = 0;

	for (i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid)
			found = 1;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static int32_t check_usage(const struct kup_config *cfg, X509 *leaf,
			   char *msg, size_t msglen)
{
	uint32_t ku = X509_get_key_usage(leaf);

	/* No KU extension means any usage (RFC 5280 4.2.1.3). */
	if (ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))
		return say(msg, msglen, SEC_E_CERT_WRONG_USAGE,
			   "leaf key usage lacks digitalSignature");
	if (has_eku(leaf, NID_client_auth))
		return SEC_E_OK;
	if (cfg->x509_smartcard_eku && has_eku(leaf, NID_ms_smartcard_login))
		return SEC_E_OK;
	return say(msg, msglen, SEC_E_CERT_WRONG_USAGE,
		   "leaf extended key usage lacks clientAuth%s",
		   cfg->x509_smartcard_eku ? " and smartcardLogon" : "");
}

static void free_x509_stack(STACK_OF(X509) *sk)
{
	sk_X509_pop_free(sk, X509_free);
}

static int32_t check_input(const struct kx509_logon_in *in, char *msg,
			   size_t msglen)
{
	size_t total = 0;
	unsigned int i;

	if (!in->chain.n || in->chain.n > KX509_CHAIN_MAX)
		return say(msg, msglen, SEC_E_CERT_UNKNOWN,
			   "%u certificates (1-%d allowed)", in->chain.n,
			   KX509_CHAIN_MAX);
	for (i = 0; i < in->chain.n; i++) {
		if (!in->chain.der[i] || !in->chain.len[i] ||
		    in->chain.len[i] > KX509_CERT_MAX)
			return say(msg, msglen, SEC_E_CERT_UNKNOWN,
				   "certificate %u: empty or larger than %d bytes",
				   i, KX509_CERT_MAX);
		total += in->chain.len[i];
	}
	if (total > KX509_CHAIN_BYTES_MAX)
		return say(msg, msglen, SEC_E_CERT_UNKNOWN,
			   "chain larger than %d bytes", KX509_CHAIN_BYTES_MAX);
	if (in->possession_proven)
		return SEC_E_OK;
	if (!in->tbs || !in->tbs_len || in->tbs_len > KX509_TBS_MAX ||
	    !in->sig || !in->sig_len || in->sig_len > KX509_SIG_MAX)
		return say(msg, msglen, SEC_E_LOGON_DENIED,
			   "no or oversized challenge/signature");
	return SEC_E_OK;
}

static X509 *parse_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (len > KX509_CERT_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {	/* trailing bytes */
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* Chain validation only: the leaf (owned by the caller) when SEC_E_OK. */
static int32_t verify_chain(const struct kup_config *cfg,
			    const struct kx509_chain *chain, X509 **leafp,
			    char *msg, size_t msglen)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	X509_VERIFY_PARAM *vp;
	X509 *leaf = NULL, *x;
	unsigned int i;
	int32_t st;
	int depth, err;

	*leafp = NULL;
	if (chain->n > cfg->x509_max_chain)
		return say(msg, msglen, SEC_E_CERT_UNKNOWN,
			   "chain of %u certificates is longer than x509_max_chain %u",
			   chain->n, cfg->x509_max_chain);
	leaf = parse_der(chain->der[0], chain->len[0]);
	if (!leaf) {
		ERR_clear_error();
		return say(msg, msglen, SEC_E_CERT_UNKNOWN,
			   "leaf certificate is not valid DER X.509");
	}
	untrusted = sk_X509_new_null();
	if (!untrusted) {
		st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
		goto out;
	}
	for (i = 1; i < chain->n; i++) {
		x = parse_der(chain->der[i], chain->len[i]);
		if (!x) {
			st = say(msg, msglen, SEC_E_CERT_UNKNOWN,
				 "certificate %u is not valid DER X.509", i);
			goto out;
		}
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY,
				 "out of memory");
			goto out;
		}
	}
	st = make_store(cfg, &store, msg, msglen);
	if (st != SEC_E_OK)
		goto out;
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
		st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
		goto out;
	}
	vp = X509_STORE_CTX_get0_param(ctx);
	/* depth counts the intermediates: max_chain less leaf and anchor */
	X509_VERIFY_PARAM_set_depth(vp, (int)cfg->x509_max_chain - 2);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(ctx) != 1) {
		char subj[256];

		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		x = X509_STORE_CTX_get_current_cert(ctx);
		subj[0] = '\0';
		if (x)
			dn_string(X509_get_subject_name(x), subj, sizeof(subj));
		st = say(msg, msglen, verify_error_status(err),
			 "certificate at depth %d (%s): %s", depth,
			 subj[0] ? subj : "?", X509_verify_cert_error_string(err));
		if (err == X509_V_ERR_UNABLE_TO_GET_CRL)
			st = say(msg, msglen, SEC_E_CERT_UNKNOWN,
				 "revocation unknown: no CRL in x509_crl for the issuer of depth %d (%s)",
				 depth, subj[0] ? subj : "?");
		goto out;
	}
	if ((unsigned int)sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) >
	    cfg->x509_max_chain) {
		st = say(msg, msglen, SEC_E_CERT_UNKNOWN,
			 "validated path is longer than x509_max_chain %u",
			 cfg->x509_max_chain);
		goto out;
	}
	st = check_usage(cfg, leaf, msg, msglen);
	if (st != SEC_E_OK)
		goto out;
	*leafp = leaf;
	leaf = NULL;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	free_x509_stack(untrusted);
	X509_free(leaf);
	ERR_clear_error();
	return st;
}

void kx509_logon_out_free(struct kx509_logon_out *out)
{
	if (!out)
		return;
	free(out->groups);
	out->groups = NULL;
	out->ngroups = 0;
}

int32_t kx509_logon(const struct kup_config *cfg,
		    const struct kx509_logon_in *in,
		    struct kx509_logon_out *out, char *msg, size_t msglen)
{
	struct certmap_match match;
	struct certmap_cert *facts = NULL;
	struct certmap *rules = NULL;
	struct kup_identity id;
	char why[CERTMAP_DN_MAX];
	enum certmap_result cr;
	enum kup_map_result mr;
	X509 *leaf = NULL;
	int32_t st;

	if (!out)
		return say(msg, msglen, SEC_E_INVALID_PARAMETER, "no output");
	memset(out, 0, sizeof(*out));
	if (!cfg || !in)
		return say(msg, msglen, SEC_E_INVALID_PARAMETER, "no input");
	st = check_input(in, msg, msglen);
	if (st != SEC_E_OK)
		return st;
	st = verify_chain(cfg, &in->chain, &leaf, msg, msglen);
	if (st != SEC_E_OK)
		return st;
	if (!in->possession_proven) {
		st = check_signature(leaf, in, msg, msglen);
		if (st != SEC_E_OK)
			goto out;
	}
	facts = malloc(sizeof(*facts));
	if (!facts) {
		st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
		goto out;
	}
	if (certmap_cert_from_x509(leaf, facts)) {
		st = say(msg, msglen, SEC_E_CERT_UNKNOWN,
			 "leaf names unreadable");
		goto out;
	}
	snprintf(out->subject, sizeof(out->subject), "%s", facts->subject);
	if (!cfg->x509_rules[0]) {
		st = say(msg, msglen, SEC_E_LOGON_DENIED,
			 "%s: valid, but no x509_rules file to map it",
			 facts->subject);
		goto out;
	}
	if (certmap_load(cfg->x509_rules, cfg->file_owner, &rules, why,
			 sizeof(why))) {
		st = say(msg, msglen, SEC_E_NO_AUTHENTICATING_AUTHORITY,
			 "x509_rules: %s", why);
		goto out;
	}
	cr = certmap_find(rules, facts, cfg->x509_require_strong, &match,
			  why, sizeof(why));
	if (cr != CERTMAP_OK) {
		st = say(msg, msglen, SEC_E_LOGON_DENIED, "%s: %s",
			 facts->subject, why);
		goto out;
	}
	mr = kup_map_local(match.account, cfg, &id, why, sizeof(why));
	if (mr != KUP_MAP_OK) {
		st = say(msg, msglen, mr == KUP_MAP_ERROR ?
			 SEC_E_INSUFFICIENT_MEMORY : SEC_E_LOGON_DENIED,
			 "%s: rule [%s] (%s) -> %s", facts->subject, match.rule,
			 match.where, why);
		goto out;
	}
	out->uid = id.uid;
	out->gid = id.gid;
	snprintf(out->account, sizeof(out->account), "%s", id.local);
	out->strength = match.strong ? KX509_STRONG : KX509_WEAK;
	snprintf(out->rule, sizeof(out->rule), "%s", match.rule);
	out->groups = id.groups;
	out->ngroups = id.ngroups;
	st = say(msg, msglen, SEC_E_OK,
		 "%s -> %s (uid %u) by rule [%s] (%s), %s binding%s",
		 facts->subject, out->account, (unsigned int)out->uid,
		 match.rule, match.where, match.strong ? "strong" : "weak",
		 in->possession_proven ? ", possession proven by the kernel" : "");
out:
	certmap_free(rules);
	free(facts);
	X509_free(leaf);
	ERR_clear_error();
	return st;
}

/* Initiator side. */

static int read_user_file(const char *path, size_t max, unsigned char **buf,
			  size_t *len)
{
	struct stat st;
	unsigned char *b;
	size_t got = 0;
	ssize_t n;
	int fd, ret;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = -EINVAL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	ret = -EFBIG;
	if ((unsigned long long)st.st_size > max)
		goto out;
	ret = -ENOMEM;
	b = malloc((size_t)st.st_size + 1);
	if (!b)
		goto out;
	while (got < (size_t)st.st_size) {
		n = read(fd, b + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int32_t load_key(const char *path, EVP_PKEY **pk, char *msg,
			size_t msglen)
{
	const unsigned char *p;
	unsigned char *buf;
	size_t len = 0;
	BIO *bio;
	int r;

	*pk = NULL;
	if (!path || !*path)
		return say(msg, msglen, SEC_E_NO_CREDENTIALS, "no key file");
	r = read_user_file(path, KEY_FILE_MAX, &buf, &len);
	if (r == -ENOENT || r == -EACCES || r == -EPERM)
		return say(msg, msglen, SEC_E_NO_CREDENTIALS, "%s: %s", path,
			   strerror(-r));
	if (r == -ENOMEM)
		return say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	if (r)
		return say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			   "%s: not a regular file of at most %d bytes", path,
			   KEY_FILE_MAX);
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio && len > 10 && strstr((char *)buf, "-----BEGIN"))
		*pk = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	if (!*pk) {
		p = buf;
		*pk = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	BIO_free(bio);
	OPENSSL_cleanse(buf, len);
	free(buf);
	ERR_clear_error();
	if (!*pk)
		return say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			   "%s: not an unencrypted PEM or DER private key", path);
	return SEC_E_OK;
}

int32_t kx509_sign(const char *key_path, unsigned int sig_alg,
		   const unsigned char *tbs, size_t tbs_len,
		   unsigned char *sig, size_t *sig_len,
		   char *msg, size_t msglen)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pk = NULL;
	size_t need = 0;
	char why[96];
	int32_t st;

	if (!tbs || !tbs_len || tbs_len > KX509_TBS_MAX || !sig_len)
		return say(msg, msglen, SEC_E_INVALID_PARAMETER,
			   "bad data to sign");
	if (!alg_known(sig_alg))
		return say(msg, msglen, SEC_E_ALGORITHM_MISMATCH,
			   "unknown signature algorithm %u", sig_alg);
	st = load_key(key_path, &pk, msg, msglen);
	if (st != SEC_E_OK)
		return st;
	if (!key_usable(pk, why, sizeof(why))) {
		st = say(msg, msglen, SEC_E_ALGORITHM_MISMATCH, "%s: %s",
			 key_path, why);
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (!md) {
		st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
		goto out;
	}
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, pk) <= 0 ||
	    !alg_setup(pk, sig_alg, pctx)) {
		st = say(msg, msglen, SEC_E_ALGORITHM_MISMATCH,
			 "signature algorithm %u does not fit the %s key",
			 sig_alg, EVP_PKEY_get0_type_name(pk));
		goto out;
	}
	if (EVP_DigestSign(md, NULL, &need, tbs, tbs_len) <= 0) {
		st = say(msg, msglen, SEC_E_INTERNAL_ERROR, "cannot size signature");
		goto out;
	}
	if (!sig || *sig_len < need) {
		*sig_len = need;
		st = say(msg, msglen, SEC_E_BUFFER_TOO_SMALL,
			 "signature needs %zu bytes", need);
		goto out;
	}
	if (EVP_DigestSign(md, sig, sig_len, tbs, tbs_len) <= 0) {
		st = say(msg, msglen, SEC_E_INTERNAL_ERROR, "signing failed");
		goto out;
	}
	st = say(msg, msglen, SEC_E_OK, "signed %zu bytes with %s (%zu-byte signature)",
		 tbs_len, EVP_PKEY_get0_type_name(pk), *sig_len);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return st;
}

int32_t kx509_check_key(const char *key_path, const struct kx509_chain *chain,
			char *msg, size_t msglen)
{
	EVP_PKEY *pk = NULL;
	X509 *leaf;
	int32_t st;

	if (!chain || !chain->n || !chain->der[0])
		return say(msg, msglen, SEC_E_INVALID_PARAMETER, "no chain");
	leaf = parse_der(chain->der[0], chain->len[0]);
	if (!leaf) {
		ERR_clear_error();
		return say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			   "leaf certificate is not valid DER X.509");
	}
	st = load_key(key_path, &pk, msg, msglen);
	if (st == SEC_E_OK && EVP_PKEY_eq(X509_get0_pubkey(leaf), pk) != 1)
		st = say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			 "%s is not the private key of the leaf certificate",
			 key_path);
	else if (st == SEC_E_OK)
		st = say(msg, msglen, SEC_E_OK, "%s matches the leaf", key_path);
	EVP_PKEY_free(pk);
	X509_free(leaf);
	ERR_clear_error();
	return st;
}

void kx509_chain_free(struct kx509_chain *chain)
{
	unsigned int i;

	if (!chain)
		return;
	for (i = 0; i < chain->n && i < KX509_CHAIN_MAX; i++)
		free((void *)chain->der[i]);
	memset(chain, 0, sizeof(*chain));
}

static int chain_add(struct kx509_chain *out, X509 *x, size_t *total)
{
	unsigned char *der = NULL, *copy;
	int n;

	if (out->n == KX509_CHAIN_MAX)
		return -E2BIG;
	n = i2d_X509(x, &der);
	if (n <= 0)
		return -EINVAL;
	if ((size_t)n > KX509_CERT_MAX ||
	    *total + (size_t)n > KX509_CHAIN_BYTES_MAX) {
		OPENSSL_free(der);
		return -E2BIG;
	}
	copy = malloc((size_t)n);
	if (!copy) {
		OPENSSL_free(der);
		return -ENOMEM;
	}
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	out->der[out->n] = copy;
	out->len[out->n++] = (size_t)n;
	*total += (size_t)n;
	return 0;
}

int32_t kx509_load_chain(const char *chain_path, struct kx509_chain *out,
			 char *msg, size_t msglen)
{
	unsigned char *buf = NULL;
	size_t len = 0, total = 0;
	int32_t st = SEC_E_OK;
	BIO *bio = NULL;
	X509 *x;
	int r;

	if (!out)
		return say(msg, msglen, SEC_E_INVALID_PARAMETER, "no output");
	memset(out, 0, sizeof(*out));
	if (!chain_path || !*chain_path)
		return say(msg, msglen, SEC_E_NO_CREDENTIALS, "no chain file");
	r = read_user_file(chain_path, CHAIN_FILE_MAX, &buf, &len);
	if (r == -ENOENT || r == -EACCES || r == -EPERM)
		return say(msg, msglen, SEC_E_NO_CREDENTIALS, "%s: %s",
			   chain_path, strerror(-r));
	if (r == -ENOMEM)
		return say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	if (r)
		return say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			   "%s: not a regular file of at most %d bytes",
			   chain_path, CHAIN_FILE_MAX);
	if (strstr((char *)buf, "-----BEGIN")) {
		bio = BIO_new_mem_buf(buf, (int)len);
		while (bio && (x = PEM_read_bio_X509(bio, NULL, no_password,
						     NULL))) {
			r = chain_add(out, x, &total);
			X509_free(x);
			if (r)
				break;
		}
	} else {
		x = parse_der(buf, len);
		r = x ? chain_add(out, x, &total) : -EINVAL;
		X509_free(x);
	}
	if (r == -ENOMEM)
		st = say(msg, msglen, SEC_E_INSUFFICIENT_MEMORY, "out of memory");
	else if (r == -E2BIG)
		st = say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			 "%s: more than %d certificates or %d bytes", chain_path,
			 KX509_CHAIN_MAX, KX509_CHAIN_BYTES_MAX);
	else if (r || !out->n)
		st = say(msg, msglen, SEC_E_UNKNOWN_CREDENTIALS,
			 "%s: no certificate in it (PEM, or one DER certificate)",
			 chain_path);
	else
		st = say(msg, msglen, SEC_E_OK, "%s: %u certificates",
			 chain_path, out->n);
	if (st != SEC_E_OK)
		kx509_chain_free(out);
	BIO_free(bio);
	free(buf);
	ERR_clear_error();
	return st;
}

int32_t kx509_default_sig_alg(const struct kx509_chain *chain,
			      unsigned int *sig_alg)
{
	X509 *leaf;
	int id;

	if (!chain || !chain->n || !sig_alg)
		return SEC_E_INVALID_PARAMETER;
	leaf = parse_der(chain->der[0], chain->len[0]);
	if (!leaf) {
		ERR_clear_error();
		return SEC_E_UNKNOWN_CREDENTIALS;
	}
	id = X509_get0_pubkey(leaf) ?
	     EVP_PKEY_get_base_id(X509_get0_pubkey(leaf)) : 0;
	X509_free(leaf);
	switch (id) {
	case EVP_PKEY_RSA:
		*sig_alg = KX509_SIG_RSA_PKCS1_SHA256;
		return SEC_E_OK;
	case EVP_PKEY_RSA_PSS:
		*sig_alg = KX509_SIG_RSA_PSS_SHA256;
		return SEC_E_OK;
	case EVP_PKEY_EC:
		*sig_alg = KX509_SIG_ECDSA_SHA256;
		return SEC_E_OK;
	}
	return SEC_E_ALGORITHM_MISMATCH;
}
