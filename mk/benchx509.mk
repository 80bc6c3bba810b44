# SPDX-License-Identifier: GPL-2.0
#
# The x509 package's benchmark (issue 6), part of `make bench`:
#
#   make bench-x509   certificate logons per second (RSA-2048 and P-256 key
#                     files, an RSA key in a keyring), the time per leg, the
#                     helper alone (ksspi-upcall --x509-map --repeat) and
#                     the libcrypto floor, in one VM run
#                     (selftests/bench/x509-bench); prints ratios, never
#                     asserts on time.
#
# BENCH_X509_SECS is the seconds spent on each measurement (default 5).

BENCH_X509_SECS ?= 5

.PHONY: bench-x509
bench: bench-x509
bench-x509: need-deps all $(O)/ksspi-x509-logon-bench $(O)/ksspi-x509-floor
	$(VM) --insmod ksspi.ko -- selftests/bench/x509-bench $(BENCH_X509_SECS)

$(O)/ksspi-x509-logon-bench: selftests/bench/x509_logon_bench.c $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< $(O)/libksspi.a \
		-lkeyutils -lcrypto

$(O)/ksspi-x509-floor: selftests/bench/x509_floor.c
	$(CC) $(CFLAGS) $(WARN) -o $@ $< -lcrypto
