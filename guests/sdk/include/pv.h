/*
 * ActorVisor guest SDK: hypercall wrappers through the hypercall page, console
 * output and the helpers test guests share.
 */
#ifndef AV_PV_H
#define AV_PV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "xen_abi.h"

extern char hypercall_page[4096];
extern struct start_info *pv_start_info;

#define HC_OFFSET(nr) ((nr) * 32)

#if defined(__x86_64__)
/* 64-bit: arguments in rdi, rsi, rdx, r10, r8; the stub saves rcx and r11. */
static inline long hypercall5(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3,
                              unsigned long a4, unsigned long a5)
{
    register unsigned long r_rdi __asm__("rdi") = a1;
    register unsigned long r_rsi __asm__("rsi") = a2;
    register unsigned long r_rdx __asm__("rdx") = a3;
    register unsigned long r_r10 __asm__("r10") = a4;
    register unsigned long r_r8 __asm__("r8") = a5;
    long result;
    __asm__ volatile("call *%[target]"
                     : "=a"(result), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx), "+r"(r_r10), "+r"(r_r8)
                     : [target] "r"(hypercall_page + HC_OFFSET(nr))
                     : "memory", "rcx", "r11");
    return result;
}
#else
/* 32-bit PAE: arguments in ebx, ecx, edx, esi, edi; entry through int 0x82. */
static inline long hypercall5(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3,
                              unsigned long a4, unsigned long a5)
{
    long result;
    unsigned long b = a1, c = a2, d = a3, s = a4, di = a5;
    __asm__ volatile("call *%%eax"
                     : "=a"(result), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di)
                     : "0"(hypercall_page + HC_OFFSET(nr))
                     : "memory");
    return result;
}
#endif

#define hypercall0(nr) hypercall5((nr), 0, 0, 0, 0, 0)
#define hypercall1(nr, a) hypercall5((nr), (unsigned long)(a), 0, 0, 0, 0)
#define hypercall2(nr, a, b) hypercall5((nr), (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define hypercall3(nr, a, b, c) hypercall5((nr), (unsigned long)(a), (unsigned long)(b), (unsigned long)(c), 0, 0)
#define hypercall4(nr, a, b, c, d) \
    hypercall5((nr), (unsigned long)(a), (unsigned long)(b), (unsigned long)(c), (unsigned long)(d), 0)

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
    return hypercall3(HC_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return hypercall2(HC_xen_version, cmd, arg);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return hypercall2(HC_sched_op, cmd, arg);
}

static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned count, unsigned *done, unsigned foreigndom)
{
    return hypercall4(HC_mmu_update, req, count, done, foreigndom);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned count, unsigned *done, unsigned foreigndom)
{
    return hypercall4(HC_mmuext_op, op, count, done, foreigndom);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
#if defined(__x86_64__)
    return hypercall3(HC_update_va_mapping, va, pte, flags);
#else
    return hypercall4(HC_update_va_mapping, va, (unsigned long)pte, (unsigned long)(pte >> 32), flags);
#endif
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return hypercall2(HC_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_memory_op(unsigned cmd, void *arg)
{
    return hypercall2(HC_memory_op, cmd, arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
    return hypercall3(HC_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_set_timer_op(uint64_t deadline)
{
#if defined(__x86_64__)
    return hypercall1(HC_set_timer_op, deadline);
#else
    return hypercall2(HC_set_timer_op, (unsigned long)deadline, (unsigned long)(deadline >> 32));
#endif
}

/* Console and test reporting (lib/console.c). */
int pv_vprintf(const char *fmt, va_list ap);
int pv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pv_check(const char *name, int ok);
void pv_expect_eq(const char *name, long actual, long expected);
int pv_failures(void);

/* Shutdown (lib/start.c). */
void pv_shutdown(unsigned reason) __attribute__((noreturn));

/* Memory helpers (lib/mm.c). */
unsigned long pv_virt_base(void);
unsigned long pv_pfn_to_mfn(unsigned long pfn);
unsigned long pv_va_to_mfn(const void *va);
void *pv_first_free_page(void);

/* Events (lib/events.c): shared_info mapped at pv_shared_info, an upcall that clears
 * evtchn_upcall_pending and counts itself in pv_upcalls. Returns 0, or -1 after a FAIL line. */
extern volatile char *pv_shared_info;
extern volatile unsigned pv_upcalls;
int pv_events_init(struct start_info *si);

/* True when the command line contains the word (as a substring). */
int pv_cmdline_has(const char *cmdline, const char *word);

/* Each test guest provides this; it returns 0 for poweroff, anything else crashes the domain. */
int guest_main(struct start_info *si);

#endif
