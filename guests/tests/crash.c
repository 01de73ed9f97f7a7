/*
 * A guest that crashes on purpose when its command line says "crash": it writes to an address
 * nothing maps, with no trap table registered, so the hypervisor crashes the domain. Scenarios
 * use it to show that one crashing domain leaves the others running and that its on_crash
 * policy is applied. Without "crash" on the command line it checks that it got a command line
 * and powers off, so that the guest suite can boot it like every other guest.
 */
#include "pv.h"

int guest_main(struct start_info *si)
{
    if (!pv_cmdline_has(si->cmd_line, "crash")) {
        pv_check("crash_not_requested", 1);
        return 0;
    }

    pv_printf("crash: about to fault\n");
    volatile unsigned *nowhere = (volatile unsigned *)(unsigned long)0x7ff00000UL;
    *nowhere = 1;
    pv_printf("crash: still alive, which is wrong\n");
    return 1;
}
