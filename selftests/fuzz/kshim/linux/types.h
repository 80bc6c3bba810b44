/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in: the uapi types, then the kernel's (../kshim.h). */
#include_next <linux/types.h>
#include <kshim.h>
