// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials handles (AcquireCredentialsHandle, FreeCredentialsHandle).
 *
 * A handle captures the identity of the thread that acquires it, once: what
 * the thread does afterwards (impersonating, dropping privileges) does not
 * change on whose behalf the handle authenticates.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/export.h>

#include "object.h"
#include "package.h"
#include "stats.h"

struct ksspi_cred *ksspi_cred_get(struct ksspi_cred *cred)
{
	kref_get(&cred->ref);
	return cred;
}

static void cred_release(struct kref *ref)
{
	struct ksspi_cred *cred = container_of(ref, struct ksspi_cred, ref);

	if (cred->pkg->ops->cred_free)
		cred->pkg->ops->cred_free(cred);
	put_cred(cred->owner);
	kfree(cred->principal);
	kfree(cred->ccache);
	kfree(cred->keytab);
	kfree(cred);
}

void ksspi_cred_put(struct ksspi_cred *cred)
{
	if (cred)
		kref_put(&cred->ref, cred_release);
}

/* A copy of @s, or NULL for NULL; *@err is set on failure. */
static char *dup_or_null(const char *s, int *err)
{
	char *d;

	if (!s)
		return NULL;
	d = kstrdup(s, GFP_KERNEL);
	if (!d)
		*err = -ENOMEM;
	return d;
}

/**
 * ksspi_cred_acquire() - Acquire a credentials handle.
 * @args: the package, use, names and origin (kernel or user).
 * @credp: where to store the new handle.
 *
 * The handle captures the calling thread's credentials as its owner.  The
 * package's cred_init may sleep in an upcall and fail with -EINTR.
 *
 * Return: 0, -ENOPKG for an unknown package, -EINVAL for a bad use or a
 * name the package does not take, a package's errno, -ENOMEM.
 */
int ksspi_cred_acquire(const struct ksspi_cred_args *args,
		       struct ksspi_cred **credp)
{
	const struct ksspi_package *pkg;
	struct ksspi_cred *cred;
	int ret = 0;

	if (args->use != SECPKG_CRED_INBOUND &&
	    args->use != SECPKG_CRED_OUTBOUND &&
	    args->use != SECPKG_CRED_BOTH)
		return -EINVAL;
	pkg = ksspi_package_find(args->package);
	if (!pkg)
		return -ENOPKG;

	cred = kzalloc(sizeof(*cred), GFP_KERNEL);
	if (!cred)
		return -ENOMEM;
	kref_init(&cred->ref);
	cred->pkg = pkg;
	cred->use = args->use;
	cred->kernel = args->kernel;
	cred->principal = dup_or_null(args->principal, &ret);
	cred->ccache = dup_or_null(args->ccache, &ret);
	cred->keytab = dup_or_null(args->keytab, &ret);
	if (ret)
		goto err_free;
	cred->owner = get_current_cred();

	if (pkg->ops->cred_init) {
		cred->pkg_args = args->pkg_args;
		ret = pkg->ops->cred_init(cred);
		cred->pkg_args = NULL;
		if (ret)
			goto err_put_owner;
	}
	ksspi_stat_inc(KSSPI_STAT_CREDS);
	*credp = cred;
	return 0;

err_put_owner:
	put_cred(cred->owner);
err_free:
	kfree(cred->principal);
	kfree(cred->ccache);
	kfree(cred->keytab);
	kfree(cred);
	return ret;
}

/**
 * ksspi_acquire_credentials() - Acquire a credentials handle for kernel code.
 * @package: name of the package.
 * @use: %SECPKG_CRED_INBOUND, %SECPKG_CRED_OUTBOUND or %SECPKG_CRED_BOTH.
 * @principal: principal to act as, or NULL for the package's default for
 *	the calling thread's identity.
 * @credp: where to store the new handle.
 *
 * The handle belongs to kernel code: packages that consult the helper use
 * the system's keytab and credentials for it (see
 * Documentation/userspace-api/kerberos.rst), whichever task calls.
 *
 * Return: 0, -ENOPKG for an unknown package, -EINVAL for a bad @use or a
 * malformed principal, -EPERM for a principal the caller may not claim,
 * the kerberos and negotiate packages' errnos (-ENOKEY, -EHOSTUNREACH,
 * -ETIMEDOUT, -EBADMSG, -EINTR, -EACCES, -EPROTO), -ENOMEM.
 */
int ksspi_acquire_credentials(const char *package, u32 use,
			      const char *principal, struct ksspi_cred **credp)
{
	const struct ksspi_cred_args args = {
		.package = package,
		.use = use,
		.principal = principal,
		.kernel = true,
	};

	return ksspi_cred_acquire(&args, credp);
}
EXPORT_SYMBOL_GPL(ksspi_acquire_credentials);

/**
 * ksspi_free_credentials() - Drop a reference to a credentials handle.
 * @cred: the handle, or NULL.
 *
 * Contexts made from it keep it alive as long as they need it.
 */
void ksspi_free_credentials(struct ksspi_cred *cred)
{
	ksspi_cred_put(cred);
}
EXPORT_SYMBOL_GPL(ksspi_free_credentials);
