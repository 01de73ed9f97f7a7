/*
 * Exceptions bounced through the virtual IDT: int3 (a trap, resumes after the
 * instruction), #PF on an unmapped address (CR2 in vcpu_info, kernel-mode error
 * code), #PF on a write to a read-only page, and Xen's writable page tables:
 * a plain store into a read-only L1 entry is emulated as a validated update,
 * and a store that would map a page table writable is refused with #PF.
 */
#include "pv.h"

struct trap_info_local {
    uint8_t vector;
    uint8_t flags;
    uint16_t cs;
    unsigned long address;
};

volatile unsigned trap_int3_count;
volatile unsigned pf_count;
volatile unsigned long pf_error;
volatile unsigned long pf_resume;

void int3_entry(void);
void pf_entry(void);
int probe_read(const volatile void *address);
int probe_write(volatile void *address, unsigned long value);

#if defined(__x86_64__)
#define KERNEL_CS 0xe033
#define CR2_OFFSET 16
__asm__(
    ".text\n"
    ".globl int3_entry\n"
    "int3_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  incl trap_int3_count(%rip)\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl pf_entry\n"
    "pf_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  popq pf_error(%rip)\n"
    "  push %rax\n"
    "  mov pf_resume(%rip), %rax\n"
    "  mov %rax, 8(%rsp)\n"
    "  pop %rax\n"
    "  incl pf_count(%rip)\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl probe_read\n"
    "probe_read:\n"
    "  leaq 1f(%rip), %rax\n"
    "  mov %rax, pf_resume(%rip)\n"
    "  mov (%rdi), %rax\n"
    "  xor %eax, %eax\n"
    "  ret\n"
    "1: mov $1, %eax\n"
    "  ret\n"
    ".globl probe_write\n"
    "probe_write:\n"
    "  leaq 1f(%rip), %rax\n"
    "  mov %rax, pf_resume(%rip)\n"
    "  mov %rsi, (%rdi)\n"
    "  xor %eax, %eax\n"
    "  ret\n"
    "1: mov $1, %eax\n"
    "  ret\n");
#else
#define KERNEL_CS 0xe019
#define CR2_OFFSET 8
__asm__(
    ".text\n"
    ".globl int3_entry\n"
    "int3_entry:\n"
    "  incl trap_int3_count\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl pf_entry\n"
    "pf_entry:\n"
    "  popl pf_error\n"
    "  push %eax\n"
    "  movl pf_resume, %eax\n"
    "  movl %eax, 4(%esp)\n"
    "  pop %eax\n"
    "  incl pf_count\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl probe_read\n"
    "probe_read:\n"
    "  movl $1f, pf_resume\n"
    "  movl 4(%esp), %edx\n"
    "  movl (%edx), %eax\n"
    "  xor %eax, %eax\n"
    "  ret\n"
    "1: mov $1, %eax\n"
    "  ret\n"
    ".globl probe_write\n"
    "probe_write:\n"
    "  movl $1f, pf_resume\n"
    "  movl 4(%esp), %edx\n"
    "  movl 8(%esp), %eax\n"
    "  movl %eax, (%edx)\n"
    "  xor %eax, %eax\n"
    "  ret\n"
    "1: mov $1, %eax\n"
    "  ret\n");
#endif

static uint64_t pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << 12) | flags;
}

/* Finds the VA of a bootstrap-mapped frame through the P2M (the bootstrap region is mapped 1:1 at VIRT_BASE 0). */
static void *mfn_to_va(unsigned long mfn)
{
    const unsigned long *p2m = (const unsigned long *)pv_start_info->mfn_list;
    for (unsigned long pfn = 0; pfn < pv_start_info->nr_pages; pfn++) {
        if (p2m[pfn] == mfn) {
            return (void *)(pfn << 12);
        }
    }
    return 0;
}

/* The VA of the L1 entry that maps va, walking the bootstrap tables. */
static volatile uint64_t *l1_entry_for(unsigned long va)
{
    uint64_t *table = (uint64_t *)pv_start_info->pt_base;
#if defined(__x86_64__)
    int shifts[] = { 39, 30, 21 };
    int levels = 3;
#else
    int shifts[] = { 30, 21 };
    int levels = 2;
#endif
    for (int i = 0; i < levels; i++) {
        uint64_t entry = table[(va >> shifts[i]) & (i == 0 && levels == 2 ? 3 : 511)];
        table = mfn_to_va((unsigned long)((entry & PTE_ADDR_MASK) >> 12));
        if (!table) {
            return 0;
        }
    }
    return &table[(va >> 12) & 511];
}

int guest_main(struct start_info *si)
{
    struct trap_info_local traps[] = {
        { 3, 3, KERNEL_CS, (unsigned long)int3_entry },
        { 14, 0, KERNEL_CS, (unsigned long)pf_entry },
        { 0, 0, 0, 0 },
    };
    pv_expect_eq("set_trap_table", hypercall1(HC_set_trap_table, traps), 0);

    __asm__ volatile("int3" ::: "memory");
    pv_expect_eq("int3_is_bounced_to_its_handler_once", trap_int3_count, 1);

    /* Map shared_info to read vcpu_info.arch.cr2. */
    char *free_page = pv_first_free_page();
    char *shared = free_page + 16 * 4096;
    pv_expect_eq("map_shared_info",
                 HYPERVISOR_update_va_mapping((unsigned long)shared, si->shared_info | PTE_P | PTE_RW | PTE_A, UVMF_INVLPG), 0);

    unsigned long unmapped = 0x40000000ul;
    pv_expect_eq("read_of_an_unmapped_address_faults", probe_read((const void *)unmapped), 1);
    pv_expect_eq("the_fault_is_a_page_fault", pf_count, 1);
    pv_expect_eq("kernel_mode_not_present_read_has_error_code_0", (long)pf_error, 0);
    pv_check("cr2_is_in_vcpu_info", *(volatile unsigned long *)(shared + CR2_OFFSET) == unmapped);

    /* A read-only mapping of an ordinary page: writes fault with P|W. */
    char *scratch = free_page + 8 * 4096;
    unsigned long scratch_mfn = pv_va_to_mfn(scratch);
    volatile uint64_t *scratch_l1e = l1_entry_for((unsigned long)scratch);
    pv_check("found_the_l1_entry_of_the_scratch_page", scratch_l1e != 0);
    if (!scratch_l1e) {
        return 1;
    }
    pv_expect_eq("write_to_a_writable_page_succeeds", probe_write(scratch, 42), 0);

    /* Writable page tables: a plain store into the read-only L1 makes the page read-only. */
    uint64_t read_only = pte(scratch_mfn, PTE_P | PTE_A);
    pv_expect_eq("store_into_a_read_only_l1_is_emulated", probe_write(scratch_l1e, (unsigned long)read_only), 0);
    pv_check("the_emulated_store_changed_the_entry", (*scratch_l1e & (PTE_ADDR_MASK | PTE_RW | PTE_P)) == (read_only & (PTE_ADDR_MASK | PTE_RW | PTE_P)));
    unsigned before = pf_count;
    pv_expect_eq("write_to_the_now_read_only_page_faults", probe_write(scratch, 43), 1);
    pv_expect_eq("write_fault_error_code_is_present_and_write", (long)(pf_error & 7), 3);
    pv_expect_eq("one_more_page_fault", pf_count, before + 1);

    /* The same path refuses to map a page table writable: the store faults and the entry stays. */
    unsigned long root_mfn = pv_va_to_mfn((void *)si->pt_base);
    uint64_t old = *scratch_l1e;
    pv_expect_eq("store_mapping_a_page_table_writable_faults",
                 probe_write(scratch_l1e, (unsigned long)pte(root_mfn, PTE_P | PTE_RW | PTE_A)), 1);
    pv_check("the_refused_store_left_the_entry_unchanged", *scratch_l1e == old);

    pv_expect_eq("restore_the_scratch_mapping",
                 HYPERVISOR_update_va_mapping((unsigned long)scratch, pte(scratch_mfn, PTE_P | PTE_RW | PTE_A), UVMF_INVLPG), 0);
    pv_expect_eq("the_scratch_page_kept_its_contents", *(volatile unsigned long *)scratch, 42);
    return 0;
}
