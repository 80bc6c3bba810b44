// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: certificate logon input (helper/upcall/x509.c,
 * kx509_logon()) -- DER certificates as the peer sends them, validated by
 * OpenSSL against a fixed test anchor, then mapped -- and the extraction
 * of names from any certificate that parses (certmap_cert_from_x509()).
 *
 * Input: one flags byte (bit 0: possession proven; bits 1-2: sig_alg),
 * then up to 16 times [2-byte big-endian length][DER certificate]; what
 * is left is the challenge (first half) and the signature (second half).
 * The seeds (selftests/fuzz/corpus/x509_chain) are a leaf of the anchor
 * below, alone and with the anchor, so the fuzzer starts from chains that
 * validate and map.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "certmap.h"
#include "config.h"
#include "x509.h"

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "x509 broke a rule: %s\n", #cond);	\
		abort();						\
	}								\
} while (0)

/* P-256 root, "O=ksspi fuzz, CN=fuzz root", valid until 2126. */
static const char anchor[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBuTCCAV+gAwIBAgIUCKZM3COTgz/5ZSpMKmL6eRgXMOIwCgYIKoZIzj0EAwIw\n"
	"KTETMBEGA1UECgwKa3NzcGkgZnV6ejESMBAGA1UEAwwJZnV6eiByb290MCAXDTI2\n"
	"MTEyMzE0MDg0OVoYDzIxMjYxMDMwMTQwODQ5WjApMRMwEQYDVQQKDAprc3NwaSBm\n"
	"dXp6MRIwEAYDVQQDDAlmdXp6IHJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
	"AATxCEGx4iq5FcEgQcGGVowcr9OBtSCDOtEVW17rq7bDlhUErk6y3bSbfxVhBjAL\n"
	"i7St+F6xJxEFlIDZPBjgiil1o2MwYTAdBgNVHQ4EFgQUwH2wCRbWT2o40uIdRdC7\n"
	"aUh8/cIwHwYDVR0jBBgwFoAUwH2wCRbWT2o40uIdRdC7aUh8/cIwDwYDVR0TAQH/\n"
	"BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDSAAwRQIgEoHCiIy5\n"
	"W89NgmwyxD0uMKrD4KlACcqs5W2F56SzfgoCIQDRo8h1EtPk4tcgJxFL8Qz2dtNi\n"
	"b1MVTVMv1MH0K8GSmw==\n"
	"-----END CERTIFICATE-----\n"
	;

static const char rules[] =
	"[upn]\nmatch = <SAN:upn>@KSSPI\\.TEST$ && <EKU>clientAuth\nmap = nobody\n"
	"[cn]\nmatch = <SUBJECT>^CN=\nmap = {subject_cn:lower}\n";

static char dir[] = "/tmp/ksspi-x509-fuzz-XXXXXX";
static struct kup_config cfg;

static void cleanup(void)
{
	unlink(cfg.x509_ca);
	unlink(cfg.x509_rules);
	rmdir(dir);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	kup_config_defaults(&cfg);
	cfg.file_owner = getuid();
	cfg.x509_max_chain = 16;
	snprintf(cfg.x509_ca, sizeof(cfg.x509_ca), "%s/ca.pem", dir);
	snprintf(cfg.x509_rules, sizeof(cfg.x509_rules), "%s/rules", dir);
	if (write_file(cfg.x509_ca, anchor) || write_file(cfg.x509_rules, rules))
		abort();
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kx509_logon_out out;
	struct kx509_logon_in in;
	struct certmap_cert facts;
	const unsigned char *p;
	char msg[1024];
	size_t off = 1, len, rest;
	unsigned int i;
	int32_t st;
	X509 *x;

	if (size < 1)
		return 0;
	memset(&in, 0, sizeof(in));
	in.possession_proven = data[0] & 1;
	in.sig_alg = (data[0] >> 1) & 3;
	while (in.chain.n < KX509_CHAIN_MAX && off + 2 <= size) {
		len = (size_t)data[off] << 8 | data[off + 1];
		if (!len || off + 2 + len > size)
			break;
		in.chain.der[in.chain.n] = data + off + 2;
		in.chain.len[in.chain.n++] = len;
		off += 2 + len;
	}
	rest = size - off;
	in.tbs = data + off;
	in.tbs_len = rest / 2;
	in.sig = data + off + rest / 2;
	in.sig_len = rest - rest / 2;

	for (i = 0; i < in.chain.n; i++) {
		p = in.chain.der[i];
		x = d2i_X509(NULL, &p, (long)in.chain.len[i]);
		if (x && !certmap_cert_from_x509(x, &facts)) {
			RULE(memchr(facts.subject, 0, sizeof(facts.subject)));
			RULE(facts.n_upn <= CERTMAP_VALUES_MAX);
		}
		X509_free(x);
	}

	memset(msg, 'x', sizeof(msg));
	st = kx509_logon(&cfg, &in, &out, msg, sizeof(msg));
	RULE(memchr(msg, 0, sizeof(msg)));
	if (st == SEC_E_OK) {
		RULE(out.account[0]);
		RULE(out.uid != 0 && out.gid != 0);
		RULE(out.strength == KX509_WEAK);
		RULE(in.chain.n >= 1);
	} else {
		RULE(st < 0);
		RULE(!out.groups && !out.account[0]);
	}
	kx509_logon_out_free(&out);
	return 0;
}
