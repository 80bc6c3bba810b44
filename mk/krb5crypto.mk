# SPDX-License-Identifier: GPL-2.0
#
# Kerberos message-protection crypto (kmod/krb5_crypto.c, kmod/krb5_token.c):
# its known-answer and token test module.  Included at the end of the
# top-level Makefile.
#
#   make krb5crypto-test-module   selftests/krb5crypto/ksspi_krb5crypto_test.ko,
#                                 loaded by build/selftests/krb5crypto_test
#                                 (KSSPI_KRB5CRYPTO_TEST_KO names another
#                                 build of it, e.g. for the debug kernel)

.PHONY: krb5crypto-test-module krb5crypto-clean

all: krb5crypto-test-module

krb5crypto-test-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/krb5crypto \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

KSRC_FILES += selftests/krb5crypto/ksspi_krb5crypto_test.c

clean: krb5crypto-clean

krb5crypto-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/krb5crypto clean
