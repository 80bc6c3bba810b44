/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: the debug tools that stand in for the kernel -- build a
 * request as the module would, and print or take apart a response -- so
 * a whole handshake can run on a host against a real KDC:
 *
 *   ksspi-upcall --make-request initiate --target host@srv | ksspi-upcall -D >i0
 *   ksspi-upcall --make-request accept --input-from i0 | ksspi-upcall -D >a0
 *   ksspi-upcall --make-request initiate --target host@srv --state-from i0 \
 *       --input-from a0 | ksspi-upcall -D | ksspi-upcall --show-response
 */
#ifndef KSSPI_UPCALL_DEBUG_H
#define KSSPI_UPCALL_DEBUG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int kup_debug_make_request(int argc, char **argv);
int kup_debug_show_response(int argc, char **argv);
int kup_debug_print_response(FILE *f, const uint8_t *msg, size_t len);

#endif
