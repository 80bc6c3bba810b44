// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksspi-upcall's mapping of a client principal to a local
 * account (helper/upcall/mapping.c, kup_map_account()): MIT's principal
 * parser and auth_to_local rules, then the passwd and group lookups and the
 * helper's root rule.  The krb5.conf it runs with (written to a temporary
 * file at start) has a realm with RULE and DEFAULT mappings, so principals
 * of that realm reach real accounts of the machine (root included).
 *
 * Input: byte 0 bit 0 sets allow_root, the rest is the principal.  Beyond
 * memory safety, a mapping that succeeds must name a printable local
 * account, real ids, the primary group among the groups, and never uid or
 * gid 0 unless allow_root; KUP_MAP_ROOT only for an account of uid or gid 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapping.h"
#include "proto.h"

static krb5_context kctx;

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "mapped breaking: %s\n", #cond);	\
		abort();						\
	}								\
} while (0)

static const char krb5_conf[] =
	"[libdefaults]\n"
	"  default_realm = KSSPI.TEST\n"
	"  dns_lookup_realm = false\n"
	"  dns_lookup_kdc = false\n"
	"[realms]\n"
	"  KSSPI.TEST = {\n"
	"    kdc = 127.0.0.1:1\n"
	"    auth_to_local = RULE:[1:$1@$0](.*@KSSPI\\.TEST)s/@.*//\n"
	"    auth_to_local = RULE:[2:$1](host)s/^.*$/nobody/\n"
	"    auth_to_local = RULE:[2:$2@$0](.*@OTHER\\.TEST)s/@.*//\n"
	"    auth_to_local = DEFAULT\n"
	"  }\n"
	"  OTHER.TEST = {\n"
	"    kdc = 127.0.0.1:1\n"
	"  }\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/ksspi-fuzz-krb5.conf.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, krb5_conf, sizeof(krb5_conf) - 1) < 0)
		abort();
	close(fd);
	setenv("KRB5_CONFIG", path, 1);
	if (krb5_init_context(&kctx))
		abort();
	/* The context has read it: nothing is left behind. */
	unlink(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kup_config cfg;
	struct kup_identity id;
	enum kup_map_result res;
	char principal[512], why[256];
	int i, primary = 0;

	if (size < 1 || size - 1 >= sizeof(principal))
		return 0;
	memcpy(principal, data + 1, size - 1);
	principal[size - 1] = 0;
	kup_config_defaults(&cfg);
	cfg.allow_root = data[0] & 1;
	why[0] = 0;

	res = kup_map_account(kctx, principal, &cfg, &id, why, sizeof(why));
	RULE(memchr(why, 0, sizeof(why)));
	switch (res) {
	case KUP_MAP_OK:
		RULE(id.local[0]);
		RULE(kup_string_ok((const uint8_t *)id.local, strlen(id.local)));
		RULE(id.uid != (uid_t)-1 && id.gid != (gid_t)-1);
		RULE(cfg.allow_root || (id.uid && id.gid));
		RULE(id.ngroups > 0 && id.ngroups <= KUP_GROUPS_MAX && id.groups);
		for (i = 0; i < id.ngroups; i++) {
			primary |= id.groups[i] == id.gid;
			RULE(cfg.allow_root || id.groups[i]);
		}
		RULE(primary);
		break;
	case KUP_MAP_ROOT:
		RULE(!cfg.allow_root && (!id.uid || !id.gid));
		RULE(!id.groups);
		break;
	default:
		RULE(!id.groups && !id.ngroups);
		break;
	}
	kup_identity_free(&id);
	return 0;
}
