# SPDX-License-Identifier: GPL-2.0
#
# Message protection (MakeSignature, VerifySignature, EncryptMessage,
# DecryptMessage): the end-to-end suite build/selftests/msgprot_test (built
# by the generic kselftest rule) talks to build/gss-peer --msg.  See
# Documentation/userspace-api/ksspi-messages.rst.

LDLIBS_msgprot_test := -lgssapi_krb5 -lkrb5 -lkeyutils

$(O)/selftests/msgprot_test: $(O)/gss-peer

# make bench: build/ksspi-msg-bench, run by selftests/bench/msg-bench at the
# end of selftests/bench/krb5-bench (kernel API vs ioctl vs MIT userspace).
MSG_BENCH := $(O)/ksspi-msg-bench

bench: $(MSG_BENCH) kapi-module $(GSS_PEER)

$(MSG_BENCH): selftests/bench/msg-bench.c $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< $(O)/libksspi.a
