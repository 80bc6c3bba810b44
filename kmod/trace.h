/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi trace events: context legs, impersonation and helper upcalls.  Enable with
 * `echo 1 > /sys/kernel/tracing/events/ksspi/enable`.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ksspi

#if !defined(_KSSPI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KSSPI_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(ksspi_context_step,
	TP_PROTO(u64 id, const char *package, bool initiator, u32 old_state,
		 u32 new_state, s32 status, u32 in_len, u32 out_len),
	TP_ARGS(id, package, initiator, old_state, new_state, status, in_len,
		out_len),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(package, package)
		__field(bool, initiator)
		__field(u32, old_state)
		__field(u32, new_state)
		__field(s32, status)
		__field(u32, in_len)
		__field(u32, out_len)
	),
	TP_fast_assign(
		__entry->id = id;
		__assign_str(package, package);
		__entry->initiator = initiator;
		__entry->old_state = old_state;
		__entry->new_state = new_state;
		__entry->status = status;
		__entry->in_len = in_len;
		__entry->out_len = out_len;
	),
	TP_printk("ctx=%llu package=%s role=%s state=%u->%u status=0x%08x in=%u out=%u",
		  __entry->id, __get_str(package),
		  __entry->initiator ? "initiator" : "acceptor",
		  __entry->old_state, __entry->new_state,
		  (u32)__entry->status, __entry->in_len, __entry->out_len)
);

TRACE_EVENT(ksspi_impersonate,
	TP_PROTO(u64 token, u32 uid, u32 level, s32 status, bool kernel),
	TP_ARGS(token, uid, level, status, kernel),
	TP_STRUCT__entry(
		__field(u64, token)
		__field(u32, uid)
		__field(u32, level)
		__field(s32, status)
		__field(bool, kernel)
	),
	TP_fast_assign(
		__entry->token = token;
		__entry->uid = uid;
		__entry->level = level;
		__entry->status = status;
		__entry->kernel = kernel;
	),
	TP_printk("token=%llu uid=%u level=%u status=0x%08x api=%s",
		  __entry->token, __entry->uid, __entry->level,
		  (u32)__entry->status, __entry->kernel ? "kernel" : "user")
);

TRACE_EVENT(ksspi_revert,
	TP_PROTO(s32 status, bool kernel),
	TP_ARGS(status, kernel),
	TP_STRUCT__entry(
		__field(s32, status)
		__field(bool, kernel)
	),
	TP_fast_assign(
		__entry->status = status;
		__entry->kernel = kernel;
	),
	TP_printk("status=0x%08x api=%s", (u32)__entry->status,
		  __entry->kernel ? "kernel" : "user")
);

TRACE_EVENT(ksspi_upcall_start,
	TP_PROTO(u64 id, u16 op, u64 context, u32 uid, size_t len),
	TP_ARGS(id, op, context, uid, len),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u16, op)
		__field(u64, context)
		__field(u32, uid)
		__field(u32, len)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->op = op;
		__entry->context = context;
		__entry->uid = uid;
		__entry->len = len;
	),
	TP_printk("upcall=%llu op=%u ctx=%llu uid=%u len=%u",
		  __entry->id, __entry->op, __entry->context, __entry->uid,
		  __entry->len)
);

TRACE_EVENT(ksspi_upcall_done,
	TP_PROTO(u64 id, u16 op, u64 context, s64 duration_us, int result,
		 s32 status, const char *reason),
	TP_ARGS(id, op, context, duration_us, result, status, reason),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u16, op)
		__field(u64, context)
		__field(s64, duration_us)
		__field(int, result)
		__field(s32, status)
		__string(reason, reason)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->op = op;
		__entry->context = context;
		__entry->duration_us = duration_us;
		__entry->result = result;
		__entry->status = status;
		__assign_str(reason, reason);
	),
	TP_printk("upcall=%llu op=%u ctx=%llu duration_us=%lld result=%d status=0x%08x reason=\"%s\"",
		  __entry->id, __entry->op, __entry->context,
		  __entry->duration_us, __entry->result,
		  (u32)__entry->status, __get_str(reason))
);

#endif /* _KSSPI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
