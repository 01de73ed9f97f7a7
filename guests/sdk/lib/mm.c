/* ActorVisor guest SDK: address helpers over the builder's 1:1 bootstrap mapping. */
#include "pv.h"

/* The SDK's kernels are linked with VIRT_BASE 0, so VA = PFN << 12 in the bootstrap region. */
unsigned long pv_virt_base(void)
{
    return 0;
}

unsigned long pv_pfn_to_mfn(unsigned long pfn)
{
    const unsigned long *p2m = (const unsigned long *)pv_start_info->mfn_list;
    return p2m[pfn];
}

unsigned long pv_va_to_mfn(const void *va)
{
    return pv_pfn_to_mfn(((unsigned long)va - pv_virt_base()) >> 12);
}

/* The first page after the boot stack: the builder leaves at least 512 KiB free and mapped there. */
void *pv_first_free_page(void)
{
    unsigned long stack = pv_start_info->pt_base + pv_start_info->nr_pt_frames * 4096ul;
    return (void *)(stack + 4096ul);
}
