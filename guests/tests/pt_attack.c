/*
 * Page-table attacks that the hypervisor must refuse with Xen's errno, and
 * proof that each refusal left the frame counts as they were.
 */
#include "pv.h"

static uint64_t pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << 12) | flags;
}

static long pin(unsigned cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
}

int guest_main(struct start_info *si)
{
    unsigned long root_mfn = pv_va_to_mfn((void *)si->pt_base);
#if defined(__x86_64__)
    unsigned root_pin = MMUEXT_PIN_L4_TABLE;
    unsigned long hypervisor_va = (unsigned long)HYPERVISOR_VIRT_START_64;
#else
    unsigned root_pin = MMUEXT_PIN_L3_TABLE;
    unsigned long hypervisor_va = HYPERVISOR_VIRT_START_32;
#endif

    /* 1. The root table is mapped read-only; mapping it writable must fail. */
    pv_expect_eq("writable_mapping_of_a_page_table_is_refused",
                 HYPERVISOR_update_va_mapping(si->pt_base, pte(root_mfn, PTE_P | PTE_RW | PTE_A), UVMF_INVLPG),
                 -XEN_EBUSY);
    pv_expect_eq("read_only_remapping_of_a_page_table_is_accepted",
                 HYPERVISOR_update_va_mapping(si->pt_base, pte(root_mfn, PTE_P | PTE_A), UVMF_INVLPG), 0);

    /* 2. Frame 0 belongs to the hypervisor, not to us. */
    char *scratch = pv_first_free_page();
    unsigned long scratch_mfn = pv_va_to_mfn(scratch);
    pv_expect_eq("mapping_a_frame_we_do_not_own_is_refused",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(0, PTE_P | PTE_A), UVMF_INVLPG), -XEN_EBUSY);

    /* 3. The hypervisor's virtual range is not ours to map. */
    pv_expect_eq("mapping_in_the_hypervisor_range_is_refused",
                 HYPERVISOR_update_va_mapping(hypervisor_va, pte(scratch_mfn, PTE_P | PTE_A), UVMF_INVLPG), -XEN_EINVAL);

    /* 4. Pin a would-be L1 with one bad entry: refused, and nothing leaks. */
    uint64_t *table = (uint64_t *)scratch;
    char *data = scratch + 4096;
    unsigned long data_mfn = pv_va_to_mfn(data);
    for (int i = 0; i < 512; i++) {
        table[i] = 0;
    }
    table[0] = pte(data_mfn, PTE_P | PTE_A);
    table[1] = pte(data_mfn, PTE_P | PTE_A | PTE_PCD);
    pv_expect_eq("scratch_page_made_read_only",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(scratch_mfn, PTE_P | PTE_A), UVMF_INVLPG), 0);
    pv_expect_eq("pinning_an_L1_with_one_bad_entry_is_refused", pin(MMUEXT_PIN_L1_TABLE, scratch_mfn), -XEN_EINVAL);
    pv_expect_eq("after_the_refusal_the_table_page_can_be_mapped_writable_again",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(scratch_mfn, PTE_P | PTE_RW | PTE_A), UVMF_INVLPG), 0);
    table[1] = 0;
    pv_expect_eq("scratch_page_made_read_only_again",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(scratch_mfn, PTE_P | PTE_A), UVMF_INVLPG), 0);
    pv_expect_eq("pinning_the_repaired_L1_succeeds", pin(MMUEXT_PIN_L1_TABLE, scratch_mfn), 0);
    pv_expect_eq("a_pinned_L1_cannot_be_mapped_writable",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(scratch_mfn, PTE_P | PTE_RW | PTE_A), UVMF_INVLPG), -XEN_EBUSY);
    pv_expect_eq("pinning_twice_is_refused", pin(MMUEXT_PIN_L1_TABLE, scratch_mfn), -XEN_EINVAL);
    pv_expect_eq("unpin_succeeds", pin(MMUEXT_UNPIN_TABLE, scratch_mfn), 0);
    pv_expect_eq("unpinning_an_unpinned_frame_is_refused", pin(MMUEXT_UNPIN_TABLE, scratch_mfn), -XEN_EINVAL);

    /* 5. The builder pinned our root table already. */
    pv_expect_eq("pinning_the_pinned_root_is_refused", pin(root_pin, root_mfn), -XEN_EINVAL);

    /* 6. Unknown mmu_update sub-commands. */
    struct mmu_update bad = { .ptr = ((uint64_t)scratch_mfn << 12) | 5, .val = 0 };
    unsigned done = 99;
    pv_expect_eq("unknown_mmu_update_command_is_enosys", HYPERVISOR_mmu_update(&bad, 1, &done, DOMID_SELF), -XEN_ENOSYS);
    pv_expect_eq("done_counts_zero_requests", done, 0);
    return 0;
}
