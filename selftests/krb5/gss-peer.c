// SPDX-License-Identifier: GPL-2.0
/*
 * gss-peer - the MIT side of the ksspi interoperability tests: a GSS-API
 * initiator or acceptor that uses libgssapi_krb5 directly and exchanges
 * tokens with the test over a file descriptor (a socketpair end), framed as
 * ksspi_test.h's send_token()/recv_token() do (a native-endian __u32
 * length, then the bytes).
 *
 *   gss-peer init   [--spnego] [--mutual] [--deleg] [--fd N] [--msg]
 *                   [--no-sequence] TARGET
 *   gss-peer accept [--spnego] [--keytab KT] [--fd N] [--msg]
 *
 * TARGET is a host-based service name ("host@ksspi-vm.ksspi.test").  The
 * initiator uses the default credential cache (KRB5CCNAME); the acceptor
 * the default keytab or --keytab.  The exchange ends when the context is
 * established on this side (and the last token, if any, is sent).
 *
 * On success, stdout gets KEY=value lines and the exit status is 0:
 *   client=PRINCIPAL  server=PRINCIPAL  flags=0xGSSFLAGS
 *   deleg=0|1 (acceptor: delegated credentials received)
 *   localname=NAME (acceptor, when auth_to_local maps the client)
 *   enctype=N key=HEX (the SSPI session key, GSS_C_INQ_SSPI_SESSION_KEY)
 * On failure: "error=MAJOR,MINOR message" on stdout, exit status 1.
 *
 * --msg: once established, send the framed marker "KSSPI-MSG-READY!"
 * (after any last handshake token: a SPNEGO acceptor answers an initiator
 * that may already be done), then serve per-message requests on the fd
 * (selftests/ksspi/msgprot_test.c, make bench): each request is one framed
 * buffer whose first byte says what to do with the rest, each answer one
 * framed buffer starting with the GSS major status as a native __u32:
 *   'w' CONF DATA   gss_wrap(conf_req = CONF byte)     -> major TOKEN
 *   'i' CONF DATA   gss_wrap_iov(HEADER, DATA) without a TRAILER (the
 *                   rotated SSPI layout)               -> major HDRLEN(u32) HEADER DATA
 *   'm' DATA        gss_get_mic                        -> major TOKEN
 *   'u' TOKEN       gss_unwrap                         -> major CONF(u8) DATA
 *   'v' LEN(u32) DATA TOKEN  gss_verify_mic            -> major
 *   'b' OP(u8: w, s (wrap without conf), m) SIZE(u32) N(u32)
 *                   N calls on SIZE bytes, timed       -> major NSEC(u64)
 *   'q'             end                                 (no answer)
 */
#include <errno.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKEN	65536

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_desc krb5_oid = { 9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };
/* GSS_C_INQ_SSPI_SESSION_KEY, 1.2.840.113554.1.2.2.5.5 */
static gss_OID_desc sspi_key_oid = {
	11, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x05"
};
/* GSS_KRB5_SESSION_KEY_ENCTYPE_OID prefix, 1.2.840.113554.1.2.2.4 */
static const unsigned char enctype_oid_prefix[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x04
};

static int sock = 0;

static void status_text(OM_uint32 code, int type, gss_OID mech, char *buf,
			size_t size)
{
	OM_uint32 ctx = 0, min, maj;
	gss_buffer_desc msg;
	size_t used = 0;

	buf[0] = 0;
	do {
		maj = gss_display_status(&min, code, type, mech, &ctx, &msg);
		if (GSS_ERROR(maj))
			break;
		used += snprintf(buf + used, size - used, "%s%.*s",
				 used ? "; " : "", (int)msg.length,
				 (char *)msg.value);
		gss_release_buffer(&min, &msg);
	} while (ctx && used < size);
}

static void __attribute__((noreturn)) gss_fail(const char *what,
					       OM_uint32 major,
					       OM_uint32 minor)
{
	char a[512], b[512];

	status_text(major, GSS_C_GSS_CODE, GSS_C_NO_OID, a, sizeof(a));
	status_text(minor, GSS_C_MECH_CODE, &krb5_oid, b, sizeof(b));
	printf("error=0x%x,%u %s: %s (%s)\n", major, minor, what, a, b);
	fflush(stdout);
	exit(1);
}

static void __attribute__((noreturn)) fail(const char *what)
{
	printf("error=0,0 %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static int io_full(int write_it, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = write_it ? write(sock, p, len) : read(sock, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static void send_buf(const gss_buffer_desc *b)
{
	uint32_t len = b->length;

	if (io_full(1, &len, sizeof(len)) || io_full(1, b->value, len))
		fail("send token");
}

static void recv_buf(gss_buffer_desc *b, void *store)
{
	uint32_t len;

	if (io_full(0, &len, sizeof(len)))
		fail("receive token length");
	if (len > MAX_TOKEN) {
		errno = EMSGSIZE;
		fail("receive token");
	}
	if (io_full(0, store, len))
		fail("receive token");
	b->length = len;
	b->value = store;
}

static void print_name(const char *key, gss_name_t name)
{
	OM_uint32 maj, min;
	gss_buffer_desc b;

	if (name == GSS_C_NO_NAME)
		return;
	maj = gss_display_name(&min, name, &b, NULL);
	if (GSS_ERROR(maj))
		gss_fail("gss_display_name", maj, min);
	printf("%s=%.*s\n", key, (int)b.length, (char *)b.value);
	gss_release_buffer(&min, &b);
}

/* The session key as SSPI's QueryContextAttributes(SESSION_KEY) gives it. */
static void print_key(gss_ctx_id_t ctx)
{
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	OM_uint32 maj, min;
	unsigned int enctype = 0;
	size_t i;

	maj = gss_inquire_sec_context_by_oid(&min, ctx, &sspi_key_oid, &set);
	if (GSS_ERROR(maj))
		gss_fail("gss_inquire_sec_context_by_oid(SSPI session key)", maj,
			 min);
	if (set->count < 1)
		return;
	if (set->count >= 2 &&
	    set->elements[1].length > sizeof(enctype_oid_prefix) &&
	    !memcmp(set->elements[1].value, enctype_oid_prefix,
		    sizeof(enctype_oid_prefix))) {
		const unsigned char *p = set->elements[1].value;

		for (i = sizeof(enctype_oid_prefix);
		     i < set->elements[1].length; i++)
			enctype = enctype << 7 | (p[i] & 0x7f);
	}
	printf("enctype=%u\nkey=", enctype);
	for (i = 0; i < set->elements[0].length; i++)
		printf("%02x", ((unsigned char *)set->elements[0].value)[i]);
	printf("\n");
	gss_release_buffer_set(&min, &set);
}

/* ---- --msg: per-message requests ---- */

#define MSG_MAX		(4 << 20)

static int msg_mode;

static unsigned char *msg_recv(uint32_t *lenp)
{
	unsigned char *buf;
	uint32_t len;

	if (io_full(0, &len, sizeof(len)))
		return NULL;
	if (len < 1 || len > MSG_MAX) {
		errno = EMSGSIZE;
		fail("message request");
	}
	buf = malloc(len);
	if (!buf || io_full(0, buf, len))
		fail("message request");
	*lenp = len;
	return buf;
}

/* An answer: the major status, then up to two pieces. */
static void msg_answer(OM_uint32 major, const void *a, size_t alen,
		       const void *b, size_t blen)
{
	uint32_t len = sizeof(uint32_t) + alen + blen, maj = major;

	if (io_full(1, &len, sizeof(len)) || io_full(1, &maj, sizeof(maj)) ||
	    (alen && io_full(1, (void *)a, alen)) ||
	    (blen && io_full(1, (void *)b, blen)))
		fail("message answer");
}

static uint64_t nsec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void msg_bench(gss_ctx_id_t ctx, const unsigned char *p, uint32_t len)
{
	gss_buffer_desc in, out;
	OM_uint32 maj = 0, min;
	uint32_t size, n, i;
	uint64_t t0, ns;
	unsigned char op;
	void *data;

	if (len != 9) {
		msg_answer(GSS_S_FAILURE, NULL, 0, NULL, 0);
		return;
	}
	op = p[0];
	memcpy(&size, p + 1, 4);
	memcpy(&n, p + 5, 4);
	data = calloc(1, size ? size : 1);
	if (!data || size > MSG_MAX)
		fail("bench buffer");
	in.value = data;
	in.length = size;
	t0 = nsec_now();
	for (i = 0; i < n && !GSS_ERROR(maj); i++) {
		if (op == 'm')
			maj = gss_get_mic(&min, ctx, GSS_C_QOP_DEFAULT, &in,
					  &out);
		else
			maj = gss_wrap(&min, ctx, op == 'w', GSS_C_QOP_DEFAULT,
				       &in, NULL, &out);
		if (!GSS_ERROR(maj))
			gss_release_buffer(&min, &out);
	}
	ns = nsec_now() - t0;
	free(data);
	msg_answer(maj, &ns, sizeof(ns), NULL, 0);
}

static void message_loop(gss_ctx_id_t ctx)
{
	gss_buffer_desc in, out, tok;
	gss_iov_buffer_desc iov[2];
	unsigned char *req, *hdr = NULL;
	OM_uint32 maj, min;
	uint32_t len, hl;
	int conf;
	gss_buffer_desc ready = { 16, (void *)"KSSPI-MSG-READY!" };

	send_buf(&ready);
	while ((req = msg_recv(&len))) {
		out.length = 0;
		out.value = NULL;
		switch (req[0]) {
		case 'w':
		case 'i':
			if (len < 2)
				fail("wrap request");
			in.value = req + 2;
			in.length = len - 2;
			if (req[0] == 'w') {
				maj = gss_wrap(&min, ctx, req[1],
					       GSS_C_QOP_DEFAULT, &in, NULL,
					       &out);
				msg_answer(maj, out.value, out.length, NULL, 0);
				break;
			}
			iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER |
				      GSS_IOV_BUFFER_FLAG_ALLOCATE;
			iov[0].buffer.length = 0;
			iov[0].buffer.value = NULL;
			iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
			iov[1].buffer = in;
			maj = gss_wrap_iov(&min, ctx, req[1],
					   GSS_C_QOP_DEFAULT, NULL, iov, 2);
			hl = GSS_ERROR(maj) ? 0 : iov[0].buffer.length;
			hdr = realloc(hdr, 4 + hl);
			if (!hdr)
				fail("wrap_iov answer");
			memcpy(hdr, &hl, 4);
			if (hl)
				memcpy(hdr + 4, iov[0].buffer.value, hl);
			/* DATA was sealed in place, in the request. */
			msg_answer(maj, hdr, 4 + hl, in.value,
				   GSS_ERROR(maj) ? 0 : in.length);
			gss_release_iov_buffer(&min, iov, 2);
			break;
		case 'm':
			in.value = req + 1;
			in.length = len - 1;
			maj = gss_get_mic(&min, ctx, GSS_C_QOP_DEFAULT, &in,
					  &out);
			msg_answer(maj, out.value, out.length, NULL, 0);
			break;
		case 'u': {
			unsigned char c;

			in.value = req + 1;
			in.length = len - 1;
			conf = 0;
			maj = gss_unwrap(&min, ctx, &in, &out, &conf, NULL);
			c = conf;
			msg_answer(maj, &c, 1, out.value, out.length);
			break;
		}
		case 'v':
			if (len < 5)
				fail("verify request");
			memcpy(&hl, req + 1, 4);
			if (hl > len - 5)
				fail("verify request");
			in.value = req + 5;
			in.length = hl;
			tok.value = req + 5 + hl;
			tok.length = len - 5 - hl;
			maj = gss_verify_mic(&min, ctx, &in, &tok, NULL);
			msg_answer(maj, NULL, 0, NULL, 0);
			break;
		case 'b':
			msg_bench(ctx, req + 1, len - 1);
			break;
		case 'q':
			free(req);
			free(hdr);
			return;
		default:
			fail("unknown message request");
		}
		if (out.length)
			gss_release_buffer(&min, &out);
		free(req);
	}
}

static int initiate(gss_OID mech, OM_uint32 req, const char *target)
{
	gss_buffer_desc tname = { strlen(target), (void *)target };
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t name, src = GSS_C_NO_NAME, dst = GSS_C_NO_NAME;
	static unsigned char store[MAX_TOKEN];
	OM_uint32 maj, min, ret_flags = 0;

	maj = gss_import_name(&min, &tname, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (GSS_ERROR(maj))
		gss_fail("gss_import_name", maj, min);
	for (;;) {
		out.length = 0;
		out.value = NULL;
		maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ctx,
					   name, mech, req, 0,
					   GSS_C_NO_CHANNEL_BINDINGS,
					   in.length ? &in : GSS_C_NO_BUFFER,
					   NULL, &out, &ret_flags, NULL);
		if (out.length) {
			send_buf(&out);
			gss_release_buffer(&min, &out);
		}
		if (GSS_ERROR(maj))
			gss_fail("gss_init_sec_context", maj, min);
		if (!(maj & GSS_S_CONTINUE_NEEDED))
			break;
		recv_buf(&in, store);
	}
	maj = gss_inquire_context(&min, ctx, &src, &dst, NULL, NULL, NULL,
				  NULL, NULL);
	if (GSS_ERROR(maj))
		gss_fail("gss_inquire_context", maj, min);
	print_name("client", src);
	print_name("server", dst);
	printf("flags=0x%x\n", ret_flags);
	print_key(ctx);
	if (msg_mode)
		message_loop(ctx);
	gss_release_name(&min, &src);
	gss_release_name(&min, &dst);
	gss_release_name(&min, &name);
	gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	return 0;
}

static int accept_ctx(gss_OID mech, const char *keytab)
{
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL, deleg = GSS_C_NO_CREDENTIAL;
	gss_buffer_desc in, out, local;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t src = GSS_C_NO_NAME, dst = GSS_C_NO_NAME;
	static unsigned char store[MAX_TOKEN];
	OM_uint32 maj, min, ret_flags = 0;
	gss_OID_set_desc mechs = { 1, mech };

	if (keytab) {
		gss_key_value_element_desc el = { "keytab", keytab };
		gss_key_value_set_desc store_kv = { 1, &el };

		maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME,
					    GSS_C_INDEFINITE, &mechs,
					    GSS_C_ACCEPT, &store_kv, &cred,
					    NULL, NULL);
	} else {
		maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE,
				       &mechs, GSS_C_ACCEPT, &cred, NULL,
				       NULL);
	}
	if (GSS_ERROR(maj))
		gss_fail("gss_acquire_cred (accept)", maj, min);
	for (;;) {
		recv_buf(&in, store);
		out.length = 0;
		out.value = NULL;
		maj = gss_accept_sec_context(&min, &ctx, cred, &in,
					     GSS_C_NO_CHANNEL_BINDINGS, &src,
					     NULL, &out, &ret_flags, NULL,
					     &deleg);
		if (out.length) {
			send_buf(&out);
			gss_release_buffer(&min, &out);
		}
		if (GSS_ERROR(maj))
			gss_fail("gss_accept_sec_context", maj, min);
		if (!(maj & GSS_S_CONTINUE_NEEDED))
			break;
	}
	maj = gss_inquire_context(&min, ctx, NULL, &dst, NULL, NULL, NULL,
				  NULL, NULL);
	if (GSS_ERROR(maj))
		gss_fail("gss_inquire_context", maj, min);
	print_name("client", src);
	print_name("server", dst);
	printf("flags=0x%x\n", ret_flags);
	printf("deleg=%d\n", deleg != GSS_C_NO_CREDENTIAL);
	maj = gss_localname(&min, src, &krb5_oid, &local);
	if (!GSS_ERROR(maj)) {
		printf("localname=%.*s\n", (int)local.length,
		       (char *)local.value);
		gss_release_buffer(&min, &local);
	}
	print_key(ctx);
	if (msg_mode)
		message_loop(ctx);
	gss_release_name(&min, &src);
	gss_release_name(&min, &dst);
	gss_release_cred(&min, &deleg);
	gss_release_cred(&min, &cred);
	gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: gss-peer init [--spnego] [--mutual] [--deleg] [--fd N] [--msg] [--no-sequence] TARGET\n"
		"       gss-peer accept [--spnego] [--keytab KT] [--fd N] [--msg]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	OM_uint32 req = GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG |
			GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG;
	const char *keytab = NULL, *target = NULL;
	gss_OID mech = &krb5_oid;
	int i, init;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "init"))
		init = 1;
	else if (!strcmp(argv[1], "accept"))
		init = 0;
	else
		usage();
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--spnego")) {
			mech = &spnego_oid;
		} else if (!strcmp(argv[i], "--mutual")) {
			req |= GSS_C_MUTUAL_FLAG;
		} else if (!strcmp(argv[i], "--deleg")) {
			req |= GSS_C_DELEG_FLAG;
		} else if (!strcmp(argv[i], "--msg")) {
			msg_mode = 1;
		} else if (!strcmp(argv[i], "--no-sequence")) {
			req &= ~GSS_C_SEQUENCE_FLAG;
		} else if (!strcmp(argv[i], "--keytab") && i + 1 < argc) {
			keytab = argv[++i];
		} else if (!strcmp(argv[i], "--fd") && i + 1 < argc) {
			sock = atoi(argv[++i]);
		} else if (init && !target && argv[i][0] != '-') {
			target = argv[i];
		} else {
			usage();
		}
	}
	if (init && !target)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	return init ? initiate(mech, req, target) : accept_ctx(mech, keytab);
}
