// SPDX-License-Identifier: GPL-2.0
/*
 * x509_floor: the floor of a certificate logon, in one user-space process
 * with libcrypto (run by selftests/bench/x509-bench):
 *
 *   ksspi-x509-floor CA_BUNDLE CRL CHAIN KEY SECONDS MAX
 *
 * Each iteration verifies CHAIN (leaf first, PEM) against CA_BUNDLE with
 * the CRLs of CRL (X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL, purpose
 * sslclient) with X509_verify_cert, then verifies one signature over a
 * 164-byte to-be-signed blob with the leaf's public key: what `openssl
 * verify` and a signature check cost without processes, upcalls or the
 * kernel.  The signature is made once with KEY before the loop; the cost
 * of making it (the initiator's share) is timed separately.  Prints
 * "key value" lines; fails only on an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#define TBS_LEN		164

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "x509-floor: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int verify_once(X509_STORE *store, X509 *leaf,
		       STACK_OF(X509) *untrusted, EVP_PKEY *pub,
		       const unsigned char *tbs, const unsigned char *sig,
		       size_t siglen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = ctx && md &&
	     X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1 &&
	     X509_verify_cert(ctx) == 1 &&
	     EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
	     EVP_DigestVerify(md, sig, siglen, tbs, TBS_LEN) == 1;
	if (!ok && ctx)
		fprintf(stderr, "x509-floor: %s\n",
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	EVP_MD_CTX_free(md);
	X509_STORE_CTX_free(ctx);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned char tbs[TBS_LEN], sig[1024];
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	double secs, t0, c0, wall, cpu;
	EVP_MD_CTX *md;
	EVP_PKEY *key;
	size_t siglen;
	X509 *leaf, *x;
	long max, n, nsign;
	FILE *f;

	if (argc != 7) {
		fprintf(stderr,
			"usage: %s CA_BUNDLE CRL CHAIN KEY SECONDS MAX\n",
			argv[0]);
		return 2;
	}
	secs = strtod(argv[5], NULL);
	max = strtol(argv[6], NULL, 10);
	if (!store || !untrusted ||
	    X509_STORE_load_file(store, argv[1]) != 1 ||
	    X509_STORE_load_file(store, argv[2]) != 1)
		die("cannot load the CA bundle or the CRL");
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK |
				    X509_V_FLAG_CRL_CHECK_ALL);
	X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT);

	f = fopen(argv[3], "re");
	if (!f)
		die("cannot open the chain");
	leaf = PEM_read_X509(f, NULL, NULL, NULL);
	if (!leaf)
		die("no leaf");
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
		sk_X509_push(untrusted, x);
	fclose(f);
	ERR_clear_error();
	f = fopen(argv[4], "re");
	key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!key)
		die("cannot read the key");
	if (RAND_bytes(tbs, sizeof(tbs)) != 1)
		die("RAND_bytes");

	/* the initiator's share: one signature per logon */
	md = EVP_MD_CTX_new();
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_s(CLOCK_MONOTONIC);
	for (nsign = 0; nsign < max &&
	     (nsign == 0 || now_s(CLOCK_MONOTONIC) - t0 < secs / 4); nsign++) {
		siglen = sizeof(sig);
		if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
		    EVP_DigestSign(md, sig, &siglen, tbs, sizeof(tbs)) != 1)
			die("sign");
	}
	cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	EVP_MD_CTX_free(md);
	printf("sign_cpu_us %.1f\n", cpu * 1e6 / (double)nsign);

	if (!verify_once(store, leaf, untrusted, X509_get0_pubkey(leaf), tbs,
			 sig, siglen))
		die("the chain or the signature does not verify");
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_s(CLOCK_MONOTONIC);
	for (n = 0; n < max && (n == 0 || now_s(CLOCK_MONOTONIC) - t0 < secs);
	     n++)
		if (!verify_once(store, leaf, untrusted, X509_get0_pubkey(leaf),
				 tbs, sig, siglen))
			die("verify");
	wall = now_s(CLOCK_MONOTONIC) - t0;
	cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("verifies %ld\n", n);
	printf("verifies_per_s %.1f\n", (double)n / wall);
	printf("verify_us %.1f\n", wall * 1e6 / (double)n);
	printf("verify_cpu_us %.1f\n", cpu * 1e6 / (double)n);

	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_free(store);
	return 0;
}
