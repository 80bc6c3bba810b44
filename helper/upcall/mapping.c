// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: account mapping.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapping.h"
#include "proto.h"

#define GROUPS_START	32

enum kup_map_result kup_map_check_ids(uid_t uid, gid_t gid,
				      const struct kup_config *cfg)
{
	if ((uid == 0 || gid == 0) && !cfg->allow_root)
		return KUP_MAP_ROOT;
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return KUP_MAP_UNMAPPED;
	return KUP_MAP_OK;
}

void kup_identity_free(struct kup_identity *id)
{
	free(id->groups);
	memset(id, 0, sizeof(*id));
}

enum kup_map_result kup_map_account(krb5_context kctx, const char *principal,
				    const struct kup_config *cfg,
				    struct kup_identity *id,
				    char *why, size_t whylen)
{
	krb5_principal p = NULL;
	krb5_error_code kret;
	enum kup_map_result res = KUP_MAP_ERROR;
	char local[sizeof(id->local)];

	memset(id, 0, sizeof(*id));
	kret = krb5_parse_name_flags(kctx, principal,
				     KRB5_PRINCIPAL_PARSE_REQUIRE_REALM, &p);
	if (kret) {
		snprintf(why, whylen, "cannot parse principal: %s",
			 krb5_get_error_message(kctx, kret));
		goto out;
	}
	kret = krb5_aname_to_localname(kctx, p, sizeof(local), local);
	if (kret) {
		snprintf(why, whylen, "no local name (auth_to_local): %s",
			 krb5_get_error_message(kctx, kret));
		res = KUP_MAP_UNMAPPED;
		goto out;
	}
	res = kup_map_local(local, cfg, id, why, whylen);
out:
	if (p)
		krb5_free_principal(kctx, p);
	return res;
}

enum kup_map_result kup_map_local(const char *local,
				  const struct kup_config *cfg,
				  struct kup_identity *id,
				  char *why, size_t whylen)
{
	struct passwd pw, *pwp = NULL;
	enum kup_map_result res = KUP_MAP_ERROR;
	char pwbuf[4096];
	int n, r;

	memset(id, 0, sizeof(*id));
	if (strlen(local) >= sizeof(id->local)) {
		snprintf(why, whylen, "local name too long");
		res = KUP_MAP_UNMAPPED;
		goto out;
	}
	strcpy(id->local, local);
	if (!kup_string_ok((const uint8_t *)id->local, strlen(id->local))) {
		snprintf(why, whylen, "local name is not printable");
		res = KUP_MAP_UNMAPPED;
		goto out;
	}
	r = getpwnam_r(id->local, &pw, pwbuf, sizeof(pwbuf), &pwp);
	if (r || !pwp) {
		snprintf(why, whylen, "no account '%s'%s%s", id->local,
			 r ? ": " : "", r ? strerror(r) : "");
		res = KUP_MAP_UNMAPPED;
		goto out;
	}
	id->uid = pw.pw_uid;
	id->gid = pw.pw_gid;
	res = kup_map_check_ids(id->uid, id->gid, cfg);
	if (res == KUP_MAP_ROOT) {
		snprintf(why, whylen, "'%s' is uid %u gid %u and allow_root is off",
			 id->local, (unsigned int)id->uid,
			 (unsigned int)id->gid);
		goto out;
	}
	if (res != KUP_MAP_OK) {
		snprintf(why, whylen, "'%s' has an invalid id", id->local);
		goto out;
	}

	n = GROUPS_START;
	for (;;) {
		gid_t *g = realloc(id->groups, (size_t)n * sizeof(*g));
		int want = n;

		if (!g) {
			res = KUP_MAP_ERROR;
			snprintf(why, whylen, "out of memory");
			goto out;
		}
		id->groups = g;
		if (getgrouplist(id->local, id->gid, g, &want) >= 0) {
			id->ngroups = want;
			break;
		}
		if (want <= n || want > KUP_GROUPS_MAX) {
			res = KUP_MAP_ERROR;
			snprintf(why, whylen, "getgrouplist(%s) failed",
				 id->local);
			goto out;
		}
		n = want;
	}
	/* Root's group among the supplementary ones is root too. */
	for (n = 0; n < id->ngroups && !cfg->allow_root; n++) {
		if (id->groups[n] == 0) {
			snprintf(why, whylen,
				 "'%s' is in group 0 and allow_root is off",
				 id->local);
			res = KUP_MAP_ROOT;
			goto out;
		}
	}
	res = KUP_MAP_OK;
out:
	if (res != KUP_MAP_OK) {
		free(id->groups);
		id->groups = NULL;
		id->ngroups = 0;
	}
	return res;
}
