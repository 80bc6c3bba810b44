/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl layer: user handles (file descriptors) over the objects.
 */
#ifndef _KSSPI_UAPI_H
#define _KSSPI_UAPI_H

#include <linux/fs.h>

long ksspi_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
void ksspi_uapi_check(void);

struct ksspi_context;
struct ksspi_context *ksspi_context_from_fd(int fd);
struct ksspi_cred;
int ksspi_uapi_cred_fd(struct ksspi_cred *cred);

#endif /* _KSSPI_UAPI_H */
