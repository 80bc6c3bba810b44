# SPDX-License-Identifier: GPL-2.0
#
# ksspi-upcall, the request-key helper (helper/upcall/), and its host unit
# tests.  Included at the end of the top-level Makefile (O, CC, CFLAGS,
# WARN, CPPFLAGS_USER, KSFT come from there).
#
#   make            also builds $(O)/ksspi-upcall
#   make unit       host unit tests under ASan/UBSan (no kernel, no KDC)

UPCALL		:= $(O)/ksspi-upcall
UPCALL_MAIN	:= helper/upcall/main.c
UPCALL_SRCS	:= $(filter-out $(UPCALL_MAIN),$(wildcard helper/upcall/*.c))
UPCALL_HDRS	:= $(wildcard helper/upcall/*.h) uapi/linux/ksspi_upcall.h \
		   uapi/linux/ksspi.h
UPCALL_VERSION	:= $(shell sed -n 's/^MODULE_VERSION("\(.*\)");.*/\1/p' kmod/main.c)
UPCALL_WARN	:= $(WARN) -Wunused-parameter -Wshadow -Wformat=2 \
		   -Wmissing-prototypes -Wstrict-prototypes -Wvla
# It starts as root: the usual hardening of a privileged program.
UPCALL_HARDEN	:= -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
		   -fno-strict-aliasing
UPCALL_LDHARDEN	:= -pie -Wl,-z,relro,-z,now -Wl,--as-needed
UPCALL_LIBS	:= -lgssapi_krb5 -lkrb5 -lk5crypto -lkeyutils
UPCALL_CPPFLAGS	:= $(CPPFLAGS_USER) -DKSSPI_VERSION='"$(UPCALL_VERSION)"'

UNIT_TESTS	:= $(patsubst helper/upcall/tests/%.c,$(O)/upcall-unit/%, \
		   $(wildcard helper/upcall/tests/*_unit.c))
UNIT_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer

GSS_PEER	:= $(O)/upcall-gss-peer

.PHONY: upcall unit

all: $(UPCALL) $(GSS_PEER)
upcall: $(UPCALL)

# An MIT GSS-API peer (MIT's own SPNEGO) for upcall-check's interop tests.
$(GSS_PEER): helper/upcall/tests/gss-peer.c helper/upcall/proto.c \
		helper/upcall/proto.h $(O)/.dir
	$(CC) $(CFLAGS) $(UPCALL_WARN) $(UPCALL_CPPFLAGS) -Ihelper/upcall \
		-o $@ $< helper/upcall/proto.c -lgssapi_krb5

$(UPCALL): $(UPCALL_MAIN) $(UPCALL_SRCS) $(UPCALL_HDRS) $(O)/.dir kmod/main.c
	$(CC) $(CFLAGS) $(UPCALL_WARN) $(UPCALL_HARDEN) $(UPCALL_CPPFLAGS) \
		$(LDFLAGS) $(UPCALL_LDHARDEN) -o $@ $(UPCALL_MAIN) \
		$(UPCALL_SRCS) $(UPCALL_LIBS)

$(O)/upcall-unit/%: helper/upcall/tests/%.c helper/upcall/tests/unit.h \
		$(UPCALL_SRCS) $(UPCALL_HDRS) $(O)/.dir $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(WARN) -Wno-sign-compare -Wshadow -Wformat=2 \
		$(UNIT_SAN) $(UPCALL_CPPFLAGS) -Ihelper/upcall -I$(KSFT) \
		-o $@ $< $(UPCALL_SRCS) $(UPCALL_LIBS)

# Each test binary prints the kselftest "# Totals:" line; run-unit sums
# them into the "N passed, N failed, N skipped" line CI reads.
unit: $(UNIT_TESTS)
	helper/upcall/tests/run-unit $(UNIT_TESTS)
