/*
 * Event delivery for test guests: maps shared_info at a page of the image, registers an event
 * callback that clears evtchn_upcall_pending, counts the upcall and returns through HYPERVISOR_iret
 * (hypercall 23), and a failsafe callback that spins (these guests never reload a bad selector).
 */
#include "pv.h"

static char shared_page[4096] __attribute__((aligned(4096)));
volatile char *pv_shared_info;
volatile unsigned pv_upcalls;

void pv_event_entry(void);
void pv_failsafe_entry(void);

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl pv_event_entry\n"
    "pv_event_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  push %rax\n"
    "  mov pv_shared_info(%rip), %rax\n"
    "  movb $0, (%rax)\n"
    "  incl pv_upcalls(%rip)\n"
    "  pop %rax\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl pv_failsafe_entry\n"
    "pv_failsafe_entry:\n"
    "  jmp pv_failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall3(HC_set_callbacks, pv_event_entry, pv_failsafe_entry, 0);
}
#else
__asm__(
    ".text\n"
    ".globl pv_event_entry\n"
    "pv_event_entry:\n"
    "  push %eax\n"
    "  movl pv_shared_info, %eax\n"
    "  movb $0, (%eax)\n"
    "  incl pv_upcalls\n"
    "  pop %eax\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl pv_failsafe_entry\n"
    "pv_failsafe_entry:\n"
    "  jmp pv_failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall4(HC_set_callbacks, 0xe019, pv_event_entry, 0xe019, pv_failsafe_entry);
}
#endif

int pv_events_init(struct start_info *si)
{
    long mapped = HYPERVISOR_update_va_mapping((unsigned long)shared_page, si->shared_info | PTE_P | PTE_RW | PTE_A, UVMF_INVLPG);
    pv_expect_eq("map_shared_info", mapped, 0);
    if (mapped != 0) {
        return -1;
    }
    pv_shared_info = shared_page;
    long registered = set_callbacks();
    pv_expect_eq("set_callbacks", registered, 0);
    return registered == 0 ? 0 : -1;
}

int pv_cmdline_has(const char *cmdline, const char *word)
{
    for (const char *p = cmdline; *p; p++) {
        int i = 0;
        while (word[i] && p[i] == word[i]) {
            i++;
        }
        if (!word[i]) {
            return 1;
        }
    }
    return 0;
}
