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
	kfree(cred);
}

void ksspi_cred_put(struct ksspi_cred *cred)
{
	if (cred)
		kref_put(&cred->ref, cred_release);
}

/**
 * ksspi_acquire_credentials() - Acquire a credentials handle.
 * @package: name of the package.
 * @use: %SECPKG_CRED_INBOUND, %SECPKG_CRED_OUTBOUND or %SECPKG_CRED_BOTH.
 * @principal: principal to act as, or NULL for the package's default for
 *	the calling thread's identity.
 * @credp: where to store the new handle.
 *
 * Return: 0, -ENOPKG for an unknown package, -EINVAL for a bad @use or a
 * malformed principal, -EPERM for a principal the caller may not claim,
 * -ENOMEM.
 */
int ksspi_acquire_credentials(const char *package, u32 use,
			      const char *principal, struct ksspi_cred **credp)
{
	const struct ksspi_package *pkg;
	struct ksspi_cred *cred;
	int ret;

	if (use != SECPKG_CRED_INBOUND && use != SECPKG_CRED_OUTBOUND &&
	    use != SECPKG_CRED_BOTH)
		return -EINVAL;
	pkg = ksspi_package_find(package);
	if (!pkg)
		return -ENOPKG;

	cred = kzalloc(sizeof(*cred), GFP_KERNEL);
	if (!cred)
		return -ENOMEM;
	kref_init(&cred->ref);
	cred->pkg = pkg;
	cred->use = use;
	if (principal) {
		cred->principal = kstrdup(principal, GFP_KERNEL);
		if (!cred->principal) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	cred->owner = get_current_cred();

	if (pkg->ops->cred_init) {
		ret = pkg->ops->cred_init(cred);
		if (ret)
			goto err_put_owner;
	}
	ksspi_stat_inc(KSSPI_STAT_CREDS);
	*credp = cred;
	return 0;

err_put_owner:
	put_cred(cred->owner);
	kfree(cred->principal);
err_free:
	kfree(cred);
	return ret;
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
