# SPDX-License-Identifier: GPL-2.0
#
# Hardening: how long the ABI fuzzer and the concurrency soak run, and the
# libFuzzer targets.  Included at the end of the top-level Makefile.
#
#   make check                       fuzz_test 15 s, soak_test 16 s (their defaults)
#   make check-debug                 both for $(DEBUG_FUZZ_SECONDS) / $(DEBUG_SOAK_SECONDS) s
#   make check-debug DEBUG_FUZZ_SECONDS=600 DEBUG_SOAK_SECONDS=600
#
# The tests read KSSPI_FUZZ_SECONDS / KSSPI_SOAK_SECONDS (the VM runner
# passes every KSSPI_* variable into the guest); one set in the environment
# wins over these defaults.  See Documentation/dev-tools/testing.rst.

DEBUG_FUZZ_SECONDS ?= 60
DEBUG_SOAK_SECONDS ?= 40

check-debug: export KSSPI_FUZZ_SECONDS ?= $(DEBUG_FUZZ_SECONDS)
check-debug: export KSSPI_SOAK_SECONDS ?= $(DEBUG_SOAK_SECONDS)

# ---- libFuzzer targets (selftests/fuzz/) -------------------------------------
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS=upcall_response]
#                       run each target for FUZZ_SECONDS on the host; new
#                       corpus units and crashes stay in build/fuzz/work/
#   make fuzz-build     only build them (part of `make`)
#
# Built with clang's libFuzzer, ASan and UBSan (Debian: clang,
# libclang-rt-14-dev; selftests/deps.d/hardening.list).  A target exists
# once its parser is in the tree.  Without clang `make` skips them and the
# suite reports the fuzz run as skipped.  `make check` runs them for a few
# seconds each in the VM (selftests/suite.d/fuzz).

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_CFLAGS	?= -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined
FUZZ_WARN	:= -Wall -Wextra -Wno-unused-parameter
FUZZ_OUT	:= $(O)/fuzz
HAVE_FUZZ_CC	:= $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo y)
KSHIM_HDRS	:= $(shell find selftests/fuzz/kshim -name '*.h' 2>/dev/null)

FUZZ_ALL :=
ifneq ($(wildcard kmod/upcall.c),)
FUZZ_ALL += upcall_response
endif
ifneq ($(wildcard helper/upcall/proto.c),)
FUZZ_ALL += helper_request
endif
ifneq ($(wildcard helper/upcall/config.c),)
FUZZ_ALL += helper_config
endif
ifneq ($(wildcard helper/upcall/mapping.c),)
FUZZ_ALL += helper_mapping
endif
FUZZ_TARGETS	?= $(FUZZ_ALL)
FUZZ_BINS	:= $(FUZZ_ALL:%=$(FUZZ_OUT)/%_fuzz)

.PHONY: fuzz fuzz-build

ifeq ($(HAVE_FUZZ_CC),y)
all: fuzz-build
fuzz-build: $(FUZZ_BINS)
else
fuzz-build:
	@echo "fuzz-build: $(FUZZ_CC) not found: the libFuzzer targets are not built (make deps)"
endif

# The kernel's decoding of helper responses, kmod/upcall.c as a userspace
# unit over selftests/fuzz/kshim (kernel code: its warnings are the
# kernel build's business, not -Werror here).
$(FUZZ_OUT)/upcall_response_fuzz: selftests/fuzz/upcall_response_fuzz.c kmod/upcall.c \
		$(wildcard kmod/*.h) $(wildcard uapi/linux/*.h) $(KSHIM_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Wno-unused-function -Wno-pointer-sign -Wno-sign-compare \
		-D_GNU_SOURCE -Iselftests/fuzz/kshim -Iuapi -o $@ $<

$(FUZZ_OUT)/helper_request_fuzz: selftests/fuzz/helper_request_fuzz.c helper/upcall/proto.c \
		$(wildcard helper/upcall/*.h) $(wildcard uapi/linux/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -D_GNU_SOURCE -Ihelper/upcall -Iuapi \
		-o $@ $< helper/upcall/proto.c

$(FUZZ_OUT)/helper_config_fuzz: selftests/fuzz/helper_config_fuzz.c helper/upcall/config.c \
		$(wildcard helper/upcall/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -D_GNU_SOURCE -Ihelper/upcall -Iuapi \
		-o $@ $< helper/upcall/config.c

$(FUZZ_OUT)/helper_mapping_fuzz: selftests/fuzz/helper_mapping_fuzz.c helper/upcall/mapping.c \
		helper/upcall/proto.c helper/upcall/config.c $(wildcard helper/upcall/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -D_GNU_SOURCE -Ihelper/upcall -Iuapi \
		-o $@ $< helper/upcall/mapping.c helper/upcall/proto.c helper/upcall/config.c \
		-lkrb5 -lk5crypto -lcom_err

fuzz: fuzz-build
	@selftests/fuzz/run --summary --seconds $(FUZZ_SECONDS) --work $(FUZZ_OUT)/work \
		$(FUZZ_TARGETS)
