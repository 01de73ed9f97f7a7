/*
 * Guest user mode: the kernel enters ring 3 with the iret hypercall and the
 * user program comes back with a system call. 64-bit: SYSCALL from user mode
 * reaches the registered syscall callback on the stack_switch stack, in
 * kernel mode again (needs MMUEXT_NEW_USER_BASEPTR). 32-bit PAE: int $0x80
 * from ring 3 reaches trap-table vector 0x80 (DPL 3) on the kernel stack.
 */
#include "pv.h"

struct trap_info_local {
    uint8_t vector;
    uint8_t flags;
    uint16_t cs;
    unsigned long address;
};

#define MMUEXT_NEW_USER_BASEPTR 15

static char kernel_stack[16384] __attribute__((aligned(16)));
static char user_stack[4096] __attribute__((aligned(4096)));
volatile unsigned long saved_kernel_sp;
volatile unsigned long entry_cs;
volatile unsigned long entry_frame_rip;

extern char user_page[];
extern char user_entry[];
void syscall_entry(void);
long enter_user(unsigned long user_sp);

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".balign 4096\n"
    ".globl user_page\n"
    "user_page:\n"
    ".globl user_entry\n"
    "user_entry:\n"
    "  mov $0x1234, %edi\n"
    "  syscall\n"
    "  ud2\n"
    ".balign 4096\n"
    /* enter_user(user_sp): saves the kernel context and irets to user_entry in ring 3. */
    ".globl enter_user\n"
    "enter_user:\n"
    "  push %rbx\n"
    "  push %rbp\n"
    "  push %r12\n"
    "  push %r13\n"
    "  push %r14\n"
    "  push %r15\n"
    "  mov %rsp, saved_kernel_sp(%rip)\n"
    "  pushq $0xe02b\n"
    "  push %rdi\n"
    "  pushq $0x202\n"
    "  pushq $0xe033\n"
    "  leaq user_entry(%rip), %rax\n"
    "  push %rax\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    /* The syscall callback: frame rcx, r11, rip, cs, rflags, rsp, ss; returns the user's rdi from enter_user. */
    ".globl syscall_entry\n"
    "syscall_entry:\n"
    "  mov 24(%rsp), %rax\n"
    "  mov %rax, entry_cs(%rip)\n"
    "  mov 16(%rsp), %rax\n"
    "  mov %rax, entry_frame_rip(%rip)\n"
    "  mov %rdi, %rax\n"
    "  mov saved_kernel_sp(%rip), %rsp\n"
    "  pop %r15\n"
    "  pop %r14\n"
    "  pop %r13\n"
    "  pop %r12\n"
    "  pop %rbp\n"
    "  pop %rbx\n"
    "  ret\n");
#define USER_CS 0xe033
#define KERNEL_SS 0xe02b
#else
__asm__(
    ".text\n"
    ".balign 4096\n"
    ".globl user_page\n"
    "user_page:\n"
    ".globl user_entry\n"
    "user_entry:\n"
    "  mov $0x1234, %ebx\n"
    "  int $0x80\n"
    "  ud2\n"
    ".balign 4096\n"
    ".globl enter_user\n"
    "enter_user:\n"
    "  mov 4(%esp), %eax\n"
    "  push %ebx\n"
    "  push %ebp\n"
    "  push %esi\n"
    "  push %edi\n"
    "  mov %esp, saved_kernel_sp\n"
    "  pushl $0xe033\n"
    "  push %eax\n"
    "  pushl $0x202\n"
    "  pushl $0xe02b\n"
    "  pushl $user_entry\n"
    "  jmp hypercall_page + 23 * 32\n"
    /* Vector 0x80 from ring 3: frame eip, cs, eflags, esp, ss on the kernel stack. */
    ".globl syscall_entry\n"
    "syscall_entry:\n"
    "  mov 4(%esp), %eax\n"
    "  mov %eax, entry_cs\n"
    "  mov 0(%esp), %eax\n"
    "  mov %eax, entry_frame_rip\n"
    "  mov %ebx, %eax\n"
    "  mov saved_kernel_sp, %esp\n"
    "  pop %edi\n"
    "  pop %esi\n"
    "  pop %ebp\n"
    "  pop %ebx\n"
    "  ret\n");
#define USER_CS 0xe02b
#define KERNEL_SS 0xe021
#endif

static uint64_t pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << 12) | flags;
}

int guest_main(struct start_info *si)
{
    pv_expect_eq("user_code_page_mapped_user_read_only",
                 HYPERVISOR_update_va_mapping((unsigned long)user_page, pte(pv_va_to_mfn(user_page), PTE_P | PTE_US | PTE_A), UVMF_INVLPG), 0);
    pv_expect_eq("user_stack_page_mapped_user_writable",
                 HYPERVISOR_update_va_mapping((unsigned long)user_stack, pte(pv_va_to_mfn(user_stack), PTE_P | PTE_RW | PTE_US | PTE_A), UVMF_INVLPG), 0);
    pv_expect_eq("stack_switch", hypercall2(HC_stack_switch, KERNEL_SS, kernel_stack + sizeof(kernel_stack)), 0);
#if defined(__x86_64__)
    struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = pv_va_to_mfn((void *)si->pt_base) };
    pv_expect_eq("new_user_baseptr", HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF), 0);
    pv_expect_eq("set_callbacks_with_a_syscall_entry", hypercall3(HC_set_callbacks, 0, 0, syscall_entry), 0);
#else
    (void)si;
    struct trap_info_local traps[] = { { 0x80, 3, 0xe019, (unsigned long)syscall_entry }, { 0, 0, 0, 0 } };
    pv_expect_eq("set_trap_table_with_int80", hypercall1(HC_set_trap_table, traps), 0);
#endif
    long arg = enter_user((unsigned long)(user_stack + sizeof(user_stack)));
    pv_expect_eq("the_user_program_reached_the_kernel_with_its_argument", arg, 0x1234);
    pv_expect_eq("the_entry_frame_shows_the_user_code_selector", (long)(entry_cs & 0xffff), USER_CS);
    pv_check("the_entry_frame_returns_after_the_system_call", entry_frame_rip > (unsigned long)user_entry && entry_frame_rip < (unsigned long)user_entry + 16);
    pv_expect_eq("kernel_hypercalls_work_after_returning", HYPERVISOR_xen_version(XENVER_pagesize, 0), 4096);
    return 0;
}
