// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: dropping privileges.
 *
 * Order matters: supplementary groups and gids while we still may change
 * them, the uid last.  Then prove that root cannot be regained, and set
 * no_new_privs so nothing exec'd later (nothing is) could gain any.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privs.h"

int kup_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

int kup_drop_privs(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		   char *err, size_t errlen)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (geteuid() == 0) {
		if (setgroups(ngroups, groups)) {
			snprintf(err, errlen, "setgroups: %s", strerror(errno));
			return -1;
		}
		if (setresgid(gid, gid, gid)) {
			snprintf(err, errlen, "setresgid(%u): %s",
				 (unsigned int)gid, strerror(errno));
			return -1;
		}
		if (setresuid(uid, uid, uid)) {
			snprintf(err, errlen, "setresuid(%u): %s",
				 (unsigned int)uid, strerror(errno));
			return -1;
		}
	} else if (getuid() != uid || geteuid() != uid) {
		/* Debug mode as a user: we can only be ourselves. */
		snprintf(err, errlen, "not root: cannot act as uid %u",
			 (unsigned int)uid);
		return -1;
	}
	if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid ||
	    getresgid(&rg, &eg, &sg) || rg != eg || eg != sg) {
		snprintf(err, errlen, "ids did not settle");
		return -1;
	}
	if (uid != 0) {
		if (setuid(0) == 0 || seteuid(0) == 0) {
			snprintf(err, errlen, "root could be regained");
			return -1;
		}
		if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
			snprintf(err, errlen, "gid 0 could be regained");
			return -1;
		}
	}
	if (kup_no_new_privs()) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}
