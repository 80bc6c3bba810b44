# SPDX-License-Identifier: GPL-2.0
#
# ksspi: build the module (through Kbuild), the user library, the helper
# programs and the selftests; run them in a VM.  `make help` lists targets.

KVER	?= $(notdir $(patsubst %/build,%,$(firstword $(wildcard /lib/modules/*/build))))
KDIR	?= /lib/modules/$(KVER)/build
KSRC	?= /usr/src/linux-source-6.1
KSFT	:= $(KSRC)/tools/testing/selftests
O	:= build

CC	?= cc
CFLAGS	?= -O2 -g
WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter
# The harness's EXPECT_*(literal, unsigned) trips -Wsign-compare.
CPPFLAGS_USER := -Iuapi -Ihelper/lib -D_GNU_SOURCE
LIB	:= $(O)/libksspi.so.1 $(O)/libksspi.a
TESTS	:= $(patsubst selftests/ksspi/%.c,$(O)/selftests/%,$(wildcard selftests/ksspi/*_test.c))
DEMO	:= $(O)/ksspi-demo
VM	:= selftests/vm/run

.PHONY: uapi-check all module lib tests demo check demo-run deps need-deps style sparse \
	clean help ksrc bench bench-module

all: module lib tests $(DEMO) uapi-check

help:
	@echo "make            build the module, library, demo and tests"
	@echo "make check      build, then run the whole suite in a VM"
	@echo "make demo-run   (alias: make demo) walk through a scenario in a VM"
	@echo "make bench      impersonation benchmarks in a VM (ratios in one run)"
	@echo "make style      checkpatch --strict and kernel-doc"
	@echo "make sparse     sparse (C=2 W=1) over the module"
	@echo "make deps       install the Debian packages (root)"
	@echo "KDIR=...        kernel build tree (default $(KDIR))"

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

$(O)/.dir:
	mkdir -p $(O)/selftests
	touch $@

$(O)/libksspi.o: helper/lib/libksspi.c helper/lib/libksspi.h uapi/linux/ksspi.h $(O)/.dir
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -fPIC -fvisibility=hidden -c -o $@ $<

$(O)/libksspi.so.1: $(O)/libksspi.o
	$(CC) $(CFLAGS) -shared -Wl,-soname,libksspi.so.1 -o $@ $<
	ln -sf libksspi.so.1 $(O)/libksspi.so

$(O)/libksspi.a: $(O)/libksspi.o
	$(AR) rcs $@ $<

lib: $(LIB)

# The ABI header must stand alone, in C and in C++, with every warning.
uapi-check: $(O)/uapi-c.o $(O)/uapi-cxx.o

$(O)/uapi-c.o: uapi/linux/ksspi.h $(O)/.dir
	echo '#include <linux/ksspi.h>' | $(CC) -std=c99 -pedantic $(WARN) -Iuapi -x c -c -o $@ -

$(O)/uapi-cxx.o: uapi/linux/ksspi.h $(O)/.dir
	echo '#include <linux/ksspi.h>' | $(CXX) -std=c++11 -pedantic $(WARN) -Iuapi -x c++ -c -o $@ -

ksrc: $(KSFT)/kselftest_harness.h

$(KSFT)/kselftest_harness.h:
	@test -f /usr/src/linux-source-6.1.tar.xz || \
		{ echo "linux-source-6.1 is missing: run 'make deps'" >&2; exit 1; }
	tar -C /usr/src -xf /usr/src/linux-source-6.1.tar.xz
	touch $@

# A test that needs more libraries sets LDLIBS_<name> (e.g. in its mk/*.mk).
$(O)/selftests/%: selftests/ksspi/%.c $(wildcard selftests/ksspi/*.h) $(O)/libksspi.a \
		$(KSFT)/kselftest_harness.h
	$(CC) $(CFLAGS) $(WARN) -Wno-sign-compare $(CPPFLAGS_USER) -I$(KSFT) -pthread -o $@ $< \
		$(O)/libksspi.a $(LDLIBS_$*)

tests: $(TESTS)

$(O)/ksspi-demo: helper/demo/ksspi-demo.c $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< $(O)/libksspi.a

demo: all
	@$(MAKE) --no-print-directory demo-run

bench-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/bench \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

$(O)/ksspi-bench: selftests/bench/bench.c $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< $(O)/libksspi.a

$(O)/ksspi-krb5-bench: selftests/bench/krb5-bench.c $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -o $@ $< $(O)/libksspi.a \
		-lgssapi_krb5 -lkeyutils -lpthread

bench: need-deps all bench-module $(O)/ksspi-bench $(O)/ksspi-krb5-bench
	$(VM) --insmod ksspi.ko --insmod selftests/bench/ksspi_bench.ko \
		-- sh -c '$(O)/ksspi-bench $(BENCH_N) && \
			selftests/bench/krb5-bench $(BENCH_KRB5_N)'

need-deps:
	@selftests/deps --check || $(MAKE) --no-print-directory deps

deps:
	selftests/deps --install

check: need-deps
	@$(MAKE) --no-print-directory all
	@selftests/check

demo-run: need-deps
	$(VM) --insmod ksspi.ko -- helper/demo/run-demo

CHECKPATCH := $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE
KSRC_FILES := $(wildcard kmod/*.c kmod/*.h) selftests/bench/ksspi_bench.c uapi/linux/ksspi.h

# checkpatch does not understand TRACE_EVENT()'s layout (as in-tree trace
# headers show); trace.h still goes through kernel-doc.
style: ksrc
	$(CHECKPATCH) -f $(filter-out kmod/trace.h,$(KSRC_FILES))
	$(KSRC)/scripts/kernel-doc -none -Werror $(KSRC_FILES)

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/bench clean
	rm -rf $(O)

# One fragment per area, each owning its targets: install/uninstall/dkms
# (install.mk), check-debug (debug.mk), and whatever later areas add.
include $(sort $(wildcard mk/*.mk))
