// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall --x509-map: test a certificate against the configured
 * trust anchors, CRLs and mapping rules without the kernel, and print
 * what the rules can match on (with ready-to-paste strong "bind" lines).
 *
 *   ksspi-upcall --x509-map [-c upcall.conf] [--key KEY] [--repeat N] CHAIN.pem
 *
 * Without --key the proof of possession is skipped (as for a peer the
 * kernel already verified); with it, a challenge is signed with KEY and
 * checked, like a real logon.  --repeat N runs the logon N more times
 * and prints logons per second (the helper's share of a certificate
 * logon, files read and parsed every time as in the real upcall).  Exit 0 when the certificate maps to an
 * account, 1 when it does not, 2 on a usage error.
 */
#include <getopt.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "certmap.h"
#include "config.h"
#include "status.h"
#include "x509.h"
#include "x509_debug.h"

static void print_facts(const struct certmap_cert *c)
{
	unsigned int i;

	printf("subject:      %s\n", c->subject);
	printf("issuer:       %s\n", c->issuer);
	printf("serial:       %s\n", c->serial);
	for (i = 0; i < c->n_upn; i++)
		printf("SAN upn:      %s\n", c->upn[i]);
	for (i = 0; i < c->n_rfc822; i++)
		printf("SAN rfc822:   %s\n", c->rfc822[i]);
	for (i = 0; i < c->n_dns; i++)
		printf("SAN dNSName:  %s\n", c->dns[i]);
	for (i = 0; i < c->n_uri; i++)
		printf("SAN URI:      %s\n", c->uri[i]);
	for (i = 0; i < c->n_eku; i++)
		printf("EKU:          %s\n", c->eku[i]);
	if (c->has_ku)
		printf("KU bits:      %#x\n", c->ku);
	printf("strong bindings for this certificate (x509_rules \"bind =\"):\n");
	printf("  bind = issuer-serial:%s:%s\n", c->serial, c->issuer);
	if (c->ski[0])
		printf("  bind = ski:%s\n", c->ski);
	printf("  bind = sha256-pukey:%s\n", c->pukey_sha256);
}

int kx509_debug_map(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config_path = KUP_CONFIG_PATH, *key = NULL;
	unsigned char tbs[64], sig[KX509_SIG_MAX];
	struct kx509_logon_out out = { 0 };
	struct kx509_logon_in in = { 0 };
	struct kx509_chain chain;
	struct certmap_cert facts;
	struct kup_config cfg;
	size_t siglen = sizeof(sig);
	const unsigned char *p;
	char msg[2048], err[512];
	int32_t st;
	unsigned long repeat = 0, r;
	struct timespec t0, t1, c0, c1;
	int opt, i;
	double s, cpu;
	X509 *x;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:k:n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			repeat = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: ksspi-upcall --x509-map [-c upcall.conf] [--key KEY] [--repeat N] CHAIN.pem\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: ksspi-upcall --x509-map [-c upcall.conf] [--key KEY] [--repeat N] CHAIN.pem\n");
		return 2;
	}
	if (kup_config_load(config_path, getuid(), &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", config_path, err);
		return 1;
	}
	st = kx509_load_chain(argv[optind], &chain, msg, sizeof(msg));
	if (st != SEC_E_OK) {
		printf("chain:        %s (%#x): %s\n", kup_status_name(st),
		       (unsigned int)st, msg);
		return 1;
	}
	printf("chain:        %u certificate(s) from %s\n", chain.n, argv[optind]);
	p = chain.der[0];
	x = d2i_X509(NULL, &p, (long)chain.len[0]);
	if (x && !certmap_cert_from_x509(x, &facts))
		print_facts(&facts);
	X509_free(x);

	in.chain = chain;
	if (key) {
		st = kx509_check_key(key, &chain, msg, sizeof(msg));
		printf("key:          %s: %s\n", kup_status_name(st), msg);
		if (RAND_bytes(tbs, sizeof(tbs)) != 1 ||
		    kx509_default_sig_alg(&chain, &in.sig_alg) != SEC_E_OK)
			in.sig_alg = 0;
		st = kx509_sign(key, in.sig_alg, tbs, sizeof(tbs), sig, &siglen,
				msg, sizeof(msg));
		printf("sign:         %s: %s\n", kup_status_name(st), msg);
		in.tbs = tbs;
		in.tbs_len = sizeof(tbs);
		in.sig = sig;
		in.sig_len = siglen;
	} else {
		in.possession_proven = 1;
		printf("possession:   not checked (no --key)\n");
	}
	st = kx509_logon(&cfg, &in, &out, msg, sizeof(msg));
	printf("result:       %s (%#x): %s\n", kup_status_name(st),
	       (unsigned int)st, msg);
	if (st == SEC_E_OK) {
		printf("account:      %s uid %u gid %u\n", out.account,
		       (unsigned int)out.uid, (unsigned int)out.gid);
		printf("groups:      ");
		for (i = 0; i < out.ngroups; i++)
			printf(" %u", (unsigned int)out.groups[i]);
		printf("\nrule:         %s\nstrength:     %s\n", out.rule,
		       out.strength == KX509_STRONG ? "strong" : "weak");
	}
	if (repeat) {
		struct kx509_logon_out o2;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		for (r = 0; r < repeat; r++) {
			kx509_logon(&cfg, &in, &o2, msg, sizeof(msg));
			kx509_logon_out_free(&o2);
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		cpu = (double)(c1.tv_sec - c0.tv_sec) +
		      (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
		/* CPU time too: on a busy machine wall time says little */
		printf("repeat:       %lu logons in %.3f s (%.3f s CPU): %.0f logons/s wall, %.0f per CPU second, %.1f us CPU each\n",
		       repeat, s, cpu, s > 0 ? (double)repeat / s : 0.0,
		       cpu > 0 ? (double)repeat / cpu : 0.0,
		       cpu * 1e6 / (double)repeat);
	}
	kx509_logon_out_free(&out);
	kx509_chain_free(&chain);
	return st == SEC_E_OK ? 0 : 1;
}
