/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x509 package: certificate logon with a proof of possession
 * (Documentation/userspace-api/x509.rst).
 */
#ifndef _KSSPI_X509_H
#define _KSSPI_X509_H

#include <linux/compiler_types.h>
#include <linux/key.h>
#include <linux/types.h>

#include "ksspi.h"

struct ksspi_cred;
struct ksspi_context;

/**
 * struct ksspi_x509_args - &ksspi_cred_args.pkg_args of the x509 package.
 * @chain_path: PEM chain file the helper reads as the owner, or NULL.
 * @chain: DER certificates back to back, leaf first, or NULL.
 * @chain_len: bytes at @chain.
 * @key_path: PEM private key file the helper signs with as the owner, or
 *	NULL.
 * @key_serial: serial of an asymmetric key (with a private part) the
 *	caller may search, or 0.
 */
struct ksspi_x509_args {
	const char *chain_path;
	const u8 *chain;
	u32 chain_len;
	const char *key_path;
	key_serial_t key_serial;
};

long ksspi_x509_ioctl_acquire(void __user *uarg);
long ksspi_x509_ioctl_query(struct ksspi_context *ctx, void __user *uarg);

#endif /* _KSSPI_X509_H */
