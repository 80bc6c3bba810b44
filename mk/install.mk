# SPDX-License-Identifier: GPL-2.0
#
# Install, uninstall, DKMS, and the ksspictl program.  Included at the end of
# the top-level Makefile, so KVER, O, CC, CFLAGS, WARN and CPPFLAGS_USER come
# from there.
#
#   make install   [DESTDIR=] [PREFIX=/usr/local] [INSTALL_MOD_STRIP=1]
#   make uninstall [DESTDIR=] [PREFIX=/usr/local]   removes exactly those files
#   make install-dkms / uninstall-dkms              register with DKMS (root)
#
# Everything installed is listed in INSTALLED below; `make install` builds
# nothing it does not need and writes nothing into the source tree, so it
# also works from a read-only tree that was built beforehand (pass
# `-o FILE` for the built files to stop make from even checking them).

# The one place the version lives is MODULE_VERSION() in kmod/main.c (what
# modinfo shows); dkms.conf, the pkg-config file and ksspictl take it from
# there.
VERSION := $(shell sed -n 's/^MODULE_VERSION("\(.*\)");.*/\1/p' kmod/main.c)
ifeq ($(VERSION),)
VERSION := unknown
endif

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
MANDIR		?= $(PREFIX)/share/man
# systemd-modules-load(8) and modprobe read /etc, whatever the prefix.
SYSCONFDIR	?= /etc
MODDIR		?= /lib/modules/$(KVER)/updates/ksspi
DKMS_SRC	?= /usr/src/ksspi-$(VERSION)

INSTALL		?= install
DEPMOD		?= depmod
LDCONFIG	?= ldconfig
DKMS		?= dkms

CTL		:= $(O)/ksspictl

# Every file `make install` creates, relative to DESTDIR.
INSTALLED := \
	$(MODDIR)/ksspi.ko \
	$(LIBDIR)/libksspi.so.1 \
	$(LIBDIR)/libksspi.so \
	$(LIBDIR)/libksspi.a \
	$(PKGCONFIGDIR)/libksspi.pc \
	$(INCLUDEDIR)/libksspi.h \
	$(INCLUDEDIR)/linux/ksspi.h \
	$(SBINDIR)/ksspictl \
	$(MANDIR)/man5/ksspi.conf.5 \
	$(MANDIR)/man7/ksspi.7 \
	$(MANDIR)/man8/ksspictl.8 \
	$(SYSCONFDIR)/modules-load.d/ksspi.conf

.PHONY: install uninstall install-dkms uninstall-dkms install-list

# ksspictl is part of `make` (all).
all: $(CTL)

# It checks the helper's configuration with the helper's own parser.
$(CTL): helper/ksspictl.c helper/lib/libksspi.h uapi/linux/ksspi.h \
		$(O)/libksspi.a kmod/main.c helper/upcall/config.c helper/upcall/config.h
	$(CC) $(CFLAGS) $(WARN) -Wunused-parameter -Wshadow -Wformat=2 \
		-Wmissing-prototypes -Wstrict-prototypes $(CPPFLAGS_USER) -Ihelper \
		-DKSSPI_VERSION='"$(VERSION)"' $(LDFLAGS) -o $@ $< \
		helper/upcall/config.c $(O)/libksspi.a -lkrb5

# The module, rebuilt only when its sources are newer (the `module` target
# always runs kbuild, which writes into the tree).
ksspi.ko: Kbuild $(wildcard kmod/*.c kmod/*.h) uapi/linux/ksspi.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

install-list:
	@printf '%s\n' $(INSTALLED)

install: ksspi.ko $(O)/libksspi.so.1 $(O)/libksspi.a $(CTL)
	$(INSTALL) -d $(DESTDIR)$(MODDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/modules-load.d
	$(INSTALL) -m 0644 ksspi.ko $(DESTDIR)$(MODDIR)/ksspi.ko
ifneq ($(INSTALL_MOD_STRIP),)
	strip --strip-debug $(DESTDIR)$(MODDIR)/ksspi.ko
endif
	$(INSTALL) -m 0755 $(O)/libksspi.so.1 $(DESTDIR)$(LIBDIR)/libksspi.so.1
	ln -sfn libksspi.so.1 $(DESTDIR)$(LIBDIR)/libksspi.so
	$(INSTALL) -m 0644 $(O)/libksspi.a $(DESTDIR)$(LIBDIR)/libksspi.a
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		helper/lib/libksspi.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libksspi.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libksspi.pc
	$(INSTALL) -m 0644 helper/lib/libksspi.h $(DESTDIR)$(INCLUDEDIR)/libksspi.h
	$(INSTALL) -m 0644 uapi/linux/ksspi.h $(DESTDIR)$(INCLUDEDIR)/linux/ksspi.h
	$(INSTALL) -m 0755 $(CTL) $(DESTDIR)$(SBINDIR)/ksspictl
	$(INSTALL) -m 0644 man/ksspi.conf.5 $(DESTDIR)$(MANDIR)/man5/ksspi.conf.5
	$(INSTALL) -m 0644 man/ksspi.7 $(DESTDIR)$(MANDIR)/man7/ksspi.7
	$(INSTALL) -m 0644 man/ksspictl.8 $(DESTDIR)$(MANDIR)/man8/ksspictl.8
	printf '# Load ksspi at boot (systemd-modules-load.service).\nksspi\n' \
		>$(DESTDIR)$(SYSCONFDIR)/modules-load.d/ksspi.conf
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/modules-load.d/ksspi.conf
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
	-$(LDCONFIG)
endif

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(MODDIR) 2>/dev/null || true
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
	-$(LDCONFIG)
endif

# DKMS rebuilds the module for every kernel installed later (AUTOINSTALL).
# The sources go to /usr/src/ksspi-VERSION with dkms.conf's
# #MODULE_VERSION# (the placeholder dh_dkms -V also fills) replaced.
install-dkms: uninstall-dkms
	@test "$(VERSION)" != unknown || \
		{ echo 'no MODULE_VERSION("...") in kmod/main.c' >&2; exit 1; }
	@command -v $(DKMS) >/dev/null || \
		{ echo "dkms is not installed: apt-get install dkms" >&2; exit 1; }
	@test -d /lib/modules/$(KVER)/build || \
		{ echo "no headers for $(KVER): apt-get install linux-headers-$(KVER)" >&2; exit 1; }
	@test ! -e $(MODDIR)/ksspi.ko || \
		echo "warning: $(MODDIR)/ksspi.ko (make install) is also there; 'make uninstall' it so that only the DKMS module remains" >&2
	$(INSTALL) -d $(DKMS_SRC)/kmod $(DKMS_SRC)/uapi/linux
	$(INSTALL) -m 0644 Kbuild $(DKMS_SRC)/Kbuild
	$(INSTALL) -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DKMS_SRC)/kmod/
	$(INSTALL) -m 0644 uapi/linux/ksspi.h $(DKMS_SRC)/uapi/linux/ksspi.h
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	$(DKMS) add -m ksspi -v $(VERSION)
	$(DKMS) build -m ksspi -v $(VERSION) -k $(KVER)
	$(DKMS) install -m ksspi -v $(VERSION) -k $(KVER)

uninstall-dkms:
	@if command -v $(DKMS) >/dev/null && \
	    [ -n "$$($(DKMS) status -m ksspi -v $(VERSION) 2>/dev/null)" ]; then \
		echo "$(DKMS) remove -m ksspi -v $(VERSION) --all"; \
		$(DKMS) remove -m ksspi -v $(VERSION) --all; \
	fi
	rm -rf $(DKMS_SRC)

# --- ksspi-upcall (the request-key helper; owned by the helper area) ---
#
# The helper, its man page, the request-key rule that runs it for keys of
# type "ksspi", and its configuration (installed only when absent, so an
# administrator's settings survive a reinstall; uninstall removes it).
UPCALL_INSTALLED := \
	$(SBINDIR)/ksspi-upcall \
	$(MANDIR)/man8/ksspi-upcall.8 \
	$(MANDIR)/man5/ksspi-certmap.5 \
	$(SYSCONFDIR)/request-key.d/ksspi.conf \
	$(SYSCONFDIR)/ksspi/upcall.conf
INSTALLED += $(UPCALL_INSTALLED)

.PHONY: install-upcall
install: install-upcall

install-upcall: $(O)/ksspi-upcall
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)/request-key.d \
		$(DESTDIR)$(SYSCONFDIR)/ksspi
	$(INSTALL) -m 0755 $(O)/ksspi-upcall $(DESTDIR)$(SBINDIR)/ksspi-upcall
	$(INSTALL) -m 0644 man/ksspi-upcall.8 \
		$(DESTDIR)$(MANDIR)/man8/ksspi-upcall.8
	$(INSTALL) -m 0644 man/ksspi-certmap.5 \
		$(DESTDIR)$(MANDIR)/man5/ksspi-certmap.5
	sed 's|@SBINDIR@|$(SBINDIR)|g' helper/upcall/request-key.conf.in \
		>$(DESTDIR)$(SYSCONFDIR)/request-key.d/ksspi.conf
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/request-key.d/ksspi.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/ksspi/upcall.conf || \
		$(INSTALL) -m 0644 helper/upcall/upcall.conf \
			$(DESTDIR)$(SYSCONFDIR)/ksspi/upcall.conf

uninstall: uninstall-upcall-dir
.PHONY: uninstall-upcall-dir
uninstall-upcall-dir:
	rm -f $(addprefix $(DESTDIR),$(UPCALL_INSTALLED))
	rmdir $(DESTDIR)$(SYSCONFDIR)/ksspi 2>/dev/null || true

# ksspictl_krb5_test gets tickets with libkrb5 and runs build/ksspictl.
LDLIBS_ksspictl_krb5_test := -lkrb5
$(O)/selftests/ksspictl_krb5_test: $(CTL)
