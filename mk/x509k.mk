# SPDX-License-Identifier: GPL-2.0
#
# The x509 package (issue 6), the wire and kernel side: the helper's x509
# operations link libcrypto; the VM test links libkeyutils and libcrypto;
# the benchmark floor (selftests/x509/x509-floor) is a libcrypto program.
# Included at the end of the top-level Makefile.

UPCALL_LIBS += -lcrypto


LDLIBS_x509_test := -lkeyutils -lcrypto

# The kernel-only TLS-peer entry's test module (KSSPI_X509_KAPI_KO).
.PHONY: x509-kapi-module x509-kapi-clean
all: x509-kapi-module
x509-kapi-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/x509kapi \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules
x509-kapi-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/x509kapi clean
clean: x509-kapi-clean
KSRC_FILES += selftests/x509kapi/ksspi_x509_kapi.c
