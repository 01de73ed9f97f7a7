/* ActorVisor guest SDK: grant tables (see gnttab.h). */
#include "pv.h"
#include "gnttab.h"

static char table_page[4096] __attribute__((aligned(4096)));
static volatile struct grant_entry_v1 *table;
static grant_ref_t next_ref = GNTTAB_NR_RESERVED_ENTRIES;

static long grant_table_op(unsigned cmd, void *arg, unsigned count)
{
    return hypercall3(HC_grant_table_op, cmd, arg, count);
}

int gnttab_init(void)
{
    if (table) {
        return 0;
    }

    unsigned long frame = 0;
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1, .status = 1, .frame_list = &frame };
    long rc = grant_table_op(GNTTABOP_setup_table, &setup, 1);
    pv_expect_eq("gnttab_setup_table", rc, 0);
    pv_expect_eq("gnttab_setup_table_status", setup.status, GNTST_okay);
    if (rc != 0 || setup.status != GNTST_okay) {
        return -1;
    }

    rc = HYPERVISOR_update_va_mapping((unsigned long)table_page, ((uint64_t)frame << 12) | PTE_P | PTE_RW | PTE_A | PTE_D, UVMF_INVLPG);
    pv_expect_eq("gnttab_map_table", rc, 0);
    if (rc != 0) {
        return -1;
    }

    table = (volatile struct grant_entry_v1 *)table_page;
    return 0;
}

grant_ref_t gnttab_alloc_ref(void)
{
    return next_ref++;
}

void gnttab_grant_access(grant_ref_t ref, unsigned domid, unsigned long frame, int readonly)
{
    table[ref].domid = (uint16_t)domid;
    table[ref].frame = (uint32_t)frame;
    __sync_synchronize(); /* the hypervisor must see domid and frame before the flags */
    table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

int gnttab_end_access(grant_ref_t ref)
{
    uint16_t flags = table[ref].flags;
    if (flags & (GTF_reading | GTF_writing)) {
        return -1;
    }
    return __sync_bool_compare_and_swap(&table[ref].flags, flags, 0) ? 0 : -1;
}

void gnttab_accept_transfer(grant_ref_t ref, unsigned domid, unsigned long pfn)
{
    table[ref].domid = (uint16_t)domid;
    table[ref].frame = (uint32_t)pfn;
    __sync_synchronize();
    table[ref].flags = GTF_accept_transfer;
}

unsigned long gnttab_transfer_completed(grant_ref_t ref)
{
    if (!(table[ref].flags & GTF_transfer_completed)) {
        return 0;
    }
    __sync_synchronize(); /* the frame was written before the completed bit */
    return table[ref].frame;
}

long gnttab_transfer(unsigned long mfn, unsigned domid, grant_ref_t ref)
{
    struct gnttab_transfer op = { .mfn = mfn, .domid = (uint16_t)domid, .ref = ref, .status = 1 };
    long rc = grant_table_op(GNTTABOP_transfer, &op, 1);
    return rc != 0 ? rc : op.status;
}
