/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Impersonation by user threads (ImpersonateSecurityContext and
 * RevertSecurityContext through ioctls).
 */
#ifndef _KSSPI_IMPERSONATE_H
#define _KSSPI_IMPERSONATE_H

#include <linux/types.h>

struct ksspi_token;
struct seq_file;
struct cred;

bool ksspi_may_impersonate(const struct cred *base,
			   const struct ksspi_token *tok);

s32 ksspi_thread_impersonate(struct ksspi_token *tok, u32 *level);
s32 ksspi_thread_revert(void);
struct ksspi_token *ksspi_thread_token(void);
unsigned int ksspi_thread_count(void);
void ksspi_thread_show(struct seq_file *m);
void ksspi_impersonate_init(void);
void ksspi_impersonate_exit(void);

#endif /* _KSSPI_IMPERSONATE_H */
