/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-message protection of the kerberos and negotiate packages: what
 * kerberos.c keeps of an established context to sign and seal messages
 * without an upcall.
 */
#ifndef _KSSPI_KERBEROS_MSG_H
#define _KSSPI_KERBEROS_MSG_H

#include <linux/types.h>

#include "../uapi/linux/ksspi_upcall.h"

struct ksspi_context;
struct ksspi_context_attrs;
struct ksspi_msg;
struct ksspi_krb5_msg;

s32 ksspi_krb5_msg_new(struct ksspi_context *ctx,
		       const struct ksspi_upcall_lucid *lucid,
		       struct ksspi_krb5_msg **mp);
void ksspi_krb5_msg_free(struct ksspi_krb5_msg *m);
s32 ksspi_krb5_msg_call(struct ksspi_krb5_msg *m, struct ksspi_msg *msg);
void ksspi_krb5_msg_sizes(struct ksspi_krb5_msg *m,
			  struct ksspi_context_attrs *attrs);

#endif /* _KSSPI_KERBEROS_MSG_H */
