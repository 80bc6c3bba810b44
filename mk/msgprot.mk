# SPDX-License-Identifier: GPL-2.0
#
# Message protection (MakeSignature, VerifySignature, EncryptMessage,
# DecryptMessage): the end-to-end suite build/selftests/msgprot_test (built
# by the generic kselftest rule) talks to build/gss-peer --msg.  See
# Documentation/userspace-api/ksspi-messages.rst.

LDLIBS_msgprot_test := -lgssapi_krb5 -lkrb5 -lkeyutils

$(O)/selftests/msgprot_test: $(O)/gss-peer
