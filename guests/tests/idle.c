/*
 * An idle guest: it registers its event callback, says so, and blocks in SCHEDOP_block with no
 * timer armed. With "forever" on its command line it never wakes again (nothing sends it an
 * event) and costs no CPU time until the toolstack destroys it; scenarios start a hundred of
 * them. Without it, it arms a 1 ms timer first, is woken by it, and powers off, so that the
 * guest suite can boot it.
 */
#include "pv.h"

#define EVTCHNOP_bind_virq 1
#define VIRQ_TIMER 0

struct bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    uint32_t port;
};

int guest_main(struct start_info *si)
{
    pv_events_init(si);
    if (pv_cmdline_has(si->cmd_line, "forever")) {
        pv_printf("idle: blocking until destroyed\n");
        for (;;) {
            HYPERVISOR_sched_op(SCHEDOP_block, 0);
        }
    }

    struct bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0, .port = 0 };
    pv_expect_eq("bind_virq_timer", HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind), 0);
    unsigned long long now = 0;
    pv_expect_eq("set_timer_op", HYPERVISOR_set_timer_op(now + 1000000), 0);
    pv_expect_eq("sched_block", HYPERVISOR_sched_op(SCHEDOP_block, 0), 0);
    pv_check("idle_woken_by_its_timer", pv_upcalls >= 1);
    return 0;
}
