# SPDX-License-Identifier: GPL-2.0
#
# Socket-bound contexts and the sample in-kernel file server (issue 7).
# Included at the end of the top-level Makefile.
#
#   make fileserver-module   samples/ksspi-fileserver/ksspi_fileserver.ko
#                            (part of `make`)
#   build/ksspi-fsclient     the user-space client (part of `make`)
#   make bench-fileserver    requests/s through the sample server with and
#                            without impersonation (part of `make bench`)
#
# The tests are selftests/ksspi/socket_test.c and fileserver_test.c (built
# by the generic kselftest rule).  See
# Documentation/userspace-api/ksspi-socket.rst and
# samples/ksspi-fileserver/README.md.

FS_DIR		:= samples/ksspi-fileserver
FS_CLIENT	:= $(O)/ksspi-fsclient

LDLIBS_fileserver_test := -lkrb5 -lkeyutils

.PHONY: fileserver-module fileserver-clean bench-fileserver

all: fileserver-module $(FS_CLIENT)

$(O)/selftests/fileserver_test: $(FS_DIR)/ksspi_fs_proto.h $(FS_DIR)/fsclient.h

fileserver-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(FS_DIR) \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers W=1 modules

fileserver-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(FS_DIR) clean

clean: fileserver-clean

$(FS_CLIENT): $(FS_DIR)/ksspi-fsclient.c $(FS_DIR)/fsclient.h $(FS_DIR)/ksspi_fs_proto.h $(O)/libksspi.a
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_USER) -I$(FS_DIR) -o $@ $< $(O)/libksspi.a

KSRC_FILES += kmod/socket.c kmod/socket.h $(FS_DIR)/ksspi_fileserver.c

# Part of `make bench`: its own VM run, before the others.
BENCH_FS_N ?= 3000
bench: bench-fileserver
bench-fileserver: need-deps module fileserver-module $(FS_CLIENT)
	$(VM) --insmod ksspi.ko -- $(FS_DIR)/bench $(BENCH_FS_N)
