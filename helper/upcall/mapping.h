/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: client principal -> local account.
 *
 * The realm-qualified principal goes through krb5_aname_to_localname()
 * (krb5.conf auth_to_local rules, or MIT's DEFAULT: the first component in
 * the default realm), then getpwnam() and getgrouplist().
 */
#ifndef KSSPI_UPCALL_MAPPING_H
#define KSSPI_UPCALL_MAPPING_H

#include <krb5.h>
#include <sys/types.h>

#include "config.h"

enum kup_map_result {
	KUP_MAP_OK = 0,
	KUP_MAP_UNMAPPED,	/* no rule, or no such account */
	KUP_MAP_ROOT,		/* uid or gid 0 without allow_root */
	KUP_MAP_ERROR,		/* bad principal, out of memory */
};

struct kup_identity {
	char local[256];
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* getgrouplist(), the primary gid included */
	int ngroups;
};

enum kup_map_result kup_map_account(krb5_context kctx, const char *principal,
				    const struct kup_config *cfg,
				    struct kup_identity *id,
				    char *why, size_t whylen);
/* The same from a local account name (x509 rules give one). */
enum kup_map_result kup_map_local(const char *local,
				  const struct kup_config *cfg,
				  struct kup_identity *id,
				  char *why, size_t whylen);
enum kup_map_result kup_map_check_ids(uid_t uid, gid_t gid,
				      const struct kup_config *cfg);
void kup_identity_free(struct kup_identity *id);

#endif
