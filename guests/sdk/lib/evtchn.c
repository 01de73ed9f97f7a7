/* ActorVisor guest SDK: event channel helpers and system time (see evtchn.h). */
#include "pv.h"
#include "evtchn.h"

/* shared_info: vcpu_info[0] at 0 (upcall_pending @0, pending_sel @sizeof(long), time @32),
 * evtchn_pending at 2048 for both widths. */
#define PENDING_OFFSET 2048
#define TIME_OFFSET 32

struct bind_interdomain {
    uint16_t remote_dom;
    uint32_t remote_port;
    uint32_t local_port;
};

struct sched_poll {
    uint32_t *ports;
    uint32_t nr_ports;
    uint64_t timeout;
};

long evtchn_alloc_unbound(unsigned remote_dom, uint32_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = (uint16_t)remote_dom, .port = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    *port = op.port;
    return rc;
}

long evtchn_bind_interdomain(unsigned remote_dom, uint32_t remote_port, uint32_t *local_port)
{
    struct bind_interdomain op = { .remote_dom = (uint16_t)remote_dom, .remote_port = remote_port, .local_port = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    *local_port = op.local_port;
    return rc;
}

long evtchn_notify(uint32_t port)
{
    struct evtchn_port_arg op = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_test_and_clear(uint32_t port)
{
    volatile unsigned long *pending = (volatile unsigned long *)(pv_shared_info + PENDING_OFFSET);
    unsigned long bit = 1ul << (port % (8 * sizeof(long)));
    volatile unsigned long *word = &pending[port / (8 * sizeof(long))];
    if (!(*word & bit)) {
        return 0;
    }
    __sync_fetch_and_and(word, ~bit);
    pv_shared_info[0] = 0;                                          /* evtchn_upcall_pending */
    *(volatile unsigned long *)(pv_shared_info + sizeof(long)) = 0; /* evtchn_pending_sel */
    return 1;
}

int evtchn_wait(uint32_t port, uint64_t timeout_ns)
{
    uint64_t deadline = timeout_ns ? pv_system_time_ns() + timeout_ns : 0;
    for (;;) {
        if (evtchn_test_and_clear(port)) {
            return 1;
        }
        if (deadline && pv_system_time_ns() >= deadline) {
            return 0;
        }
        /* Nothing of ours is pending: clear the flags so that the next event kicks this vCPU. */
        pv_shared_info[0] = 0;
        *(volatile unsigned long *)(pv_shared_info + sizeof(long)) = 0;
        struct sched_poll poll = { .ports = &port, .nr_ports = 1, .timeout = deadline };
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t pv_system_time_ns(void)
{
    volatile char *t = pv_shared_info + TIME_OFFSET;
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
        return base + ((delta >> 32) * mul) + (((delta & 0xffffffffu) * mul) >> 32);
    }
}
