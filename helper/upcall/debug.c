// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: --make-request and --show-response.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/ksspi.h>

#include "debug.h"
#include "proto.h"
#include "state.h"
#include "status.h"

#define FILE_MAX	(1u << 20)

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0, r;
	uint8_t *buf;

	if (!f) {
		fprintf(stderr, "ksspi-upcall: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			uint8_t *nb = cap < FILE_MAX ? realloc(buf, cap * 2) :
						       NULL;

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (f != stdin)
		fclose(f);
	if (!buf) {
		fprintf(stderr, "ksspi-upcall: %s: too large\n", path);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* One item of a response file (binary response). */
static int response_item(const char *path, uint16_t type, uint8_t **file,
			 const uint8_t **data, uint32_t *len)
{
	struct kup_response resp;
	char err[128];
	size_t n;

	if (read_file(path, file, &n))
		return -1;
	if (kup_response_decode(*file, n, &resp, err, sizeof(err))) {
		fprintf(stderr, "ksspi-upcall: %s: %s\n", path, err);
		return -1;
	}
	if (!(resp.items_seen & (1u << type))) {
		fprintf(stderr, "ksspi-upcall: %s has no item %u\n", path,
			type);
		return -1;
	}
	*data = resp.items[type].data;
	*len = resp.items[type].len;
	return 0;
}

static const struct {
	const char *name;
	uint32_t isc, asc;
} flag_names[] = {
	{ "delegate", ISC_REQ_DELEGATE, ASC_REQ_DELEGATE },
	{ "mutual", ISC_REQ_MUTUAL_AUTH, ASC_REQ_MUTUAL_AUTH },
	{ "replay", ISC_REQ_REPLAY_DETECT, ASC_REQ_REPLAY_DETECT },
	{ "sequence", ISC_REQ_SEQUENCE_DETECT, ASC_REQ_SEQUENCE_DETECT },
	{ "conf", ISC_REQ_CONFIDENTIALITY, ASC_REQ_CONFIDENTIALITY },
	{ "integ", ISC_REQ_INTEGRITY, ASC_REQ_INTEGRITY },
	{ "identify", ISC_REQ_IDENTIFY, ASC_REQ_IDENTIFY },
	{ "connection", ISC_REQ_CONNECTION, ASC_REQ_CONNECTION },
};

static int parse_flags(const char *s, int accept, uint32_t *out)
{
	char *copy = strdup(s), *tok, *save = NULL, *end;
	size_t i;
	int ret = 0;

	*out = 0;
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]);
		     i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i < sizeof(flag_names) / sizeof(flag_names[0])) {
			*out |= accept ? flag_names[i].asc : flag_names[i].isc;
			continue;
		}
		errno = 0;
		*out |= (uint32_t)strtoul(tok, &end, 0);
		if (errno || *end) {
			ret = -1;
			break;
		}
	}
	free(copy);
	return ret;
}

static void make_usage(void)
{
	fprintf(stderr,
		"usage: ksspi-upcall --make-request acquire|initiate|accept|donor\n"
		"  [-p kerberos|negotiate] [--use in|out|both] [--flags mutual,delegate,...|0xN]\n"
		"  [--target NAME] [--principal P] [--ccache NAME] [--keytab NAME]\n"
		"  [--input FILE | --input-from RESPONSE] [--state-from RESPONSE] [--leg N]\n"
		"  [--ccache-data FILE | --delegated-from RESPONSE] [--kernel]\n"
		"  [--uid N] [--gid N] [--no-groups] [--id N] [--context N] [--lucid] [--raw]\n");
}

int kup_debug_make_request(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "package", required_argument, NULL, 'p' },
		{ "use", required_argument, NULL, 'u' },
		{ "flags", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "principal", required_argument, NULL, 'P' },
		{ "ccache", required_argument, NULL, 'C' },
		{ "keytab", required_argument, NULL, 'K' },
		{ "input", required_argument, NULL, 'i' },
		{ "input-from", required_argument, NULL, 'I' },
		{ "state-from", required_argument, NULL, 'S' },
		{ "leg", required_argument, NULL, 'l' },
		{ "ccache-data", required_argument, NULL, 'd' },
		{ "delegated-from", required_argument, NULL, 'G' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "uid", required_argument, NULL, 'U' },
		{ "gid", required_argument, NULL, 'g' },
		{ "no-groups", no_argument, NULL, 'n' },
		{ "id", required_argument, NULL, 'x' },
		{ "context", required_argument, NULL, 'c' },
		{ "raw", no_argument, NULL, 'r' },
		{ "lucid", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct ksspi_upcall_request r = { 0 };
	struct kup_msg m;
	const char *flags = NULL, *use = NULL, *target = NULL;
	const char *principal = NULL, *ccache = NULL, *keytab = NULL;
	const char *input = NULL, *input_from = NULL, *state_from = NULL;
	const char *ccdata = NULL, *deleg_from = NULL;
	uint8_t *f1 = NULL, *f2 = NULL, *f3 = NULL;
	const uint8_t *in = NULL, *st = NULL, *cd = NULL;
	uint32_t inlen = 0, stlen = 0, cdlen = 0;
	size_t n;
	long leg = -1;
	int opt, groups = 1, raw = 0, ret = 2, ng;
	gid_t gl[256];
	char *b64;

	optind = 1;
	if (argc < 2) {
		make_usage();
		return 2;
	}
	if (!strcmp(argv[1], "acquire"))
		r.hdr.op = KSSPI_UPCALL_ACQUIRE;
	else if (!strcmp(argv[1], "initiate"))
		r.hdr.op = KSSPI_UPCALL_INITIATE;
	else if (!strcmp(argv[1], "accept"))
		r.hdr.op = KSSPI_UPCALL_ACCEPT;
	else if (!strcmp(argv[1], "donor"))
		r.hdr.op = KSSPI_UPCALL_DONOR;
	else {
		make_usage();
		return 2;
	}
	r.package_id = r.hdr.op == KSSPI_UPCALL_DONOR ? 0 :
		       KSSPI_PACKAGE_KERBEROS;
	r.uid = getuid();
	r.gid = getgid();
	r.id = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	r.context_id = r.hdr.op == KSSPI_UPCALL_INITIATE ||
		       r.hdr.op == KSSPI_UPCALL_ACCEPT;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!strcmp(optarg, "kerberos"))
				r.package_id = KSSPI_PACKAGE_KERBEROS;
			else if (!strcmp(optarg, "negotiate"))
				r.package_id = KSSPI_PACKAGE_NEGOTIATE;
			else
				r.package_id = (uint32_t)strtoul(optarg, NULL,
								 0);
			break;
		case 'u': use = optarg; break;
		case 'f': flags = optarg; break;
		case 't': target = optarg; break;
		case 'P': principal = optarg; break;
		case 'C': ccache = optarg; break;
		case 'K': keytab = optarg; break;
		case 'i': input = optarg; break;
		case 'I': input_from = optarg; break;
		case 'S': state_from = optarg; break;
		case 'l': leg = strtol(optarg, NULL, 0); break;
		case 'd': ccdata = optarg; break;
		case 'G': deleg_from = optarg; break;
		case 'k': r.hdr.flags |= KSSPI_UPCALL_F_KERNEL; break;
		case 'L': r.hdr.flags |= KSSPI_UPCALL_F_LUCID; break;
		case 'U': r.uid = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'g': r.gid = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'n': groups = 0; break;
		case 'x': r.id = strtoull(optarg, NULL, 0); break;
		case 'c': r.context_id = strtoull(optarg, NULL, 0); break;
		case 'r': raw = 1; break;
		default:
			make_usage();
			return 2;
		}
	}
	if (optind != argc) {
		make_usage();
		return 2;
	}
	if (r.hdr.op != KSSPI_UPCALL_DONOR) {
		r.cred_use = r.hdr.op == KSSPI_UPCALL_ACCEPT ?
			SECPKG_CRED_INBOUND : r.hdr.op == KSSPI_UPCALL_INITIATE ?
			SECPKG_CRED_OUTBOUND : SECPKG_CRED_BOTH;
		if (use && !strcmp(use, "in"))
			r.cred_use = SECPKG_CRED_INBOUND;
		else if (use && !strcmp(use, "out"))
			r.cred_use = SECPKG_CRED_OUTBOUND;
		else if (use && !strcmp(use, "both"))
			r.cred_use = SECPKG_CRED_BOTH;
		else if (use)
			r.cred_use = (uint32_t)strtoul(use, NULL, 0);
	}
	if (flags && parse_flags(flags, r.hdr.op == KSSPI_UPCALL_ACCEPT,
				 &r.req_flags)) {
		fprintf(stderr, "ksspi-upcall: bad --flags\n");
		return 2;
	}
	if (input && read_file(input, &f1, &n) == 0) {
		in = f1;
		inlen = (uint32_t)n;
	} else if (input) {
		goto out;
	}
	if (input_from && response_item(input_from, KSSPI_UPCALL_OUTPUT, &f1,
					&in, &inlen))
		goto out;
	if (state_from) {
		struct kup_state s;

		if (response_item(state_from, KSSPI_UPCALL_STATE, &f2, &st,
				  &stlen))
			goto out;
		if (leg < 0 && !kup_state_unpack(st, stlen, &s))
			leg = s.next_leg;
	}
	if (ccdata && read_file(ccdata, &f3, &n) == 0) {
		cd = f3;
		cdlen = (uint32_t)n;
	} else if (ccdata) {
		goto out;
	}
	if (deleg_from && response_item(deleg_from, KSSPI_UPCALL_DELEGATED,
					&f3, &cd, &cdlen))
		goto out;
	r.leg = leg < 0 ? 0 : (uint32_t)leg;
	r.now = time(NULL);

	kup_msg_init(&m, sizeof(r));
	if (groups && r.uid == getuid()) {
		ng = getgroups(sizeof(gl) / sizeof(gl[0]), gl);
		if (ng >= 0) {
			uint32_t g32[256];
			int i;

			for (i = 0; i < ng; i++)
				g32[i] = gl[i];
			kup_msg_item(&m, KSSPI_UPCALL_GROUPS, g32,
				     (size_t)ng * 4);
		}
	}
#define STR(t, s) do { if (s) kup_msg_item(&m, t, s, strlen(s)); } while (0)
	STR(KSSPI_UPCALL_TARGET, target);
	STR(KSSPI_UPCALL_PRINCIPAL, principal);
	STR(KSSPI_UPCALL_CCACHE, ccache);
	STR(KSSPI_UPCALL_KEYTAB, keytab);
#undef STR
	if (in)
		kup_msg_item(&m, KSSPI_UPCALL_INPUT, in, inlen);
	if (st)
		kup_msg_item(&m, KSSPI_UPCALL_STATE, st, stlen);
	if (cd)
		kup_msg_item(&m, KSSPI_UPCALL_CCACHE_DATA, cd, cdlen);
	if (!m.failed)
		memcpy(m.buf + sizeof(r.hdr), (uint8_t *)&r + sizeof(r.hdr),
		       sizeof(r) - sizeof(r.hdr));
	if (kup_msg_finish(&m, r.hdr.op, r.hdr.flags)) {
		fprintf(stderr, "ksspi-upcall: request too large\n");
		kup_msg_free(&m);
		goto out;
	}
	if (raw) {
		ret = fwrite(m.buf, 1, m.len, stdout) == m.len ? 0 : 1;
	} else {
		b64 = kup_base64_encode(m.buf, m.len);
		ret = b64 && printf("%s\n", b64) > 0 ? 0 : 1;
		free(b64);
	}
	kup_msg_free(&m);
out:
	free(f1);
	free(f2);
	free(f3);
	return ret;
}

static void print_string(FILE *f, const char *key, const struct kup_bytes *b)
{
	if (b->data)
		fprintf(f, "%s=%.*s\n", key, (int)b->len, (const char *)b->data);
}

int kup_debug_print_response(FILE *f, const uint8_t *msg, size_t len)
{
	struct kup_response r;
	char err[128];
	uint32_t i, g;

	if (kup_response_decode(msg, len, &r, err, sizeof(err))) {
		fprintf(stderr, "ksspi-upcall: bad response: %s\n", err);
		return 1;
	}
	fprintf(f, "op=%s\nid=0x%llx\nstatus=%s\nstatus_hex=0x%08x\n",
		kup_op_name(r.hdr.hdr.op), (unsigned long long)r.hdr.id,
		kup_status_name(r.hdr.status), (unsigned int)r.hdr.status);
	fprintf(f, "ret_flags=0x%x\ngss_major=0x%x\ngss_minor=%d\n",
		r.hdr.ret_flags, r.hdr.gss_major, (int)r.hdr.gss_minor);
	fprintf(f, "expiry=%lld\nuid=%d\ngid=%d\nlevel=%u\nenctype=%u\n",
		(long long)r.hdr.expiry, (int)r.hdr.uid, (int)r.hdr.gid,
		r.hdr.level, r.hdr.enctype);
	if (r.items[KSSPI_UPCALL_GROUPS].data) {
		fprintf(f, "groups=");
		for (i = 0; i < r.items[KSSPI_UPCALL_GROUPS].len / 4; i++) {
			memcpy(&g, r.items[KSSPI_UPCALL_GROUPS].data + 4 * i,
			       4);
			fprintf(f, "%s%u", i ? "," : "", g);
		}
		fprintf(f, "\n");
	}
	print_string(f, "client_name", &r.items[KSSPI_UPCALL_CLIENT_NAME]);
	print_string(f, "server_name", &r.items[KSSPI_UPCALL_SERVER_NAME]);
	print_string(f, "local_name", &r.items[KSSPI_UPCALL_LOCAL_NAME]);
	print_string(f, "message", &r.items[KSSPI_UPCALL_MESSAGE]);
	if (r.items[KSSPI_UPCALL_LUCID].data) {
		struct ksspi_upcall_lucid l;

		memcpy(&l, r.items[KSSPI_UPCALL_LUCID].data, sizeof(l));
		fprintf(f, "lucid_protocol=%u\nlucid_flags=0x%x\nsend_seq=%llu\nrecv_seq=%llu\n",
			l.protocol, l.flags, (unsigned long long)l.send_seq,
			(unsigned long long)l.recv_seq);
	}
	fprintf(f, "output_len=%u\nstate_len=%u\nsession_key_len=%u\ndelegated_len=%u\n",
		r.items[KSSPI_UPCALL_OUTPUT].len,
		r.items[KSSPI_UPCALL_STATE].len,
		r.items[KSSPI_UPCALL_SESSION_KEY].len,
		r.items[KSSPI_UPCALL_DELEGATED].len);
	return 0;
}

int kup_debug_show_response(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "extract", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *extract = NULL, *path = "-";
	struct kup_response r;
	uint8_t *buf = NULL;
	char err[128];
	size_t len;
	int opt, ret = 1, type;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "e:", opts, NULL)) != -1) {
		if (opt != 'e') {
			fprintf(stderr, "usage: ksspi-upcall --show-response [--extract output|state|delegated|session-key] [FILE]\n");
			return 2;
		}
		extract = optarg;
	}
	if (optind < argc)
		path = argv[optind];
	if (read_file(path, &buf, &len))
		return 1;
	if (!extract) {
		ret = kup_debug_print_response(stdout, buf, len);
		goto out;
	}
	if (!strcmp(extract, "output"))
		type = KSSPI_UPCALL_OUTPUT;
	else if (!strcmp(extract, "state"))
		type = KSSPI_UPCALL_STATE;
	else if (!strcmp(extract, "delegated"))
		type = KSSPI_UPCALL_DELEGATED;
	else if (!strcmp(extract, "session-key"))
		type = KSSPI_UPCALL_SESSION_KEY;
	else {
		fprintf(stderr, "ksspi-upcall: unknown item %s\n", extract);
		goto out;
	}
	if (kup_response_decode(buf, len, &r, err, sizeof(err))) {
		fprintf(stderr, "ksspi-upcall: bad response: %s\n", err);
		goto out;
	}
	if (!r.items[type].data) {
		fprintf(stderr, "ksspi-upcall: no %s in the response\n",
			extract);
		goto out;
	}
	ret = fwrite(r.items[type].data, 1, r.items[type].len, stdout) ==
	      r.items[type].len ? 0 : 1;
out:
	free(buf);
	return ret;
}
