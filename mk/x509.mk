# SPDX-License-Identifier: GPL-2.0
#
# The x509 package, helper side (issue 6): helper/upcall/x509.c and
# certmap.c link libcrypto (OpenSSL 3, Debian libssl-dev); their unit tests
# (helper/upcall/tests/x509_unit.c, certmap_unit.c) build a test PKI with
# selftests/x509/mkcerts at run time.  Two libFuzzer targets: the rules
# parser and chain/DER input.

UPCALL_LIBS	+= -lcrypto

X509_FUZZ	:= $(patsubst selftests/fuzz/%_fuzz.c,%,$(wildcard selftests/fuzz/x509_*_fuzz.c))
FUZZ_ALL	+= $(X509_FUZZ)

ifeq ($(HAVE_FUZZ_CC),y)
fuzz-build: $(X509_FUZZ:%=$(FUZZ_OUT)/%_fuzz)
endif

$(FUZZ_OUT)/x509_certmap_fuzz: selftests/fuzz/x509_certmap_fuzz.c \
		helper/upcall/certmap.c helper/upcall/certmap.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -D_GNU_SOURCE -Ihelper/upcall -Iuapi \
		-o $@ $< helper/upcall/certmap.c -lcrypto

$(FUZZ_OUT)/x509_chain_fuzz: selftests/fuzz/x509_chain_fuzz.c \
		helper/upcall/x509.c helper/upcall/certmap.c helper/upcall/mapping.c \
		helper/upcall/proto.c helper/upcall/config.c $(wildcard helper/upcall/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -D_GNU_SOURCE -Ihelper/upcall -Iuapi \
		-o $@ $< helper/upcall/x509.c helper/upcall/certmap.c helper/upcall/mapping.c \
		helper/upcall/proto.c helper/upcall/config.c \
		-lcrypto -lkrb5 -lk5crypto -lcom_err
