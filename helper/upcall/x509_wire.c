// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: the x509 operations of the wire.  Turns the request's
 * items into the structures of x509.h and the results into a kup_result;
 * the certificate logic itself (OpenSSL) is x509.c and certmap.c.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "x509.h"
#include "x509_wire.h"

/*
 * Splits DER certificates back to back into @chain (pointers into @b).
 * OpenSSL decodes each one, which also finds where it ends.
 */
static int split_chain(const struct kup_bytes *b, struct kx509_chain *chain)
{
	const unsigned char *p = b->data, *end = b->data + b->len;

	memset(chain, 0, sizeof(*chain));
	while (p < end) {
		const unsigned char *start = p;
		X509 *x;

		if (chain->n == KX509_CHAIN_MAX)
			return -1;
		x = d2i_X509(NULL, &p, end - p);
		if (!x)
			return -1;
		X509_free(x);
		chain->der[chain->n] = start;
		chain->len[chain->n] = p - start;
		chain->n++;
	}
	return chain->n ? 0 : -1;
}

/* The leaf's subject, RFC 2253 with everything non-ASCII escaped. */
static char *leaf_subject(const struct kx509_chain *chain)
{
	const unsigned char *p = chain->der[0];
	unsigned long flags = XN_FLAG_RFC2253;
	char *s = NULL, *data;
	X509 *x;
	BIO *bio;
	long n, i;

	x = d2i_X509(NULL, &p, chain->len[0]);
	if (!x)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
				      flags) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0 && n <= KSSPI_NAME_MAX) {
			s = strndup(data, n);
			for (i = 0; s && i < n; i++)
				if (s[i] < 0x20 || s[i] > 0x7e)
					s[i] = '?';
		}
	}
	BIO_free(bio);
	X509_free(x);
	return s;
}

/* The chain as DER back to back, for the response. */
static int join_chain(const struct kx509_chain *chain, struct kup_result *res)
{
	size_t total = 0, off = 0;
	unsigned int i;

	for (i = 0; i < chain->n; i++)
		total += chain->len[i];
	if (!total || total > KSSPI_UPCALL_X509_CHAIN_MAX)
		return -1;
	res->x509_certs = malloc(total);
	if (!res->x509_certs)
		return -1;
	for (i = 0; i < chain->n; i++) {
		memcpy(res->x509_certs + off, chain->der[i], chain->len[i]);
		off += chain->len[i];
	}
	res->x509_certs_len = total;
	return 0;
}

void kup_x509_chain(const struct kup_work *w, struct kup_result *res)
{
	const struct kup_request *req = w->req;
	struct kx509_chain chain;
	unsigned int alg = 0;
	char msg[256] = "";
	int loaded = 0;
	int32_t st;

	if (req->x509_chain_path) {
		st = kx509_load_chain(req->x509_chain_path, &chain, msg,
				      sizeof(msg));
		if (st != SEC_E_OK)
			goto out;
		loaded = 1;
	} else if (split_chain(&req->x509_certs, &chain)) {
		st = SEC_E_UNKNOWN_CREDENTIALS;
		snprintf(msg, sizeof(msg), "certificates do not decode");
		goto out;
	}
	if (req->x509_key_path) {
		st = kx509_check_key(req->x509_key_path, &chain, msg,
				     sizeof(msg));
		if (st != SEC_E_OK)
			goto out;
	}
	st = kx509_default_sig_alg(&chain, &alg);
	if (st != SEC_E_OK) {
		snprintf(msg, sizeof(msg), "no signature algorithm for the leaf's key");
		goto out;
	}
	res->client_name = leaf_subject(&chain);
	if (!res->client_name ||
	    (loaded && join_chain(&chain, res))) {
		st = SEC_E_UNKNOWN_CREDENTIALS;
		snprintf(msg, sizeof(msg), "chain too large or subject unprintable");
		goto out;
	}
	res->x509_sig_alg = alg;
out:
	if (loaded)
		kx509_chain_free(&chain);
	res->status = st;
	if (st != SEC_E_OK)
		kup_result_msg(res, "%s", msg[0] ? msg : "x509 chain refused");
}

void kup_x509_sign(const struct kup_work *w, struct kup_result *res)
{
	const struct kup_request *req = w->req;
	unsigned char sig[KX509_SIG_MAX];
	size_t sig_len = sizeof(sig);
	char msg[256] = "";
	int32_t st;

	st = kx509_sign(req->x509_key_path, req->x509_sig_alg,
			req->x509_tbs.data, req->x509_tbs.len, sig, &sig_len,
			msg, sizeof(msg));
	if (st == SEC_E_OK && (!sig_len || sig_len > KSSPI_UPCALL_X509_SIG_MAX))
		st = SEC_E_INTERNAL_ERROR;
	if (st == SEC_E_OK) {
		res->x509_sig = malloc(sig_len);
		if (!res->x509_sig) {
			st = SEC_E_INSUFFICIENT_MEMORY;
		} else {
			memcpy(res->x509_sig, sig, sig_len);
			res->x509_sig_len = sig_len;
		}
	}
	res->status = st;
	if (st != SEC_E_OK)
		kup_result_msg(res, "%s", msg[0] ? msg : "x509 signing failed");
}

void kup_x509_accept(const struct kup_work *w, struct kup_result *res)
{
	const struct kup_request *req = w->req;
	struct kx509_logon_out out;
	struct kx509_logon_in in;
	char msg[256] = "";
	int32_t st;
	int i;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (split_chain(&req->x509_certs, &in.chain)) {
		res->status = SEC_E_CERT_UNKNOWN;
		kup_result_msg(res, "certificates do not decode");
		return;
	}
	in.tbs = req->x509_tbs.data;
	in.tbs_len = req->x509_tbs.len;
	in.sig = req->x509_sig.data;
	in.sig_len = req->x509_sig.len;
	in.sig_alg = req->x509_sig_alg;
	in.possession_proven = req->x509_proven;

	st = kx509_logon(w->cfg, &in, &out, msg, sizeof(msg));
	if (st == SEC_E_OK) {
		res->uid = out.uid;
		res->gid = out.gid;
		res->level = SECURITY_IMPERSONATION;
		res->x509_strength = out.strength;
		res->client_name = strdup(out.subject);
		res->local_name = strdup(out.account);
		if (out.ngroups > 0) {
			res->groups = calloc(out.ngroups, sizeof(gid_t));
			if (res->groups) {
				for (i = 0; i < out.ngroups; i++)
					res->groups[i] = out.groups[i];
				res->ngroups = out.ngroups;
			}
		}
		if (!res->client_name || !res->local_name ||
		    (out.ngroups > 0 && !res->groups) ||
		    (out.strength != KX509_WEAK &&
		     out.strength != KX509_STRONG)) {
			st = SEC_E_INSUFFICIENT_MEMORY;
			res->uid = (uint32_t)-1;
			res->gid = (uint32_t)-1;
			res->level = 0;
			res->x509_strength = 0;
			free(res->groups);
			res->groups = NULL;
			res->ngroups = 0;
			free(res->client_name);
			free(res->local_name);
			res->client_name = NULL;
			res->local_name = NULL;
		}
	}
	kx509_logon_out_free(&out);
	res->status = st;
	if (st != SEC_E_OK)
		kup_result_msg(res, "%s", msg[0] ? msg : "x509 logon refused");
}
