/*
 * An idle guest: it registers its event callback, says so, and blocks in SCHEDOP_block with no
 * timer armed. With "forever" on its command line it never wakes again (nothing sends it an
 * event) and costs no CPU time until the toolstack destroys it; scenarios start a hundred of
 * them. Without it, it arms a 1 ms timer first, is woken by it, and powers off, so that the
 * guest suite can boot it.
 */
#include "pv.h"

#define EVTCHNOP_bind_virq 1
#define VIRQ_TIMER 0

struct bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    uint32_t port;
};

static char shared_page[4096] __attribute__((aligned(4096)));
volatile char *shared_va;
volatile unsigned upcalls;

void event_entry(void);
void failsafe_entry(void);

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl event_entry\n"
    "event_entry:\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  push %rax\n"
    "  mov shared_va(%rip), %rax\n"
    "  movb $0, (%rax)\n"
    "  incl upcalls(%rip)\n"
    "  pop %rax\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl failsafe_entry\n"
    "failsafe_entry:\n"
    "  jmp failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall3(HC_set_callbacks, event_entry, failsafe_entry, 0);
}
#else
__asm__(
    ".text\n"
    ".globl event_entry\n"
    "event_entry:\n"
    "  push %eax\n"
    "  movl shared_va, %eax\n"
    "  movb $0, (%eax)\n"
    "  incl upcalls\n"
    "  pop %eax\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".globl failsafe_entry\n"
    "failsafe_entry:\n"
    "  jmp failsafe_entry\n");
static long set_callbacks(void)
{
    return hypercall4(HC_set_callbacks, 0xe019, event_entry, 0xe019, failsafe_entry);
}
#endif

static int forever(const char *cmdline)
{
    static const char word[] = "forever";
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

int guest_main(struct start_info *si)
{
    pv_expect_eq("map_shared_info",
                 HYPERVISOR_update_va_mapping((unsigned long)shared_page, si->shared_info | PTE_P | PTE_RW | PTE_A, UVMF_INVLPG), 0);
    shared_va = shared_page;
    pv_expect_eq("set_callbacks", set_callbacks(), 0);
    if (forever(si->cmd_line)) {
        pv_printf("idle: blocking until destroyed\n");
        for (;;) {
            HYPERVISOR_sched_op(SCHEDOP_block, 0);
        }
    }

    struct bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0, .port = 0 };
    pv_expect_eq("bind_virq_timer", HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind), 0);
    unsigned long long now = 0;
    pv_expect_eq("set_timer_op", HYPERVISOR_set_timer_op(now + 1000000), 0);
    pv_expect_eq("sched_block", HYPERVISOR_sched_op(SCHEDOP_block, 0), 0);
    pv_check("idle_woken_by_its_timer", upcalls >= 1);
    return 0;
}
