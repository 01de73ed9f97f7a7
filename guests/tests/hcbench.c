/*
 * Hypercall cost benchmark. The command line chooses the loop:
 *   "null N"  N x xen_version(XENVER_version), the null hypercall;
 *   "mmu N"   N validated mmu_update requests, each toggling RW on one L1 entry;
 *   "none"    no loop (the baseline: boot and shutdown only).
 * Without a command line both loops run 1000 times, so the guest also serves as a test.
 */
#include "pv.h"

static unsigned long parse_count(const char *s)
{
    unsigned long n = 0;
    while (*s == ' ') {
        s++;
    }
    while (*s >= '0' && *s <= '9') {
        n = n * 10 + (unsigned long)(*s++ - '0');
    }
    return n;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return 0;
        }
    }
    return 1;
}

static long null_loop(unsigned long n)
{
    long bad = 0;
    for (unsigned long i = 0; i < n; i++) {
        bad |= HYPERVISOR_xen_version(XENVER_version, 0) <= 0;
    }
    return bad;
}

/* Toggles RW on the L1 entry of a scratch page through its machine address. */
static long mmu_loop(unsigned long n)
{
    char *scratch = (char *)pv_first_free_page() + 8 * 4096;
    unsigned long mfn = pv_va_to_mfn(scratch);
    /* Find the machine address of the L1 entry: walk from pt_base through the P2M (VIRT_BASE 0). */
    const unsigned long *p2m = (const unsigned long *)pv_start_info->mfn_list;
    uint64_t *table = (uint64_t *)pv_start_info->pt_base;
    unsigned long va = (unsigned long)scratch;
#if defined(__x86_64__)
    int shifts[] = { 39, 30, 21 };
    int levels = 3;
#else
    int shifts[] = { 30, 21 };
    int levels = 2;
#endif
    unsigned long table_mfn = 0;
    for (int i = 0; i < levels; i++) {
        uint64_t entry = table[(va >> shifts[i]) & (i == 0 && levels == 2 ? 3 : 511)];
        table_mfn = (unsigned long)((entry & PTE_ADDR_MASK) >> 12);
        table = 0;
        for (unsigned long pfn = 0; pfn < pv_start_info->nr_pages; pfn++) {
            if (p2m[pfn] == table_mfn) {
                table = (uint64_t *)(pfn << 12);
                break;
            }
        }
        if (!table) {
            return 1;
        }
    }
    struct mmu_update req;
    req.ptr = ((uint64_t)table_mfn << 12) + ((va >> 12) & 511) * 8;
    long bad = 0;
    for (unsigned long i = 0; i < n; i++) {
        req.val = ((uint64_t)mfn << 12) | PTE_P | PTE_A | ((i & 1) ? 0 : PTE_RW);
        bad |= HYPERVISOR_mmu_update(&req, 1, 0, DOMID_SELF) != 0;
    }
    req.val = ((uint64_t)mfn << 12) | PTE_P | PTE_A | PTE_RW;
    bad |= HYPERVISOR_mmu_update(&req, 1, 0, DOMID_SELF) != 0;
    return bad;
}

int guest_main(struct start_info *si)
{
    const char *cmd = (const char *)si->cmd_line;
    if (starts_with(cmd, "null")) {
        pv_expect_eq("bench_null_hypercalls", null_loop(parse_count(cmd + 4)), 0);
    } else if (starts_with(cmd, "mmu")) {
        pv_expect_eq("bench_mmu_updates", mmu_loop(parse_count(cmd + 3)), 0);
    } else if (starts_with(cmd, "none")) {
        pv_check("bench_baseline", 1);
    } else {
        pv_expect_eq("bench_null_hypercalls", null_loop(1000), 0);
        pv_expect_eq("bench_mmu_updates", mmu_loop(1000), 0);
    }
    return 0;
}
