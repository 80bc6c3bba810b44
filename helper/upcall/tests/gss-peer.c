// SPDX-License-Identifier: GPL-2.0
/*
 * gss-peer: an MIT GSS-API peer for interoperability tests of
 * ksspi-upcall, one process for a whole context (MIT's own SPNEGO, which
 * cannot be exported, on the other side).  Line protocol on stdin/stdout:
 *
 *   TOKEN <base64>     a token for the other side / from the other side
 *   DONE <name> <flags>  established (the peer's name, GSS ret flags hex)
 *   FAIL <text>        failed
 *
 * gss-peer init [--spnego] [--mutual] [--deleg] SERVICE@HOST
 * gss-peer accept [--spnego]          (keytab: KRB5_KTNAME)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "proto.h"

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

static void fail(const char *what, OM_uint32 major, OM_uint32 minor,
		 gss_OID mech)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc a = GSS_C_EMPTY_BUFFER, b = GSS_C_EMPTY_BUFFER;

	gss_display_status(&min, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &a);
	ctx = 0;
	gss_display_status(&min, minor, GSS_C_MECH_CODE, mech, &ctx, &b);
	printf("FAIL %s: %.*s: %.*s\n", what, (int)a.length, (char *)a.value,
	       (int)b.length, (char *)b.value);
	fflush(stdout);
	exit(1);
}

static void send_token(gss_buffer_t t)
{
	char *b;

	if (!t->length)
		return;
	b = kup_base64_encode(t->value, t->length);
	if (!b)
		exit(1);
	printf("TOKEN %s\n", b);
	fflush(stdout);
	free(b);
}

static int recv_token(gss_buffer_t t)
{
	static char line[200000];
	uint8_t *bin;
	size_t len, n;

	if (!fgets(line, sizeof(line), stdin))
		return -1;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (strncmp(line, "TOKEN ", 6) ||
	    kup_base64_decode(line + 6, n - 6, &bin, &len))
		return -1;
	t->value = bin;
	t->length = len;
	return 0;
}

static void done(gss_name_t name, OM_uint32 flags)
{
	OM_uint32 min;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;

	gss_display_name(&min, name, &b, NULL);
	printf("DONE %.*s 0x%x\n", (int)b.length, (char *)b.value, flags);
	fflush(stdout);
	gss_release_buffer(&min, &b);
}

int main(int argc, char **argv)
{
	gss_OID mech = (gss_OID)gss_mech_krb5;
	OM_uint32 maj, min, flags = 0, ret = 0;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out, nb;
	gss_name_t target = GSS_C_NO_NAME, src = GSS_C_NO_NAME;
	gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
	int i, init;

	if (argc < 2)
		return 2;
	init = !strcmp(argv[1], "init");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--spnego"))
			mech = &spnego_oid;
		else if (!strcmp(argv[i], "--mutual"))
			flags |= GSS_C_MUTUAL_FLAG;
		else if (!strcmp(argv[i], "--deleg"))
			flags |= GSS_C_DELEG_FLAG;
		else
			break;
	}
	if (init) {
		if (i != argc - 1)
			return 2;
		nb.value = argv[i];
		nb.length = strlen(argv[i]);
		maj = gss_import_name(&min, &nb, GSS_C_NT_HOSTBASED_SERVICE,
				      &target);
		if (GSS_ERROR(maj))
			fail("import_name", maj, min, mech);
		for (;;) {
			out.length = 0;
			out.value = NULL;
			maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL,
						   &ctx, target, mech, flags,
						   0, NULL,
						   in.length ? &in : NULL,
						   NULL, &out, &ret, NULL);
			free(in.value);
			in.value = NULL;
			in.length = 0;
			if (GSS_ERROR(maj))
				fail("init_sec_context", maj, min, mech);
			send_token(&out);
			gss_release_buffer(&min, &out);
			if (!(maj & GSS_S_CONTINUE_NEEDED))
				break;
			if (recv_token(&in))
				fail("no token", GSS_S_FAILURE, 0, mech);
		}
		gss_inquire_context(&min, ctx, NULL, &src, NULL, NULL, NULL,
				    NULL, NULL);
		done(src, ret);
		return 0;
	}
	for (;;) {
		if (recv_token(&in))
			fail("no token", GSS_S_FAILURE, 0, mech);
		out.length = 0;
		out.value = NULL;
		maj = gss_accept_sec_context(&min, &ctx, GSS_C_NO_CREDENTIAL,
					     &in, NULL, &src, NULL, &out,
					     &ret, NULL, &deleg);
		free(in.value);
		in.value = NULL;
		in.length = 0;
		send_token(&out);
		gss_release_buffer(&min, &out);
		if (GSS_ERROR(maj))
			fail("accept_sec_context", maj, min, mech);
		if (!(maj & GSS_S_CONTINUE_NEEDED))
			break;
	}
	done(src, ret);
	return 0;
}
