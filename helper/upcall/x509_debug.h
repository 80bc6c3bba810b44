/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall --x509-map CHAIN.pem: a certificate against the x509
 * configuration and rules, without the kernel (x509_debug.c).
 */
#ifndef KSSPI_UPCALL_X509_DEBUG_H
#define KSSPI_UPCALL_X509_DEBUG_H

int kx509_debug_map(int argc, char **argv);

#endif
