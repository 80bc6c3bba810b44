// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksspi-upcall's configuration parser
 * (helper/upcall/config.c, kup_config_parse()).  The input is the file's
 * text.  Beyond memory safety, a configuration that parses must hold only
 * values the rest of the helper can trust: terminated strings, absolute
 * paths (or empty: the default), a kernel_user of safe characters, a
 * timeout that is not zero, an unmapped policy it knows; a refused one
 * leaves a terminated error message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "accepted a configuration breaking: %s\n", #cond); \
		abort();						\
	}								\
} while (0)

static void check_path(const char *p, size_t size)
{
	RULE(memchr(p, 0, size));
	if (!strncmp(p, "FILE:", 5))
		p += 5;
	RULE(!*p || *p == '/');
	/*
	 * Control characters in a path are accepted (config.c's comment
	 * says they are not): reported, not a rule here.
	 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kup_config cfg;
	char err[256];
	const char *c;
	int ret;

	kup_config_defaults(&cfg);
	memset(err, 'x', sizeof(err));
	ret = kup_config_parse((const char *)data, size, &cfg, err,
			       sizeof(err));
	if (ret) {
		RULE(ret == -EINVAL || ret == -ENOMEM);
		RULE(ret == -ENOMEM || memchr(err, 0, sizeof(err)));
		return 0;
	}
	check_path(cfg.keytab, sizeof(cfg.keytab));
	check_path(cfg.client_keytab, sizeof(cfg.client_keytab));
	check_path(cfg.krb5_config, sizeof(cfg.krb5_config));
	RULE(memchr(cfg.kernel_user, 0, sizeof(cfg.kernel_user)));
	RULE(cfg.kernel_user[0]);
	for (c = cfg.kernel_user; *c; c++)
		RULE((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		     (*c >= '0' && *c <= '9') || strchr("._-", *c));
	RULE(cfg.allow_root == 0 || cfg.allow_root == 1);
	RULE(cfg.debug == 0 || cfg.debug == 1);
	RULE(cfg.unmapped == KUP_UNMAPPED_REFUSE ||
	     cfg.unmapped == KUP_UNMAPPED_ANONYMOUS);
	RULE(cfg.timeout > 0);
	return 0;
}
