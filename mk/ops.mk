# SPDX-License-Identifier: GPL-2.0
#
# Operations and hardening odds and ends of agent-ops.  Included at the end
# of the top-level Makefile.

# failslab_test sweeps the Kerberos flows too: tickets with libkrb5
# (selftests/ksspi/krb5_e2e.h).
LDLIBS_failslab_test := -lkrb5

# selftests/suite.d/installed runs Kerberos suites against an installed
# ksspi (make install in the VM): these copies link libksspi.so.1
# dynamically, found by the dynamic linker where make install put it (no
# rpath), so they fail if the installed library is missing or broken.
INSTALLED_TESTS := $(O)/installed/kerberos_test $(O)/installed/ksspictl_krb5_test
all: $(INSTALLED_TESTS)

$(O)/installed/%: selftests/ksspi/%.c $(wildcard selftests/ksspi/*.h) $(O)/libksspi.so.1 \
		$(KSFT)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -Wno-sign-compare $(CPPFLAGS_USER) -I$(KSFT) -pthread -o $@ $< \
		-L$(O) -lksspi $(LDLIBS_$*)
