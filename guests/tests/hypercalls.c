/* One check per hypercall family a small kernel uses at boot; prints PASS/FAIL lines. */
#include "pv.h"

int guest_main(struct start_info *si)
{
    long version = HYPERVISOR_xen_version(XENVER_version, 0);
    pv_check("xen_version_is_3_or_later", (version >> 16) >= 3);

    struct xen_feature_info features = { .submap_idx = 0, .submap = 0 };
    pv_expect_eq("xen_version_get_features", HYPERVISOR_xen_version(XENVER_get_features, &features), 0);
    pv_check("pv_guest_is_not_auto_translated", !(features.submap & (1u << XENFEAT_auto_translated_physmap)));
    pv_expect_eq("xen_version_pagesize", HYPERVISOR_xen_version(XENVER_pagesize, 0), 4096);

    features.submap_idx = 1;
    pv_expect_eq("xen_version_get_features_bad_index", HYPERVISOR_xen_version(XENVER_get_features, &features), -XEN_EINVAL);

    pv_expect_eq("console_io_write", HYPERVISOR_console_io(CONSOLEIO_write, 0, ""), 0);
    pv_expect_eq("sched_op_yield", HYPERVISOR_sched_op(SCHEDOP_yield, 0), 0);
    pv_expect_eq("unknown_hypercall_is_enosys", hypercall0(43), -XEN_ENOSYS);

    {
        uint16_t self = DOMID_SELF;
        pv_expect_eq("memory_op_current_reservation", HYPERVISOR_memory_op(XENMEM_current_reservation, &self),
                     (long)si->nr_pages);
    }

    pv_expect_eq("vcpu_op_is_up_vcpu0", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, 0), 1);
    pv_expect_eq("vcpu_op_unknown_vcpu", HYPERVISOR_vcpu_op(VCPUOP_is_up, 1000, 0), -XEN_ENOENT);
    pv_expect_eq("set_timer_op_cancel", HYPERVISOR_set_timer_op(0), 0);

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = 0, .port = 0 };
    pv_expect_eq("evtchn_alloc_unbound", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), 0);
    pv_check("evtchn_alloc_unbound_gives_a_port", alloc.port != 0);
    struct evtchn_port_arg close = { .port = alloc.port };
    pv_expect_eq("evtchn_close", HYPERVISOR_event_channel_op(EVTCHNOP_close, &close), 0);
    pv_expect_eq("evtchn_send_on_closed_port", HYPERVISOR_event_channel_op(EVTCHNOP_send, &close), -XEN_EINVAL);
    return 0;
}
