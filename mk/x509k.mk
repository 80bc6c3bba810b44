# SPDX-License-Identifier: GPL-2.0
#
# The x509 package (issue 6), the wire and kernel side: the helper's x509
# operations link libcrypto; the VM test links libkeyutils and libcrypto;
# the benchmark floor (selftests/x509/x509-floor) is a libcrypto program.
# Included at the end of the top-level Makefile.

UPCALL_LIBS += -lcrypto

KSRC_FILES += kmod/x509.c kmod/x509.h

LDLIBS_x509_test := -lkeyutils -lcrypto
