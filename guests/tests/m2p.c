/*
 * The read-only machine-to-phys table (M2P) as Xen maps it into every PV guest. XENMEM_machphys_mapping
 * names where it lies (0xffff800000000000 up to 0xffff804000000000 for 64-bit guests, the compat
 * table with 4-byte entries from 0xF5800000 up to 0xFFE00000 for 32-bit PAE guests); every frame the
 * guest was given has its own pfn there; and MMU_MACHPHYS_UPDATE changes what the table says of a
 * frame the guest owns, as the guest reads it at once.
 */
#include "pv.h"

#define XENMEM_machphys_mapping 12

struct xen_machphys_mapping {
    unsigned long v_start, v_end; /* start and end of the read-only table */
    unsigned long max_mfn;        /* the largest machine frame it can describe */
};

#if defined(__x86_64__)
#define EXPECTED_START 0xFFFF800000000000ul
#define EXPECTED_END   0xFFFF804000000000ul
#else
#define EXPECTED_START 0xF5800000ul
#define EXPECTED_END   0xFFE00000ul
#endif

int guest_main(struct start_info *si)
{
    struct xen_machphys_mapping mapping = { 0, 0, 0 };
    pv_expect_eq("machphys_mapping_succeeds", HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mapping), 0);
    pv_check("machphys_mapping_starts_where_xen_puts_it", mapping.v_start == EXPECTED_START);
    pv_check("machphys_mapping_ends_where_xen_puts_it", mapping.v_end == EXPECTED_END);
    pv_check("max_mfn_fills_the_range", mapping.max_mfn == (EXPECTED_END - EXPECTED_START) / sizeof(unsigned long) - 1);

    volatile const unsigned long *m2p = (volatile const unsigned long *)mapping.v_start;
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;
    unsigned long wrong = 0;
    for (unsigned long pfn = 0; pfn < si->nr_pages; pfn++) {
        if (m2p[p2m[pfn]] != pfn) {
            wrong++;
        }
    }
    pv_expect_eq("every_own_frame_names_its_pfn", (long)wrong, 0);

    unsigned long pfn = si->nr_pages - 1;
    unsigned long mfn = p2m[pfn];
    struct mmu_update update = { ((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, 0x12345 };
    unsigned done = 0;
    pv_expect_eq("machphys_update_succeeds", HYPERVISOR_mmu_update(&update, 1, &done, 0x7FF0 /* DOMID_SELF */), 0);
    pv_expect_eq("the_table_shows_the_update", (long)m2p[mfn], 0x12345);
    update.val = pfn;
    pv_expect_eq("machphys_update_back", HYPERVISOR_mmu_update(&update, 1, &done, 0x7FF0), 0);
    pv_expect_eq("the_table_shows_the_pfn_again", (long)m2p[mfn], (long)pfn);
    pv_printf("m2p: %lu frames checked at %lx\n", (unsigned long)si->nr_pages, mapping.v_start);
    return 0;
}
