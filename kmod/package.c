// SPDX-License-Identifier: GPL-2.0
/*
 * The package registry (EnumerateSecurityPackages, QuerySecurityPackageInfo).
 *
 * Packages are built into this module and registered at load time; the
 * registry is read far more often than written, so readers take the rwsem
 * shared.
 */
#include <linux/rwsem.h>
#include <linux/string.h>
#include <linux/errno.h>

#include "package.h"

static LIST_HEAD(packages);
static DECLARE_RWSEM(packages_lock);

int ksspi_package_register(struct ksspi_package *pkg)
{
	struct ksspi_package *p;
	int ret = 0;

	down_write(&packages_lock);
	list_for_each_entry(p, &packages, list) {
		if (!strcmp(p->name, pkg->name) || p->id == pkg->id) {
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&pkg->list, &packages);
out:
	up_write(&packages_lock);
	return ret;
}

void ksspi_package_unregister(struct ksspi_package *pkg)
{
	down_write(&packages_lock);
	list_del(&pkg->list);
	up_write(&packages_lock);
}

/*
 * Packages live as long as the module, so the pointer stays valid without a
 * reference once found.
 */
const struct ksspi_package *ksspi_package_find(const char *name)
{
	struct ksspi_package *p, *found = NULL;

	down_read(&packages_lock);
	list_for_each_entry(p, &packages, list) {
		if (!strcmp(p->name, name)) {
			found = p;
			break;
		}
	}
	up_read(&packages_lock);
	return found;
}

int ksspi_package_enum(int (*fn)(const struct ksspi_package *pkg, void *arg),
		       void *arg)
{
	struct ksspi_package *p;
	int ret = 0;

	down_read(&packages_lock);
	list_for_each_entry(p, &packages, list) {
		ret = fn(p, arg);
		if (ret)
			break;
	}
	up_read(&packages_lock);
	return ret;
}
