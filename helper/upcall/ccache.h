/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: credential caches and keytabs as the helper moves them.
 *
 * Delegated credentials travel as the image of an MIT FILE (version 4)
 * credential cache, which the kernel keeps in memory: the helper turns a
 * MEMORY ccache into such an image and back, never touching the disk.
 * The system keytab of in-kernel users is copied into a MEMORY keytab
 * while the helper is still root, before it drops its privileges.
 */
#ifndef KSSPI_UPCALL_CCACHE_H
#define KSSPI_UPCALL_CCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <krb5.h>

/* Most credentials in one image. */
#define KUP_CCACHE_CREDS_MAX	256

krb5_error_code kup_ccache_image(krb5_context kctx, krb5_ccache cc,
				 uint8_t **out, size_t *len);
krb5_error_code kup_ccache_from_image(krb5_context kctx, const uint8_t *img,
				      size_t len, const char *name,
				      krb5_ccache *out);
krb5_error_code kup_keytab_to_memory(krb5_context kctx, const char *src,
				     const char *dst, int *nkeys);
int kup_file_readable(const char *name);

#endif
