// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_upcall_test: lets selftests/ksspi/upcall_test.c drive
 * ksspi_upcall() through /sys/kernel/debug/ksspi_upcall_test/call (see
 * upcall_test.h).  For tests only: it hands the internal upcall to whoever
 * can open a root-only debugfs file.
 */
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "../../kmod/upcall.h"
#include "upcall_test.h"

MODULE_IMPORT_NS(KSSPI_INTERNAL);

/* Room for a 64 KiB token in hex, and the rest. */
#define TEXT_MAX	(512 * 1024)

struct ut_file {
	struct mutex lock;	/* serialises calls on one open file */
	char *text;
	size_t len;
};

static struct dentry *dir;

static __printf(2, 3) void put_text(struct ut_file *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->len += vscnprintf(f->text + f->len, TEXT_MAX - f->len, fmt, ap);
	va_end(ap);
}

static void put_hex(struct ut_file *f, const char *name, const u8 *p, u32 len)
{
	u32 i;

	put_text(f, "%s ", name);
	if (!p)
		put_text(f, "-");
	for (i = 0; i < len; i++)
		put_text(f, "%02x", p[i]);
	put_text(f, "\n");
}

static void format_reply(struct ut_file *f, const struct ksspi_upcall_reply *r)
{
	int i;

	f->len = 0;
	put_text(f, "status 0x%08x\n", (u32)r->status);
	put_text(f, "ret_flags 0x%x\n", r->ret_flags);
	put_text(f, "gss %u %u\n", r->gss_major, r->gss_minor);
	put_text(f, "expiry %lld\n", r->expiry);
	put_text(f, "uid %d\n", uid_valid(r->uid) ?
		 (int)from_kuid(&init_user_ns, r->uid) : -1);
	put_text(f, "gid %d\n", gid_valid(r->gid) ?
		 (int)from_kgid(&init_user_ns, r->gid) : -1);
	put_text(f, "groups %d", r->groups ? r->groups->ngroups : 0);
	for (i = 0; r->groups && i < r->groups->ngroups; i++)
		put_text(f, " %u", from_kgid(&init_user_ns, r->groups->gid[i]));
	put_text(f, "\n");
	put_text(f, "level %u\n", r->level);
	put_text(f, "enctype %u\n", r->enctype);
	put_hex(f, "output", r->output, r->output_len);
	put_hex(f, "state", r->state, r->state_len);
	put_text(f, "client_name %s\n", r->client_name ?: "-");
	put_text(f, "server_name %s\n", r->server_name ?: "-");
	put_text(f, "local_name %s\n", r->local_name ?: "-");
	put_text(f, "message %s\n", r->message ?: "-");
	put_hex(f, "session_key", r->session_key, r->session_key_len);
	put_text(f, "delegated %u\n", r->delegated ? r->delegated_len : 0);
	put_text(f, "instantiator %d\n", !!r->instantiator);
}

static int ut_open(struct inode *inode, struct file *file)
{
	struct ut_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->text = kvmalloc(TEXT_MAX, GFP_KERNEL);
	if (!f->text) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int ut_release(struct inode *inode, struct file *file)
{
	struct ut_file *f = file->private_data;

	kvfree(f->text);
	kfree(f);
	return 0;
}

static int parse_request(const u8 *buf, size_t len,
			 struct ksspi_upcall_req *req)
{
	const struct ut_request *u = (const void *)buf;
	size_t off = sizeof(*u);
	unsigned int i;

	if (len < sizeof(*u) || u->nr_items > UT_ITEMS_MAX ||
	    u->nr_items > KSSPI_UPCALL_ITEMS_MAX)
		return -EINVAL;
	req->op = u->op;
	req->flags = u->flags;
	req->context_id = u->context_id;
	req->package_id = u->package_id;
	req->leg = u->leg;
	req->req_flags = u->req_flags;
	req->cred_use = u->cred_use;
	req->nr_items = u->nr_items;
	for (i = 0; i < u->nr_items; i++) {
		if (u->items[i].len > len - off)
			return -EINVAL;
		req->items[i].type = u->items[i].type;
		req->items[i].len = u->items[i].len;
		req->items[i].data = buf + off;
		off += u->items[i].len;
	}
	return off == len ? 0 : -EINVAL;
}

static ssize_t ut_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	struct ut_file *f = file->private_data;
	struct ksspi_upcall_req req = {};
	struct ksspi_upcall_reply *reply;
	u8 *buf;
	int ret;

	if (len > UT_WRITE_MAX)
		return -EMSGSIZE;
	buf = vmemdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = parse_request(buf, len, &req);
	if (ret)
		goto out;
	req.requester = current_cred();
	mutex_lock(&f->lock);
	f->len = 0;
	ret = ksspi_upcall(&req, &reply);
	if (!ret) {
		format_reply(f, reply);
		ksspi_upcall_reply_free(reply);
	}
	mutex_unlock(&f->lock);
out:
	kvfree(buf);
	return ret ? ret : len;
}

static ssize_t ut_read(struct file *file, char __user *ubuf, size_t len,
		       loff_t *ppos)
{
	struct ut_file *f = file->private_data;
	ssize_t ret;

	mutex_lock(&f->lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, f->text, f->len);
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations ut_fops = {
	.owner = THIS_MODULE,
	.open = ut_open,
	.release = ut_release,
	.write = ut_write,
	.read = ut_read,
	.llseek = default_llseek,
};

static int __init ut_init(void)
{
	dir = debugfs_create_dir("ksspi_upcall_test", NULL);
	debugfs_create_file("call", 0600, dir, NULL, &ut_fops);
	return 0;
}

static void __exit ut_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(ut_init);
module_exit(ut_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi upcall test driver (selftests only)");
