/*
 * Secondary vCPUs: vCPU 0 fills a vcpu_guest_context for vCPU 1 (entry point, its own stack,
 * the current page tables, kernel selectors) and brings it up with VCPUOP_initialise and
 * VCPUOP_up, as Linux's cpu_initialize_context does. The refusals Xen gives come first: up
 * before initialise (-EINVAL), a non-canonical entry point (64-bit, -EINVAL), a root table that
 * is not a page table of this domain (-EINVAL), initialising twice (-EEXIST). vCPU 1 then runs
 * on its own stack, proves it shares memory with vCPU 0, and takes itself down with VCPUOP_down.
 * Booted with a single vCPU, the guest checks that vCPU 1 does not exist (-ENOENT) and stops.
 */
#include "pv.h"

#define VCPUOP_initialise 0
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VGCF_in_kernel (1 << 2)
#define EINVAL 22
#define EEXIST 17
#define ENOENT 2

#if defined(__x86_64__)
#define KERNEL_CS 0xe033
#define KERNEL_SS 0xe02b
#define KERNEL_DS 0
struct user_regs_local {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint32_t error_code, entry_vector;
    uint64_t rip;
    uint16_t cs, pad0[1];
    uint8_t saved_upcall_mask, pad1[3];
    uint64_t rflags, rsp;
    uint16_t ss, pad2[3], es, pad3[3], ds, pad4[3], fs, pad5[3], gs, pad6[3];
};
#else
#define KERNEL_CS 0xe019
#define KERNEL_SS 0xe021
#define KERNEL_DS 0xe021
struct user_regs_local {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint16_t error_code, entry_vector;
    uint32_t eip;
    uint16_t cs;
    uint8_t saved_upcall_mask, pad0;
    uint32_t eflags, esp;
    uint16_t ss, pad1, es, pad2, ds, pad3, fs, pad4, gs, pad5;
};
#endif

struct trap_info_local {
    uint8_t vector, flags;
    uint16_t cs;
    unsigned long address;
};

struct vcpu_guest_context_local {
    uint8_t fpu_ctxt[512];
    unsigned long flags;
    struct user_regs_local user_regs;
    struct trap_info_local trap_ctxt[256];
    unsigned long ldt_base, ldt_ents;
    unsigned long gdt_frames[16], gdt_ents;
    unsigned long kernel_ss, kernel_sp;
    unsigned long ctrlreg[8];
    unsigned long debugreg[8];
#if defined(__x86_64__)
    unsigned long event_callback_eip, failsafe_callback_eip, syscall_callback_eip;
    unsigned long vm_assist;
    uint64_t fs_base, gs_base_kernel, gs_base_user;
#else
    unsigned long event_callback_cs, event_callback_eip, failsafe_callback_cs, failsafe_callback_eip;
    unsigned long vm_assist;
#endif
};

#if defined(__x86_64__)
_Static_assert(sizeof(struct vcpu_guest_context_local) == 5168, "vcpu_guest_context is 5168 bytes on 64-bit");
#else
_Static_assert(sizeof(struct vcpu_guest_context_local) == 2800, "vcpu_guest_context is 2800 bytes on 32-bit");
#endif

static struct vcpu_guest_context_local context;
static uint8_t secondary_stack[8192] __attribute__((aligned(16)));
static volatile unsigned long secondary_saw;
static volatile int secondary_done;
static volatile unsigned long handshake = 0x5eed;
static volatile int secondary_port_read = -1;

static void secondary_main(void)
{
    /* Runs on vCPU 1: it must see vCPU 0's memory and its own stack. */
    volatile uint8_t marker = 0;
    unsigned long sp = (unsigned long)&marker;
    int on_own_stack = sp > (unsigned long)secondary_stack && sp < (unsigned long)secondary_stack + sizeof(secondary_stack);
    secondary_saw = on_own_stack ? handshake : 0;
    /* The context's flags asked for IOPL 1: port reads are allowed in the kernel (and read all ones). */
    unsigned char value;
    __asm__ volatile("inb $0x80, %0" : "=a"(value));
    secondary_port_read = value;
    secondary_done = 1;
    HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0);
    for (;;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);
    }
}

static unsigned long root_cr3(unsigned long mfn)
{
#if defined(__x86_64__)
    return mfn << 12;
#else
    return (mfn << 12) | (mfn >> 20);
#endif
}

static void fill_context(unsigned long root_mfn)
{
    unsigned long top = (unsigned long)secondary_stack + sizeof(secondary_stack) - 16;
    for (unsigned i = 0; i < sizeof(context); i++) {
        ((volatile uint8_t *)&context)[i] = 0;
    }
    context.flags = VGCF_in_kernel;
#if defined(__x86_64__)
    context.user_regs.rip = (unsigned long)secondary_main;
    context.user_regs.rsp = top - 8;
    context.user_regs.rflags = 0x1200; /* IF, and IOPL 1 as Linux asks for (becomes the virtual IOPL) */
#else
    context.user_regs.eip = (unsigned long)secondary_main;
    context.user_regs.esp = top - 4;
    context.user_regs.eflags = 0x1200; /* IF, and IOPL 1 as Linux asks for (becomes the virtual IOPL) */
#endif
    context.user_regs.cs = KERNEL_CS;
    context.user_regs.ss = KERNEL_SS;
    context.user_regs.ds = KERNEL_DS;
    context.user_regs.es = KERNEL_DS;
    context.kernel_ss = KERNEL_SS;
    context.kernel_sp = top;
    context.ctrlreg[3] = root_cr3(root_mfn);
}

int guest_main(struct start_info *si)
{
    long up = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0);
    if (up == -ENOENT) {
        pv_check("single_vcpu_has_no_vcpu1", 1);
        return 0;
    }

    unsigned long root = pv_va_to_mfn((void *)si->pt_base);
    pv_expect_eq("vcpu1_starts_down", up, 0);
    pv_expect_eq("up_before_initialise_is_einval", HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), -EINVAL);

#if defined(__x86_64__)
    fill_context(root);
    context.user_regs.rip = 0x0000800000000000ul;
    pv_expect_eq("non_canonical_entry_is_einval", HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &context), -EINVAL);
#else
    pv_check("non_canonical_entry_is_einval", 1);
#endif

    fill_context(pv_va_to_mfn(secondary_stack));
    pv_expect_eq("data_page_as_root_is_einval", HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &context), -EINVAL);

    fill_context(root);
    pv_expect_eq("initialise", HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &context), 0);
    pv_expect_eq("initialise_twice_is_eexist", HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &context), -EEXIST);
    pv_expect_eq("still_down_until_up", HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0), 0);
    pv_expect_eq("up", HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), 0);
    pv_expect_eq("is_up_after_up", HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0), 1);

    for (int spins = 0; !secondary_done && spins < 100000; spins++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);
    }
    pv_check("secondary_ran_on_its_stack_and_saw_shared_memory", secondary_done && secondary_saw == handshake);
    pv_expect_eq("secondary_got_the_contexts_iopl", secondary_port_read, 0xff);
    pv_expect_eq("secondary_took_itself_down", HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0), 0);
    return 0;
}
