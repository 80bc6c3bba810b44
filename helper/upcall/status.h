/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: GSS-API/Kerberos status -> SECURITY_STATUS, as the table in
 * Documentation/admin-guide/ksspi-upcall.rst (and the agreed contract) says.
 */
#ifndef KSSPI_UPCALL_STATUS_H
#define KSSPI_UPCALL_STATUS_H

#include <stdint.h>

/* What was going on when GSS-API failed. */
enum kup_phase {
	KUP_PHASE_ACQUIRE,	/* getting credentials (either side) */
	KUP_PHASE_INIT_FIRST,	/* initiator, first leg (AP-REQ, TGS) */
	KUP_PHASE_INIT_REPLY,	/* initiator, verifying the AP-REP */
	KUP_PHASE_ACCEPT,	/* acceptor */
};

int32_t kup_map_status(enum kup_phase phase, uint32_t major, int32_t minor);
const char *kup_status_name(int32_t status);

/* Kerberos GSS mech minor codes (table k5g) and generic ones (ggss). */
#define KUP_KG_CCACHE_NOMATCH	39756032
#define KUP_KG_KEYTAB_NOMATCH	39756033
#define KUP_KG_TGT_MISSING	39756034
#define KUP_KG_BAD_LENGTH	39756038
#define KUP_KG_BAD_SEQ		39756043
#define KUP_KG_EMPTY_CCACHE	39756044
#define KUP_G_WRONG_MECH	(-2045022965)
#define KUP_G_BAD_TOK_HEADER	(-2045022964)
#define KUP_G_BAD_DIRECTION	(-2045022963)
#define KUP_G_TOK_TRUNC		(-2045022962)
#define KUP_G_REFLECT		(-2045022961)
#define KUP_G_WRONG_TOKID	(-2045022960)

#endif
