/*
 * Event channels through shared_info: map the shared_info page, bind an IPI
 * port, and check the pending/mask/selector protocol and the status query.
 */
#include "pv.h"

/* A page-aligned placeholder that shared_info is mapped over. */
static char shared_page[4096] __attribute__((aligned(4096)));

#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_unmask   9
#define EVTCHNSTAT_ipi    5

struct evtchn_bind_ipi {
    uint32_t vcpu;
    uint32_t port;
};

struct evtchn_status_arg {
    uint16_t dom;
    uint32_t port;
    uint32_t status;
    uint32_t vcpu;
    uint32_t detail[2];
};

static int test_bit(const volatile void *base, unsigned bit)
{
    return (((const volatile uint8_t *)base)[bit / 8] >> (bit % 8)) & 1;
}

static void set_bit(volatile void *base, unsigned bit)
{
    ((volatile uint8_t *)base)[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

int guest_main(struct start_info *si)
{
    pv_expect_eq("map_shared_info",
                 HYPERVISOR_update_va_mapping((unsigned long)shared_page, si->shared_info | PTE_P | PTE_RW | PTE_A, UVMF_INVLPG), 0);
    volatile uint8_t *vcpu0 = (volatile uint8_t *)shared_page;
#if defined(__x86_64__)
    volatile void *pending = shared_page + 2048;
    volatile void *mask = shared_page + 2560;
#else
    volatile void *pending = shared_page + 2048;
    volatile void *mask = shared_page + 2176;
#endif
    pv_check("events_start_masked", vcpu0[1] == 1);

    struct evtchn_bind_ipi ipi = { .vcpu = 0, .port = 0 };
    pv_expect_eq("bind_ipi", HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi), 0);
    unsigned port = ipi.port;

    set_bit(mask, port);
    struct evtchn_port_arg arg = { .port = port };
    pv_expect_eq("send_masked_ipi", HYPERVISOR_event_channel_op(EVTCHNOP_send, &arg), 0);
    pv_check("masked_port_is_pending", test_bit(pending, port));
    pv_check("masked_port_raises_no_upcall", vcpu0[0] == 0);

    pv_expect_eq("unmask", HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &arg), 0);
    pv_check("unmasking_a_pending_port_raises_the_upcall", vcpu0[0] == 1);

    struct evtchn_status_arg status = { .dom = DOMID_SELF, .port = port };
    pv_expect_eq("status", HYPERVISOR_event_channel_op(EVTCHNOP_status, &status), 0);
    pv_expect_eq("status_is_ipi", status.status, EVTCHNSTAT_ipi);

    pv_expect_eq("close", HYPERVISOR_event_channel_op(EVTCHNOP_close, &arg), 0);
    pv_expect_eq("send_on_a_closed_port_is_refused", HYPERVISOR_event_channel_op(EVTCHNOP_send, &arg), -XEN_EINVAL);
    return 0;
}
