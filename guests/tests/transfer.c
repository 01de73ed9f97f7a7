/*
 * Page transfer between two domains of one machine (GNTTABOP_transfer). The toolstack joins the
 * pair with one event channel ("evtchn=listen:D:P" in the receiver, "evtchn=bind:D:P" in the
 * sender, as for grants). The receiver gives its last page back (decrease_reservation) so that
 * its reservation has room for one more, and offers grant entry 8 as accept-transfer for the
 * sender, naming that pseudo-physical frame. The sender binds and pings; on the pong it maps its
 * own last (unmapped) frame, writes a message into it, unmaps it, checks that a page it still
 * maps is refused (GNTST_bad_page), transfers the frame, checks that it cannot give it twice and
 * that its reservation shrank, and pings again. The receiver finds the entry completed with the
 * frame, maps the page, reads the sender's message, sees its reservation whole again (and, when
 * 64-bit, the M2P entry of the frame naming its PFN), and pongs. Alone, the guest does nothing.
 */
#include "pv.h"
#include "gnttab.h"
#include "evtchn.h"
#include "cmdline.h"

#define XENMEM_decrease_reservation 1
#define TRANSFER_REF 8u
#define MESSAGE_OFFSET 100
#define M2P_64 ((volatile unsigned long *)0xFFFF800000000000ull)

struct xen_memory_reservation {
    unsigned long *extent_start;
    unsigned long nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    uint16_t domid;
};

static const char message[] = "written by the sender before it gave the page away";

static int same(const volatile char *a, const char *b)
{
    for (; *b; a++, b++) {
        if (*a != *b) {
            return 0;
        }
    }
    return *a == 0;
}

static long current_reservation(void)
{
    uint16_t self = DOMID_SELF;
    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static void receiver(struct start_info *si, unsigned peer, uint32_t port)
{
    unsigned long *p2m = (unsigned long *)si->mfn_list;
    unsigned long pfn = si->nr_pages - 1;
    unsigned long given_back = p2m[pfn];
    struct xen_memory_reservation decrease = { .extent_start = &given_back, .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF };
    pv_expect_eq("receiver_gives_a_page_back", HYPERVISOR_memory_op(XENMEM_decrease_reservation, &decrease), 1);
    p2m[pfn] = ~0ul;
    long before = current_reservation();
    pv_expect_eq("receiver_holds_one_page_fewer", before, (long)si->nr_pages - 1);

    if (gnttab_init() != 0) {
        return;
    }
    gnttab_accept_transfer(TRANSFER_REF, peer, pfn);
    pv_check("nothing_is_transferred_yet", gnttab_transfer_completed(TRANSFER_REF) == 0);

    evtchn_wait(port, 0); /* the sender is bound */
    evtchn_notify(port);
    evtchn_wait(port, 0); /* the sender transferred */

    unsigned long mfn = gnttab_transfer_completed(TRANSFER_REF);
    pv_check("the_entry_is_completed_with_a_frame", mfn != 0);
    char *va = (char *)pv_first_free_page() + 8 * 4096;
    pv_expect_eq("receiver_maps_the_page_it_now_owns",
                 HYPERVISOR_update_va_mapping((unsigned long)va, ((uint64_t)mfn << 12) | PTE_P | PTE_RW | PTE_A | PTE_D, UVMF_INVLPG), 0);
    p2m[pfn] = mfn;
    pv_check("receiver_reads_the_senders_data", same(va + MESSAGE_OFFSET, message));
    pv_expect_eq("receiver_holds_its_pages_again", current_reservation(), before + 1);
#if defined(__x86_64__)
    pv_expect_eq("m2p_names_the_receivers_pfn", (long)M2P_64[mfn], (long)pfn);
#endif
    evtchn_notify(port);
    pv_printf("transfer: took frame %lx from dom%u as pfn %lx\n", mfn, peer, pfn);
}

static void sender(struct start_info *si, unsigned peer, uint32_t remote_port)
{
    uint32_t port;
    pv_expect_eq("bind_interdomain", evtchn_bind_interdomain(peer, remote_port, &port), 0);
    evtchn_wait(port, 0); /* binding marks the new port pending once */
    evtchn_notify(port);
    evtchn_wait(port, 0); /* the receiver offers its entry */

    unsigned long *p2m = (unsigned long *)si->mfn_list;
    unsigned long pfn = si->nr_pages - 1;
    unsigned long mfn = p2m[pfn];
    char *va = (char *)pv_first_free_page() + 8 * 4096;
    pv_expect_eq("sender_maps_its_last_frame",
                 HYPERVISOR_update_va_mapping((unsigned long)va, ((uint64_t)mfn << 12) | PTE_P | PTE_RW | PTE_A | PTE_D, UVMF_INVLPG), 0);
    for (unsigned i = 0; i < sizeof message; i++) {
        va[MESSAGE_OFFSET + i] = message[i];
    }
    pv_expect_eq("sender_unmaps_it", HYPERVISOR_update_va_mapping((unsigned long)va, 0, UVMF_INVLPG), 0);

    char *still_mapped = (char *)pv_first_free_page() + 9 * 4096;
    still_mapped[0] = 'k';
    pv_expect_eq("a_page_still_mapped_is_refused", gnttab_transfer(pv_va_to_mfn(still_mapped), peer, TRANSFER_REF), GNTST_bad_page);
    pv_check("and_stays_the_senders", still_mapped[0] == 'k');

    long before = current_reservation();
    pv_expect_eq("transfer", gnttab_transfer(mfn, peer, TRANSFER_REF), GNTST_okay);
    p2m[pfn] = ~0ul;
    pv_expect_eq("a_page_given_away_cannot_be_given_again", gnttab_transfer(mfn, peer, TRANSFER_REF), GNTST_bad_page);
    pv_expect_eq("sender_holds_one_page_fewer", current_reservation(), before - 1);
    pv_expect_eq("sender_can_no_longer_map_it",
                 HYPERVISOR_update_va_mapping((unsigned long)va, ((uint64_t)mfn << 12) | PTE_P | PTE_RW | PTE_A | PTE_D, UVMF_INVLPG), -XEN_EBUSY);
    evtchn_notify(port);
    evtchn_wait(port, 0); /* the receiver has read the page */
    pv_printf("transfer: gave frame %lx to dom%u\n", mfn, peer);
}

int guest_main(struct start_info *si)
{
    int listening;
    unsigned peer, port;
    if (!cmdline_evtchn(si->cmd_line, &listening, &peer, &port)) {
        pv_check("transfer_without_a_channel_has_nothing_to_do", 1);
        return 0;
    }

    pv_events_init(si);
    if (listening) {
        receiver(si, peer, port);
    } else {
        sender(si, peer, port);
    }
    pv_check("transfer", pv_failures() == 0);
    return 0;
}
