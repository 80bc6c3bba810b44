# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel: KASAN, kmemleak, lockdep, UBSAN, fault injection.
# Included at the end of the top-level Makefile.
#
#   make check-debug    build the debug kernel (once per machine, cached),
#                       ksspi.ko against it (in build/debug/src), and run the
#                       whole suite on it in the VM; any kernel report fails
#   make debug-kernel   only build (or find) the debug kernel, print its tree
#
# Cache: $(KSSPI_CACHE) or ~/.cache/ksspi/debug-kernel-<hash>/.
# See selftests/debug/README.md.

.PHONY: check-debug debug-kernel

check-debug: need-deps
	@$(MAKE) --no-print-directory all
	@selftests/debug/check

debug-kernel:
	@selftests/debug/build-kernel
