# SPDX-License-Identifier: GPL-2.0
#
# The end-to-end Kerberos suites: build/selftests/kerberos_test and
# kerberos_fault_test (built by the generic kselftest rule, with the
# libraries below), the MIT GSS-API peer they talk to (build/gss-peer) and
# the in-kernel API test module kerberos_test loads
# (selftests/kapi/ksspi_kapi.ko).  Included at the end of the top-level
# Makefile.  See Documentation/dev-tools/testing.rst, "Kerberos".

LDLIBS_kerberos_test := -lgssapi_krb5 -lkrb5 -lkeyutils
LDLIBS_kerberos_fault_test := $(LDLIBS_kerberos_test)

GSS_PEER := $(O)/gss-peer

.PHONY: kapi-module kapi-clean

all: $(GSS_PEER) kapi-module

$(O)/selftests/kerberos_test $(O)/selftests/kerberos_fault_test: $(GSS_PEER)

$(GSS_PEER): selftests/krb5/gss-peer.c $(O)/.dir
	$(CC) $(CFLAGS) $(WARN) -o $@ $< -lgssapi_krb5

# Built against the module's Module.symvers (for the exported API).
kapi-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kapi \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

kapi-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kapi clean

clean: kapi-clean

KSRC_FILES += selftests/kapi/ksspi_kapi.c
