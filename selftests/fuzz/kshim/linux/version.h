/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in: the uapi header, then ../kshim.h. */
#include_next <linux/version.h>
#include <kshim.h>
