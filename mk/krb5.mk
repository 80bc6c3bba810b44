# SPDX-License-Identifier: GPL-2.0
#
# The kerberos and negotiate packages' tests.  Included at the end of the
# top-level Makefile, so O, CC, CFLAGS, WARN, CPPFLAGS_USER and KDIR come
# from there.
#
#   build/selftests/kerberos_pkg_test   the kernel side of the packages,
#                                       through real request-key upcalls
#   build/selftests/ksspi-fake-upcall   the scripted helper it points
#                                       /etc/request-key.d at
#   make krb5-test-module               selftests/krb5pkg/ksspi_krb5_test.ko,
#                                       the in-kernel API driver it loads

.PHONY: krb5-test-module krb5-clean

FAKE_UPCALL := $(O)/selftests/ksspi-fake-upcall

all: krb5-test-module

tests: $(FAKE_UPCALL)

$(O)/selftests/kerberos_pkg_test: $(FAKE_UPCALL)

$(FAKE_UPCALL): selftests/krb5pkg/fake-upcall.c uapi/linux/ksspi.h \
		uapi/linux/ksspi_upcall.h $(O)/.dir
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< -lkeyutils

krb5-test-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/krb5pkg \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

KSRC_FILES += selftests/krb5pkg/ksspi_krb5_test.c

clean: krb5-clean

krb5-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/krb5pkg clean
