/*
 * Grant tables between two domains of one machine, as a split driver uses them. The toolstack
 * joins the pair with one event channel ("evtchn=listen:D:P" in the granter, "evtchn=bind:D:P" in
 * the mapper, as for pingpong). The granter (the listening side, a front end) sets up its grant
 * table, maps the table's frame, grants one page to its peer as entry 1 and writes a request in
 * it. The mapper (the binding side, a back end) pings; on the pong it maps the grant with
 * GNTTABOP_map_grant_ref, reads the request, writes a reply through the mapping, unmaps it,
 * copies a second reply into the granted page with GNTTABOP_copy, and pings again. The granter
 * then sees both replies, sees the entry no longer in use, ends the grant and pongs; the mapper
 * checks that the ended grant can no longer be mapped and pings a last time, after which the
 * granter may go. Alone, the guest has nothing to do.
 */
#include "pv.h"
#include "cmdline.h"

#define EVTCHNOP_bind_interdomain 0
#define SCHEDOP_poll 3
#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_copy 5
#define GNTMAP_host_map (1u << 1)
#define GTF_permit_access 1u
#define GTF_reading (1u << 3)
#define GTF_writing (1u << 4)
#define GNTCOPY_dest_gref (1u << 1)
#define GNTST_general_error (-1)
#define GRANT_REF 1u
#define REPLY_OFFSET 256
#define COPY_OFFSET 512

struct bind_interdomain {
    uint16_t remote_dom;
    uint32_t remote_port;
    uint32_t local_port;
};

struct poll_args {
    uint32_t *ports;
    unsigned long nr_ports;
    uint64_t timeout;
};

struct grant_entry_v1 {
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};

struct gnttab_setup_table {
    uint16_t dom;
    uint32_t nr_frames;
    int16_t status;
    unsigned long *frame_list;
};

struct gnttab_map_grant_ref {
    uint64_t host_addr;
    uint32_t flags;
    uint32_t ref;
    uint16_t dom;
    int16_t status;
    uint32_t handle;
    uint64_t dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    uint32_t handle;
    int16_t status;
};

struct gnttab_copy_ptr {
    unsigned long ref_or_gmfn;
    uint16_t domid;
    uint16_t offset;
};

struct gnttab_copy {
    struct gnttab_copy_ptr source;
    struct gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags;
    int16_t status;
};

static const char request[] = "request from the granter";
static const char reply[] = "reply through the mapping";
static const char copied[] = "reply by grant copy";

static long grant_table_op(unsigned cmd, void *arg)
{
    return hypercall3(HC_grant_table_op, cmd, arg, 1);
}

static int same(const volatile char *a, const char *b)
{
    for (; *b; a++, b++) {
        if (*a != *b) {
            return 0;
        }
    }
    return *a == 0;
}

static void put(volatile char *to, const char *text)
{
    do {
        *to++ = *text;
    } while (*text++);
}

#define PENDING_OFFSET 2048

/*
 * Waits in SCHEDOP_poll (events masked) until the port is pending, then clears it and the
 * selector and upcall flag, so that the next event kicks this vCPU again.
 */
static void wait_for(uint32_t port)
{
    volatile unsigned long *pending = (volatile unsigned long *)(pv_shared_info + PENDING_OFFSET);
    unsigned long bit = 1ul << (port % (8 * sizeof(long)));
    volatile unsigned long *word = &pending[port / (8 * sizeof(long))];
    while (!(*word & bit)) {
        struct poll_args poll = { .ports = &port, .nr_ports = 1, .timeout = 0 };
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    *word &= ~bit;
    pv_shared_info[0] = 0;                                          /* evtchn_upcall_pending */
    *(volatile unsigned long *)(pv_shared_info + sizeof(long)) = 0; /* evtchn_pending_sel */
}

static void send(unsigned port)
{
    struct evtchn_port_arg arg = { .port = port };
    pv_expect_eq("send", HYPERVISOR_event_channel_op(EVTCHNOP_send, &arg), 0);
}

static void granter(unsigned peer, unsigned port)
{
    char *page = pv_first_free_page();
    char *table_va = page + 4096;
    unsigned long frame = 0;
    struct gnttab_setup_table setup = { .dom = 0x7FF0 /* DOMID_SELF */, .nr_frames = 1, .status = 1, .frame_list = &frame };
    pv_expect_eq("setup_table", grant_table_op(GNTTABOP_setup_table, &setup), 0);
    pv_expect_eq("setup_table_status", setup.status, 0);
    pv_expect_eq("map_grant_frame",
                 HYPERVISOR_update_va_mapping((unsigned long)table_va, ((uint64_t)frame << 12) | PTE_P | PTE_RW | PTE_A | PTE_D, UVMF_INVLPG), 0);

    volatile struct grant_entry_v1 *entry = (volatile struct grant_entry_v1 *)table_va + GRANT_REF;
    put(page, request);
    entry->domid = (uint16_t)peer;
    entry->frame = (uint32_t)pv_va_to_mfn(page);
    __sync_synchronize();
    entry->flags = GTF_permit_access;

    wait_for(port);
    send(port);
    wait_for(port);

    pv_check("granter_sees_the_reply_written_through_the_mapping", same(page + REPLY_OFFSET, reply));
    pv_check("granter_sees_the_reply_copied_into_its_page", same(page + COPY_OFFSET, copied));
    uint16_t flags = entry->flags;
    pv_check("grant_is_idle_after_the_unmap", (flags & (GTF_reading | GTF_writing)) == 0);
    pv_check("granter_ends_the_grant", __sync_bool_compare_and_swap(&entry->flags, flags, 0));
    send(port);
    wait_for(port); /* the mapper has tried the ended grant: this domain may go now */
    pv_printf("grants: granted dom%u a page and ended the grant\n", peer);
}

static void mapper(unsigned peer, unsigned remote_port)
{
    struct bind_interdomain bind = { .remote_dom = (uint16_t)peer, .remote_port = remote_port, .local_port = 0 };
    pv_expect_eq("bind_interdomain", HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind), 0);
    uint32_t port = bind.local_port;
    wait_for(port); /* binding marks the new port pending once */
    send(port);
    wait_for(port);

    char *host = (char *)pv_first_free_page() + 4 * 4096;
    struct gnttab_map_grant_ref map = { .host_addr = (unsigned long)host, .flags = GNTMAP_host_map, .ref = GRANT_REF, .dom = (uint16_t)peer, .status = 1 };
    pv_expect_eq("map_grant_ref", grant_table_op(GNTTABOP_map_grant_ref, &map), 0);
    pv_expect_eq("map_grant_ref_status", map.status, 0);
    pv_check("mapper_reads_the_granters_request", same(host, request));
    put(host + REPLY_OFFSET, reply);

    struct gnttab_unmap_grant_ref unmap = { .host_addr = (unsigned long)host, .handle = map.handle, .status = 1 };
    pv_expect_eq("unmap_grant_ref", grant_table_op(GNTTABOP_unmap_grant_ref, &unmap), 0);
    pv_expect_eq("unmap_grant_ref_status", unmap.status, 0);

    char *mine = (char *)pv_first_free_page() + 5 * 4096;
    put(mine + 40, copied);
    struct gnttab_copy copy = {
        .source = { .ref_or_gmfn = pv_va_to_mfn(mine), .domid = 0x7FF0, .offset = 40 },
        .dest = { .ref_or_gmfn = GRANT_REF, .domid = (uint16_t)peer, .offset = COPY_OFFSET },
        .len = sizeof(copied),
        .flags = GNTCOPY_dest_gref,
        .status = 1,
    };
    pv_expect_eq("grant_copy", grant_table_op(GNTTABOP_copy, &copy), 0);
    pv_expect_eq("grant_copy_status", copy.status, 0);
    send(port);
    wait_for(port);

    map.status = 1;
    pv_expect_eq("map_after_end", grant_table_op(GNTTABOP_map_grant_ref, &map), 0);
    pv_expect_eq("ended_grant_cannot_be_mapped", map.status, GNTST_general_error);
    send(port);
    pv_printf("grants: mapped, answered and copied into dom%u's page\n", peer);
}

int guest_main(struct start_info *si)
{
    int listening;
    unsigned peer, port;
    if (!cmdline_evtchn(si->cmd_line, &listening, &peer, &port)) {
        pv_check("grants_without_a_channel_has_nothing_to_do", 1);
        return 0;
    }

    pv_events_init(si);
    if (listening) {
        granter(peer, port);
    } else {
        mapper(peer, port);
    }
    pv_check("grants", pv_failures() == 0);
    return 0;
}
