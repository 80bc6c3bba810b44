// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi: kernel-resident security contexts, modelled on Windows kernel-mode
 * SSPI.  Module entry, parameters and /dev/ksspi.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/moduleparam.h>

#include "package.h"
#include "params.h"
#include "impersonate.h"
#include "socket.h"
#include "uapi.h"
#include "stats.h"
#include "upcall.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

unsigned int ksspi_context_lifetime = 10 * 60 * 60;
module_param_named(context_lifetime, ksspi_context_lifetime, uint, 0644);
MODULE_PARM_DESC(context_lifetime,
		 "Lifetime of an established context, in seconds (default 36000)");

unsigned int ksspi_local_ticket_ms = 30 * 1000;
module_param_named(local_ticket_ms, ksspi_local_ticket_ms, uint, 0644);
MODULE_PARM_DESC(local_ticket_ms,
		 "Lifetime of a local package ticket, in milliseconds (default 30000)");

unsigned int ksspi_local_max_tickets = 1024;
module_param_named(local_max_tickets, ksspi_local_max_tickets, uint, 0644);
MODULE_PARM_DESC(local_max_tickets,
		 "Outstanding local tickets, host-wide; a user gets a quarter (default 1024)");

bool ksspi_allow_root;
module_param_named(allow_root, ksspi_allow_root, bool, 0644);
MODULE_PARM_DESC(allow_root,
		 "Let an identity map to uid or gid 0 (default: no)");

static const struct file_operations ksspi_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ksspi_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ksspi_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ksspi",
	.fops = &ksspi_dev_fops,
	.mode = 0666,
};

static int __init ksspi_init(void)
{
	int ret;

	ksspi_uapi_check();
	ksspi_impersonate_init();
	ksspi_socket_init();
	ksspi_stats_init();
	ret = ksspi_local_init();
	if (ret)
		goto err_stats;
	ret = ksspi_upcall_init();
	if (ret)
		goto err_local;
	/* The packages that ask the helper come after the upcall. */
	ret = ksspi_kerberos_init();
	if (ret)
		goto err_upcall;
	ret = ksspi_x509_init();
	if (ret)
		goto err_kerberos;
	ret = misc_register(&ksspi_dev);
	if (ret)
		goto err_x509;
	return 0;

err_x509:
	ksspi_x509_exit();
err_kerberos:
	ksspi_kerberos_exit();
err_upcall:
	ksspi_upcall_exit();
err_local:
	ksspi_local_exit();
err_stats:
	ksspi_stats_exit();
	return ret;
}

static void __exit ksspi_exit(void)
{
	misc_deregister(&ksspi_dev);
	ksspi_x509_exit();
	ksspi_kerberos_exit();
	ksspi_upcall_exit();
	ksspi_stats_exit();
	ksspi_local_exit();
	ksspi_socket_exit();
	ksspi_impersonate_exit();
}

module_init(ksspi_init);
module_exit(ksspi_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel-resident security contexts (SSPI for Linux)");
MODULE_VERSION("0.1");
