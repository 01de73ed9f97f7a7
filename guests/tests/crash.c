/*
 * A guest that crashes on purpose when its command line says "crash": it writes to an address
 * nothing maps, with no trap table registered, so the hypervisor crashes the domain. Scenarios
 * use it to show that one crashing domain leaves the others running and that its on_crash
 * policy is applied. Without "crash" on the command line it checks that it got a command line
 * and powers off, so that the guest suite can boot it like every other guest.
 */
#include "pv.h"

static int asks_for_crash(const char *cmdline)
{
    static const char word[] = "crash";
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
    if (!asks_for_crash(si->cmd_line)) {
        pv_check("crash_not_requested", 1);
        return 0;
    }

    pv_printf("crash: about to fault\n");
    volatile unsigned *nowhere = (volatile unsigned *)(unsigned long)0x7ff00000UL;
    *nowhere = 1;
    pv_printf("crash: still alive, which is wrong\n");
    return 1;
}
