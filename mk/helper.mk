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

.PHONY: upcall unit

all: $(UPCALL)
upcall: $(UPCALL)

$(UPCALL): $(UPCALL_MAIN) $(UPCALL_SRCS) $(UPCALL_HDRS) $(O)/.dir kmod/main.c
	$(CC) $(CFLAGS) $(UPCALL_WARN) $(UPCALL_HARDEN) $(UPCALL_CPPFLAGS) \
		$(LDFLAGS) $(UPCALL_LDHARDEN) -o $@ $(UPCALL_MAIN) \
		$(UPCALL_SRCS) $(UPCALL_LIBS)

$(O)/upcall-unit/%: helper/upcall/tests/%.c helper/upcall/tests/unit.h \
		$(UPCALL_SRCS) $(UPCALL_HDRS) $(O)/.dir $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(UPCALL_WARN) -Wno-sign-compare -Wno-missing-prototypes \
		$(UNIT_SAN) $(UPCALL_CPPFLAGS) -Ihelper/upcall -I$(KSFT) \
		-o $@ $< $(UPCALL_SRCS) $(UPCALL_LIBS)

# Each test binary prints the kselftest "# Totals:" line; the summary
# line at the end is what CI reads.
unit: $(UNIT_TESTS)
	@pass=0; fail=0; skip=0; \
	for t in $(UNIT_TESTS); do \
		out=$$(ASAN_OPTIONS=detect_leaks=1 $$t 2>&1); rc=$$?; \
		echo "$$out"; \
		tot=$$(echo "$$out" | grep -E '^# Totals:' | tail -n 1); \
		if [ -z "$$tot" ] || [ $$rc -ne 0 ] && ! echo "$$tot" | grep -q 'fail:[1-9]'; then \
			fail=$$((fail + 1)); continue; fi; \
		p=$$(echo "$$tot" | sed -E 's/.*pass:([0-9]+).*/\1/'); \
		f=$$(echo "$$tot" | sed -E 's/.*fail:([0-9]+).*/\1/'); \
		s=$$(echo "$$tot" | sed -E 's/.*skip:([0-9]+).*/\1/'); \
		pass=$$((pass + p)); fail=$$((fail + f)); skip=$$((skip + s)); \
	done; \
	echo "$$pass passed, $$fail failed, $$skip skipped"; \
	[ $$fail -eq 0 ]
