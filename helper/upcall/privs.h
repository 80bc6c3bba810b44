/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: becoming the requester (or an unprivileged account) for
 * good, before any user-named ccache or keytab is opened.
 */
#ifndef KSSPI_UPCALL_PRIVS_H
#define KSSPI_UPCALL_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

int kup_drop_privs(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		   char *err, size_t errlen);
int kup_no_new_privs(void);

#endif
