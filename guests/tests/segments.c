/*
 * Xen's reserved GDT descriptors are reachable: data segment loads of the
 * flat selectors, and a handler that returns with a native iret (64-bit:
 * iretq after forcing RPL 3 into the saved CS and SS, as some kernels do;
 * 32-bit: iret from ring 1 to ring 1), which reloads CS from the GDT.
 */
#include "pv.h"

struct trap_info_local {
    uint8_t vector;
    uint8_t flags;
    uint16_t cs;
    unsigned long address;
};

volatile unsigned native_iret_count;
void int3_native_entry(void);

#if defined(__x86_64__)
#define KERNEL_CS 0xe033
#define DATA_SEL 0xe02b
__asm__(
    ".text\n"
    ".globl int3_native_entry\n"
    "int3_native_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  orb $3, 8(%rsp)\n"
    "  orb $3, 32(%rsp)\n"
    "  incl native_iret_count(%rip)\n"
    "  iretq\n");
#else
#define KERNEL_CS 0xe019
#define DATA_SEL 0xe021
__asm__(
    ".text\n"
    ".globl int3_native_entry\n"
    "int3_native_entry:\n"
    "  incl native_iret_count\n"
    "  iret\n");
#endif

int guest_main(struct start_info *si)
{
    (void)si;
    unsigned long selector = 0;
    __asm__ volatile("mov %1, %%ds\n\tmov %%ds, %0" : "=r"(selector) : "r"((unsigned long)DATA_SEL) : "memory");
    pv_expect_eq("load_ds_with_the_flat_data_selector", (long)(selector & 0xffff), DATA_SEL);
    unsigned long cs = 0;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    pv_expect_eq("cs_reads_as_flat_kernel_cs", (long)(cs & 0xffff), KERNEL_CS);
#if defined(__x86_64__)
    __asm__ volatile("mov %0, %%ds" ::"r"(0ul) : "memory");
#endif

    struct trap_info_local traps[] = {
        { 3, 3, KERNEL_CS, (unsigned long)int3_native_entry },
        { 0, 0, 0, 0 },
    };
    pv_expect_eq("set_trap_table", hypercall1(HC_set_trap_table, traps), 0);
    __asm__ volatile("int3" ::: "memory");
    __asm__ volatile("int3" ::: "memory");
    pv_expect_eq("native_iret_returns_from_the_handler_twice", native_iret_count, 2);
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    pv_expect_eq("cs_after_the_native_iret", (long)(cs & 0xffff), KERNEL_CS);
    return 0;
}
