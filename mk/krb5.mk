# SPDX-License-Identifier: GPL-2.0
#
# The kerberos and negotiate packages' tests.  Included at the end of the
# top-level Makefile, so O, CC, CFLAGS, WARN and CPPFLAGS_USER come from
# there.
#
#   build/selftests/kerberos_pkg_test   the kernel side of the packages,
#                                       through real request-key upcalls
#   build/selftests/ksspi-fake-upcall   the scripted helper it points
#                                       /etc/request-key.d at

FAKE_UPCALL := $(O)/selftests/ksspi-fake-upcall


tests: $(FAKE_UPCALL)

$(O)/selftests/kerberos_pkg_test: $(FAKE_UPCALL)

$(FAKE_UPCALL): selftests/krb5/fake-upcall.c uapi/linux/ksspi.h \
		uapi/linux/ksspi_upcall.h $(O)/.dir
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< -lkeyutils
