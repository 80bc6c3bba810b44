// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_krb5_test: lets selftests/ksspi/kerberos_pkg_test.c drive the
 * kerberos and negotiate packages through the in-kernel API (kmod/ksspi.h),
 * as an in-kernel server would, via /sys/kernel/debug/ksspi_krb5_test/run.
 * For tests only: root-only debugfs.
 *
 * Write one command, then read the result line:
 *
 *   initiate PACKAGE TARGET   acquire outbound credentials as kernel code,
 *                             run the first leg; "status=0x... out=TOKEN"
 *   accept PACKAGE INPUT      acquire inbound credentials, accept INPUT;
 *                             "status=0x... key=N enctype=N uid=N level=N
 *                             name=NAME fsuid=N" (fsuid while impersonating
 *                             the token with ksspi_impersonate_token())
 *
 * A failed acquire reads "acquire=-ERRNO".
 */
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../../kmod/ksspi.h"

#define CMD_MAX		256
#define RESULT_MAX	4096
#define OUT_MAX		2048

static struct dentry *dir;
static DEFINE_MUTEX(run_lock);
static char result[RESULT_MAX];

static void run_initiate(const char *pkg, const char *target)
{
	struct ksspi_context *ctx = NULL;
	struct ksspi_cred *cred;
	struct ksspi_leg leg = {};
	s32 status;
	int ret;
	u8 *out;

	ret = ksspi_acquire_credentials(pkg, SECPKG_CRED_OUTBOUND, NULL, &cred);
	if (ret) {
		snprintf(result, sizeof(result), "acquire=%d\n", ret);
		return;
	}
	out = kzalloc(OUT_MAX + 1, GFP_KERNEL);
	if (!out) {
		snprintf(result, sizeof(result), "nomem\n");
		goto out_cred;
	}
	leg.out = out;
	leg.out_size = OUT_MAX;
	status = ksspi_initialize_security_context(cred, &ctx, target, 0, &leg);
	out[leg.out_len <= OUT_MAX ? leg.out_len : 0] = 0;
	snprintf(result, sizeof(result), "status=%#x out=%s\n", (u32)status,
		 out);
	ksspi_delete_security_context(ctx);
	kfree(out);
out_cred:
	ksspi_free_credentials(cred);
}

static void run_accept(const char *pkg, const char *input)
{
	struct ksspi_context *ctx = NULL;
	struct ksspi_token *tok = NULL;
	const struct cred *old;
	struct ksspi_cred *cred;
	struct ksspi_leg leg = {};
	u8 key[64], out[64];
	u32 enctype = 0;
	uid_t fsuid;
	s32 status;
	int ret, klen;

	ret = ksspi_acquire_credentials(pkg, SECPKG_CRED_INBOUND, NULL, &cred);
	if (ret) {
		snprintf(result, sizeof(result), "acquire=%d\n", ret);
		return;
	}
	leg.in = input;
	leg.in_len = strlen(input);
	leg.out = out;
	leg.out_size = sizeof(out);
	status = ksspi_accept_security_context(cred, &ctx, 0, &leg);
	if (status != SEC_E_OK) {
		snprintf(result, sizeof(result), "status=%#x\n", (u32)status);
		goto out;
	}
	klen = ksspi_query_context_session_key(ctx, key, sizeof(key),
					       &enctype);
	memzero_explicit(key, sizeof(key));
	if (ksspi_query_security_context_token(ctx, &tok) != SEC_E_OK) {
		snprintf(result, sizeof(result), "status=%#x notoken\n",
			 (u32)status);
		goto out;
	}
	old = ksspi_impersonate_token(tok);
	if (IS_ERR(old)) {
		snprintf(result, sizeof(result), "impersonate=%ld\n",
			 PTR_ERR(old));
		goto out;
	}
	fsuid = from_kuid(&init_user_ns, current_fsuid());
	ksspi_revert(old);
	snprintf(result, sizeof(result),
		 "status=%#x key=%d enctype=%u uid=%u level=%u name=%s fsuid=%u\n",
		 (u32)status, klen, enctype,
		 from_kuid(&init_user_ns, ksspi_token_uid(tok)),
		 ksspi_token_level(tok), ksspi_token_name(tok), fsuid);
out:
	ksspi_token_put(tok);
	ksspi_delete_security_context(ctx);
	ksspi_free_credentials(cred);
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	char cmd[CMD_MAX], *p, *verb, *pkg;
	ssize_t ret = len;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = 0;
	strim(cmd);
	p = cmd;
	verb = strsep(&p, " ");
	pkg = strsep(&p, " ");
	if (!verb || !pkg || !p || !*p)
		return -EINVAL;

	mutex_lock(&run_lock);
	if (!strcmp(verb, "initiate"))
		run_initiate(pkg, p);
	else if (!strcmp(verb, "accept"))
		run_accept(pkg, p);
	else
		ret = -EINVAL;
	mutex_unlock(&run_lock);
	return ret;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&run_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, result, strlen(result));
	mutex_unlock(&run_lock);
	return ret;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
	.read = run_read,
	.llseek = default_llseek,
};

static int __init krb5_test_init(void)
{
	dir = debugfs_create_dir("ksspi_krb5_test", NULL);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	return 0;
}

static void __exit krb5_test_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(krb5_test_init);
module_exit(krb5_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi kerberos/negotiate in-kernel API test driver");
