# SPDX-License-Identifier: GPL-2.0
#
# Operations and hardening odds and ends of agent-ops.  Included at the end
# of the top-level Makefile.

# failslab_test sweeps the Kerberos flows too: tickets with libkrb5
# (selftests/ksspi/krb5_e2e.h).
LDLIBS_failslab_test := -lkrb5
