// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_bench: measures the in-kernel impersonation pair against its floor
 * and against the per-request credential build in-kernel servers do today.
 *
 * Writing a count N to /sys/kernel/debug/ksspi_bench/run makes the writer's
 * identity (as ksspi credentials) authenticate to itself with the local
 * package through the in-kernel API, then times N iterations of:
 *
 *  floor   override_creds() + revert_creds() on a prepared cred;
 *  ksspi   ksspi_impersonate_token() + ksspi_revert();
 *  ksmbd   prepare_kernel_cred() + groups_alloc() + groups_sort() +
 *          set_groups() + override + revert + put_cred(), as ksmbd does
 *          for every request.
 *
 * Reading the file gives the results.  The writer must not be root (root
 * identities are refused by default) and should carry the supplementary
 * groups the per-request build is to copy.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>

#include "../../kmod/ksspi.h"
#include "../../kmod/compat.h"

static struct dentry *dir;
static DEFINE_MUTEX(bench_lock);
static char result[1024];

static struct ksspi_token *self_token(void)
{
	struct ksspi_cred *icred = NULL, *acred = NULL;
	struct ksspi_context *ictx = NULL, *actx = NULL;
	struct ksspi_token *tok = NULL;
	struct ksspi_leg leg = {};
	u8 *a = NULL, *b = NULL;
	char target[32];
	s32 st;

	snprintf(target, sizeof(target), "uid:%u",
		 from_kuid(&init_user_ns, current_euid()));
	a = kmalloc(4096, GFP_KERNEL);
	b = kmalloc(4096, GFP_KERNEL);
	if (!a || !b)
		goto out;
	if (ksspi_acquire_credentials("local", SECPKG_CRED_OUTBOUND, NULL,
				      &icred) ||
	    ksspi_acquire_credentials("local", SECPKG_CRED_INBOUND, NULL,
				      &acred))
		goto out;
	leg.out = a;
	leg.out_size = 4096;
	st = ksspi_initialize_security_context(icred, &ictx, target, 0, &leg);
	if (st != SEC_E_OK)
		goto out;
	leg.in = a;
	leg.in_len = leg.out_len;
	leg.out = b;
	st = ksspi_accept_security_context(acred, &actx, 0, &leg);
	if (st != SEC_E_OK)
		goto out;
	if (ksspi_query_security_context_token(actx, &tok) != SEC_E_OK)
		tok = NULL;
out:
	ksspi_delete_security_context(ictx);
	ksspi_delete_security_context(actx);
	ksspi_free_credentials(icred);
	ksspi_free_credentials(acred);
	kfree(a);
	kfree(b);
	return tok;
}

/* What ksmbd_override_fsids() does for every request. */
static int per_request_build(const struct cred *model)
{
	const struct group_info *src = model->group_info;
	struct group_info *gi;
	const struct cred *old;
	struct cred *cred;
	int i;

	cred = ksspi_prepare_kernel_cred();
	if (!cred)
		return -ENOMEM;
	cred->fsuid = model->euid;
	cred->fsgid = model->egid;
	gi = groups_alloc(src->ngroups);
	if (!gi) {
		abort_creds(cred);
		return -ENOMEM;
	}
	for (i = 0; i < src->ngroups; i++)
		gi->gid[i] = src->gid[i];
	groups_sort(gi);
	set_groups(cred, gi);
	put_group_info(gi);
	old = override_creds(cred);
	revert_creds(old);
	put_cred(cred);
	return 0;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *pos)
{
	u64 t0, floor_ns, ksspi_ns, ksmbd_ns;
	const struct cred *old, *prepared;
	struct ksspi_token *tok;
	unsigned int n, i;
	int ret;

	ret = kstrtouint_from_user(ubuf, len, 10, &n);
	if (ret)
		return ret;
	if (!n || n > 10000000)
		return -EINVAL;

	mutex_lock(&bench_lock);
	tok = self_token();
	if (!tok) {
		ret = -EACCES;
		goto out_unlock;
	}
	prepared = prepare_creds();
	if (!prepared) {
		ret = -ENOMEM;
		goto out_token;
	}

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		old = override_creds(prepared);
		revert_creds(old);
	}
	floor_ns = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		old = ksspi_impersonate_token(tok);
		if (IS_ERR(old)) {
			ret = PTR_ERR(old);
			goto out_prepared;
		}
		ksspi_revert(old);
	}
	ksspi_ns = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = per_request_build(current_cred());
		if (ret)
			goto out_prepared;
	}
	ksmbd_ns = ktime_get_ns() - t0;

	snprintf(result, sizeof(result),
		 "iterations %u, supplementary groups %d\n"
		 "floor  override_creds+revert_creds        %6llu ns/op\n"
		 "ksspi  ksspi_impersonate_token+revert     %6llu ns/op  %llu.%02llux the floor\n"
		 "ksmbd  per-request cred build (ksmbd)     %6llu ns/op  %llu.%02llux ksspi\n",
		 n, current_cred()->group_info->ngroups,
		 floor_ns / n, ksspi_ns / n,
		 ksspi_ns / floor_ns, ksspi_ns * 100 / floor_ns % 100,
		 ksmbd_ns / n,
		 ksmbd_ns / ksspi_ns, ksmbd_ns * 100 / ksspi_ns % 100);
	ret = len;
out_prepared:
	put_cred(prepared);
out_token:
	ksspi_token_put(tok);
out_unlock:
	mutex_unlock(&bench_lock);
	return ret;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *pos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, len, pos, result, strlen(result));
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.read = run_read,
	.write = run_write,
	.llseek = default_llseek,
};

static int __init bench_init(void)
{
	dir = debugfs_create_dir("ksspi_bench", NULL);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi impersonation benchmark");
