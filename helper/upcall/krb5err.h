/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: MIT's message for a krb5 error code, copied into a buffer
 * of the caller's so that the string krb5_get_error_message() allocates is
 * always freed (found leaking by the helper_mapping libFuzzer target).
 */
#ifndef KSSPI_UPCALL_KRB5ERR_H
#define KSSPI_UPCALL_KRB5ERR_H

#include <stdio.h>
#include <krb5.h>

/* Room for MIT's longest messages with their extended detail. */
#define KUP_KRB5_MSG_MAX	256

/* @buf gets the message (or "error N"); returns @buf, for printf(). */
static inline const char *kup_krb5_msg(krb5_context kctx, krb5_error_code code,
				       char *buf, size_t size)
{
	const char *m = kctx ? krb5_get_error_message(kctx, code) : NULL;

	if (m) {
		snprintf(buf, size, "%s", m);
		krb5_free_error_message(kctx, m);
	} else {
		snprintf(buf, size, "error %d", (int)code);
	}
	return buf;
}

#endif /* KSSPI_UPCALL_KRB5ERR_H */
