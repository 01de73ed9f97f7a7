/*
 * Time and events: vcpu_time_info consistent with RDTSC, the wallclock,
 * VIRQ_TIMER from set_timer_op waited for with SCHEDOP_poll (events masked),
 * and SCHEDOP_block waking through the event upcall when the timer fires.
 */
#include "pv.h"

struct evtchn_bind_virq_local {
    uint32_t virq;
    uint32_t vcpu;
    uint32_t port;
};

struct sched_poll_local {
    uint32_t *ports;
    uint32_t nr_ports;
    uint64_t timeout;
};

#define EVTCHNOP_bind_virq 1
#define SCHEDOP_poll 3
#define VIRQ_TIMER 0

volatile char *shared_va;
volatile unsigned upcall_count;

void event_entry(void);
void failsafe_entry(void);

#if defined(__x86_64__)
#define PENDING_OFFSET 2048
#define WC_VERSION 3072
#define WC_SEC 3076
__asm__(
    ".text\n"
    ".globl event_entry\n"
    "event_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  push %rax\n"
    "  mov shared_va(%rip), %rax\n"
    "  movb $0, (%rax)\n"
    "  incl upcall_count(%rip)\n"
    "  pop %rax\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl failsafe_entry\n"
    "failsafe_entry:\n"
    "  jmp failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall3(HC_set_callbacks, event_entry, failsafe_entry, 0);
}
#else
#define PENDING_OFFSET 2048
#define WC_VERSION 2304
#define WC_SEC 2308
__asm__(
    ".text\n"
    ".globl event_entry\n"
    "event_entry:\n"
    "  push %eax\n"
    "  movl shared_va, %eax\n"
    "  movb $0, (%eax)\n"
    "  incl upcall_count\n"
    "  pop %eax\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl failsafe_entry\n"
    "failsafe_entry:\n"
    "  jmp failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall4(HC_set_callbacks, 0xe019, event_entry, 0xe019, failsafe_entry);
}
#endif

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* System time in ns from vcpu_info[0].time and RDTSC, with the version protocol. */
static uint64_t system_time(void)
{
    volatile char *t = shared_va + 32;
    for (;;) {
        uint32_t version = *(volatile uint32_t *)t;
        __asm__ volatile("" ::: "memory");
        uint64_t stamp = *(volatile uint64_t *)(t + 8);
        uint64_t base = *(volatile uint64_t *)(t + 16);
        uint32_t mul = *(volatile uint32_t *)(t + 24);
        int8_t shift = *(volatile int8_t *)(t + 28);
        uint64_t delta = rdtsc() - stamp;
        __asm__ volatile("" ::: "memory");
        if ((version & 1) || version != *(volatile uint32_t *)t) {
            continue;
        }
        delta = shift >= 0 ? delta << shift : delta >> -shift;
        /* (delta * mul) >> 32 without 128-bit arithmetic. */
        uint64_t scaled = ((delta >> 32) * mul) + (((delta & 0xffffffffu) * mul) >> 32);
        return base + scaled;
    }
}

static int port_pending(uint32_t port)
{
    volatile unsigned long *pending = (volatile unsigned long *)(shared_va + PENDING_OFFSET);
    return (pending[port / (8 * sizeof(long))] >> (port % (8 * sizeof(long)))) & 1;
}

static void clear_pending(uint32_t port)
{
    volatile unsigned long *pending = (volatile unsigned long *)(shared_va + PENDING_OFFSET);
    pending[port / (8 * sizeof(long))] &= ~(1ul << (port % (8 * sizeof(long))));
}

int guest_main(struct start_info *si)
{
    char *page = (char *)pv_first_free_page() + 16 * 4096;
    pv_expect_eq("map_shared_info",
                 HYPERVISOR_update_va_mapping((unsigned long)page, si->shared_info | PTE_P | PTE_RW | PTE_A, UVMF_INVLPG), 0);
    shared_va = page;

    uint32_t wc_version = *(volatile uint32_t *)(shared_va + WC_VERSION);
    uint32_t wc_sec = *(volatile uint32_t *)(shared_va + WC_SEC);
    pv_check("wallclock_version_is_even_and_set", wc_version != 0 && (wc_version & 1) == 0);
    pv_check("wallclock_is_in_2026_or_later", wc_sec >= 1767225600u);

    uint32_t mul = *(volatile uint32_t *)(shared_va + 32 + 24);
    pv_check("tsc_to_system_mul_is_set", mul != 0);
    uint64_t t0 = system_time();
    uint64_t t1 = system_time();
    pv_check("system_time_is_monotonic", t1 >= t0);

    struct evtchn_bind_virq_local bind = { .virq = VIRQ_TIMER, .vcpu = 0, .port = 0 };
    pv_expect_eq("bind_virq_timer", HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind), 0);
    pv_check("the_timer_port_is_not_0", bind.port != 0);
    pv_expect_eq("binding_virq_timer_twice_is_eexist", HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind), -XEN_EEXIST);

    /* set_timer_op + SCHEDOP_poll with events masked. */
    uint64_t deadline = system_time() + 1000000;
    pv_expect_eq("set_timer_op", HYPERVISOR_set_timer_op(deadline), 0);
    uint32_t ports[1] = { bind.port };
    struct sched_poll_local poll = { .ports = ports, .nr_ports = 1, .timeout = 0 };
    pv_expect_eq("sched_poll_on_the_timer_port", HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
    pv_check("the_timer_port_is_pending_after_poll", port_pending(bind.port));
    pv_check("poll_returned_at_or_after_the_deadline", system_time() >= deadline);

    /* SCHEDOP_block unmasks events; the timer wakes us through the upcall. */
    pv_expect_eq("set_callbacks", set_callbacks(), 0);
    clear_pending(bind.port);
    *(volatile unsigned long *)(shared_va + sizeof(long)) = 0; /* evtchn_pending_sel */
    shared_va[0] = 0;
    deadline = system_time() + 2000000;
    pv_expect_eq("set_timer_op_again", HYPERVISOR_set_timer_op(deadline), 0);
    pv_expect_eq("sched_block", HYPERVISOR_sched_op(SCHEDOP_block, 0), 0);
    pv_expect_eq("one_upcall_delivered", upcall_count, 1);
    pv_check("block_returned_at_or_after_the_deadline", system_time() >= deadline);
    pv_check("events_are_unmasked_after_block", shared_va[1] == 0);
    shared_va[1] = 1;
    return 0;
}
