/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces ksspi uses whose shape changed between releases.
 * Everything version-dependent lives here and nowhere else.
 */
#ifndef _KSSPI_COMPAT_H
#define _KSSPI_COMPAT_H

#include <linux/version.h>
#include <linux/cred.h>

/*
 * Linux 6.2 made prepare_kernel_cred(NULL) an error: the caller names
 * init_task explicitly.
 */
static inline struct cred *ksspi_prepare_kernel_cred(void)
{
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
	return prepare_kernel_cred(&init_task);
#else
	return prepare_kernel_cred(NULL);
#endif
}

#endif /* _KSSPI_COMPAT_H */
