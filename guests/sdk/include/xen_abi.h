/*
 * ActorVisor guest SDK: the Xen PV ABI as our guests see it.
 * Our own definitions, written from the facts of Xen's public headers
 * (hypercall numbers, structure layouts, constants). Works for 64-bit and
 * 32-bit PAE guests: "unsigned long" is the ABI's xen_ulong_t/xen_pfn_t.
 */
#ifndef AV_XEN_ABI_H
#define AV_XEN_ABI_H

#include <stdint.h>

/* Hypercall numbers. */
#define HC_set_trap_table      0
#define HC_mmu_update          1
#define HC_set_gdt             2
#define HC_stack_switch        3
#define HC_set_callbacks       4
#define HC_fpu_taskswitch      5
#define HC_memory_op          12
#define HC_multicall          13
#define HC_update_va_mapping  14
#define HC_set_timer_op       15
#define HC_xen_version        17
#define HC_console_io         18
#define HC_grant_table_op     20
#define HC_vm_assist          21
#define HC_iret               23
#define HC_vcpu_op            24
#define HC_set_segment_base   25
#define HC_mmuext_op          26
#define HC_sched_op           29
#define HC_callback_op        30
#define HC_event_channel_op   32
#define HC_physdev_op         33

/* Errno values (returned negated). */
#define XEN_EPERM     1
#define XEN_ENOENT    2
#define XEN_ESRCH     3
#define XEN_EFAULT   14
#define XEN_EBUSY    16
#define XEN_EEXIST   17
#define XEN_EINVAL   22
#define XEN_ENOSPC   28
#define XEN_ERANGE   34
#define XEN_ENOSYS   38

/* Domain ids. */
#define DOMID_SELF  0x7FF0u

/* console_io. */
#define CONSOLEIO_write 0

/* xen_version. */
#define XENVER_version      0
#define XENVER_get_features 6
#define XENVER_pagesize     7
struct xen_feature_info {
    uint32_t submap_idx;
    uint32_t submap;
};
#define XENFEAT_auto_translated_physmap 2

/* sched_op. */
#define SCHEDOP_yield    0
#define SCHEDOP_block    1
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot   1
#define SHUTDOWN_crash    3
struct sched_shutdown {
    uint32_t reason;
};

/* Page-table entry bits. */
#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_US  0x004ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define PTE_PS  0x080ull
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

/* mmu_update. */
#define MMU_NORMAL_PT_UPDATE 0
#define MMU_MACHPHYS_UPDATE  1
struct mmu_update {
    uint64_t ptr;
    uint64_t val;
};

/* mmuext_op. */
#define MMUEXT_PIN_L1_TABLE   0
#define MMUEXT_PIN_L2_TABLE   1
#define MMUEXT_PIN_L3_TABLE   2
#define MMUEXT_PIN_L4_TABLE   3
#define MMUEXT_UNPIN_TABLE    4
#define MMUEXT_NEW_BASEPTR    5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_INVLPG_LOCAL   7
struct mmuext_op {
    uint32_t cmd;
    union {
        unsigned long mfn;
        unsigned long linear_addr;
    } arg1;
    union {
        uint32_t nr_ents;
        const void *vcpumask;
        unsigned long src_mfn;
    } arg2;
};

/* update_va_mapping flags. */
#define UVMF_NONE      0
#define UVMF_TLB_FLUSH 1
#define UVMF_INVLPG    2
#define UVMF_LOCAL     0
#define UVMF_ALL       4

/* event_channel_op. */
#define EVTCHNOP_close          3
#define EVTCHNOP_send           4
#define EVTCHNOP_status         5
#define EVTCHNOP_alloc_unbound  6
struct evtchn_alloc_unbound {
    uint16_t dom;
    uint16_t remote_dom;
    uint32_t port;
};
struct evtchn_port_arg {
    uint32_t port;
};

/* memory_op. */
#define XENMEM_current_reservation 3

/* vcpu_op. */
#define VCPUOP_is_up 3

/* start_info: "unsigned long" fields are 8 bytes for 64-bit, 4 for 32-bit guests. */
#define START_INFO_MAGIC_LEN 32
#define MAX_GUEST_CMDLINE 1024
struct start_info {
    char magic[START_INFO_MAGIC_LEN];
    unsigned long nr_pages;
    unsigned long shared_info;
    uint32_t flags;
    unsigned long store_mfn;
    uint32_t store_evtchn;
    union {
        struct {
            unsigned long mfn;
            uint32_t evtchn;
        } domU;
        struct {
            uint32_t info_off;
            uint32_t info_size;
        } dom0;
    } console;
    unsigned long pt_base;
    unsigned long nr_pt_frames;
    unsigned long mfn_list;
    unsigned long mod_start;
    unsigned long mod_len;
    char cmd_line[MAX_GUEST_CMDLINE];
    unsigned long first_p2m_pfn;
    unsigned long nr_p2m_frames;
};

/* Hypervisor range. */
#define HYPERVISOR_VIRT_START_64 0xFFFF800000000000ull
#define HYPERVISOR_VIRT_START_32 0xF5800000ul

#endif
