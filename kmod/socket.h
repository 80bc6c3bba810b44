/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket-bound contexts: the module-internal side (the exported side is in
 * ksspi.h).
 */
#ifndef _KSSPI_SOCKET_H
#define _KSSPI_SOCKET_H

struct ksspi_context;

long ksspi_socket_ioctl(unsigned int cmd, void __user *uarg);
void ksspi_socket_context_gone(struct ksspi_context *ctx);
unsigned int ksspi_socket_count(void);
void ksspi_socket_init(void);
void ksspi_socket_exit(void);

#endif /* _KSSPI_SOCKET_H */
