# SPDX-License-Identifier: GPL-2.0
#
# The request-key upcall: its test module (selftests/upcall/), the scripted
# handler the test installs in /etc/request-key.d, and the test's library.
# Included at the end of the top-level Makefile.
#
#   make upcall-test-module   selftests/upcall/ksspi_upcall_test.ko

.PHONY: upcall-test-module upcall-clean

UPCALL_HANDLER := $(O)/selftests/upcall-handler

all: upcall-test-module $(UPCALL_HANDLER)

upcall-test-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/upcall \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

$(UPCALL_HANDLER): selftests/upcall/upcall-handler.c uapi/linux/ksspi_upcall.h \
		uapi/linux/ksspi.h $(O)/.dir
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< -lkeyutils

LDLIBS_upcall_test := -lkeyutils

KSRC_FILES += selftests/upcall/ksspi_upcall_test.c uapi/linux/ksspi_upcall.h

clean: upcall-clean

upcall-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/upcall clean
