// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_x509_kapi: the x509 package's kernel-only entry,
 * ksspi_x509_accept_tls_peer(), as an in-kernel TLS server (kTLS after
 * tlshd) would call it; driven by selftests/ksspi/x509_test.c.
 *
 * A write() to /sys/kernel/debug/ksspi_x509_kapi/accept is one peer: a u32
 * "possession proven" flag, then the peer's chain (DER certificates back
 * to back, leaf first).  The module acquires inbound x509 credentials as
 * kernel code and accepts the peer; a read() returns the outcome as text:
 * "status=0x... uid=N name=...\n" (uid and name when established).
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "../../kmod/ksspi.h"

#define PEER_MAX	32768

static struct dentry *dir;
static DEFINE_MUTEX(lock);
static char result[512];

static ssize_t accept_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct ksspi_context_attrs attrs;
	struct ksspi_context *ctx = NULL;
	struct ksspi_token *tok = NULL;
	struct ksspi_cred *cred;
	u32 proven;
	s32 status;
	u8 *buf;
	int ret;

	if (len < sizeof(proven) || len > sizeof(proven) + PEER_MAX)
		return -EINVAL;
	buf = memdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	memcpy(&proven, buf, sizeof(proven));

	mutex_lock(&lock);
	ret = ksspi_acquire_credentials("x509", SECPKG_CRED_INBOUND, NULL,
					&cred);
	if (ret) {
		snprintf(result, sizeof(result), "acquire=%d\n", ret);
		goto out;
	}
	status = ksspi_x509_accept_tls_peer(cred, buf + sizeof(proven),
					    len - sizeof(proven), proven != 0,
					    &ctx);
	if (status == SEC_E_OK) {
		ksspi_query_context_attributes(ctx, &attrs);
		if (ksspi_query_security_context_token(ctx, &tok) == SEC_E_OK) {
			snprintf(result, sizeof(result),
				 "status=0x%08x uid=%u level=%u name=%s\n",
				 (u32)status,
				 from_kuid(&init_user_ns, ksspi_token_uid(tok)),
				 ksspi_token_level(tok),
				 attrs.name ?: "-");
			ksspi_token_put(tok);
		} else {
			snprintf(result, sizeof(result), "status=0x%08x notoken\n",
				 (u32)status);
		}
		ksspi_delete_security_context(ctx);
	} else {
		snprintf(result, sizeof(result), "status=0x%08x ctx=%d\n",
			 (u32)status, !!ctx);
	}
	ksspi_free_credentials(cred);
	ret = len;
out:
	mutex_unlock(&lock);
	kfree(buf);
	return ret;
}

static ssize_t accept_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, result, strlen(result));
	mutex_unlock(&lock);
	return ret;
}

static const struct file_operations accept_fops = {
	.owner = THIS_MODULE,
	.write = accept_write,
	.read = accept_read,
	.llseek = default_llseek,
};

static int __init x509_kapi_init(void)
{
	dir = debugfs_create_dir("ksspi_x509_kapi", NULL);
	debugfs_create_file("accept", 0600, dir, NULL, &accept_fops);
	return 0;
}

static void __exit x509_kapi_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(x509_kapi_init);
module_exit(x509_kapi_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi x509 kernel-only entry, for the selftests");
