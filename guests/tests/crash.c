/*
 * A guest that crashes on purpose: it writes to an address nothing maps, with no trap table
 * registered, so the hypervisor crashes the domain. Scenarios use it to show that one
 * crashing domain leaves the others running and that its on_crash policy is applied.
 */
#include "pv.h"

int guest_main(struct start_info *si)
{
    (void)si;
    pv_printf("crash: about to fault\n");
    volatile unsigned *nowhere = (volatile unsigned *)(unsigned long)0x7ff00000UL;
    *nowhere = 1;
    pv_printf("crash: still alive, which is wrong\n");
    return 1;
}
