/* ActorVisor guest SDK: C entry, shutdown. */
#include "pv.h"

struct start_info *pv_start_info;

void pv_shutdown(unsigned reason)
{
    struct sched_shutdown arg = { .reason = reason };
    for (;;) {
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
    }
}

void pv_start(struct start_info *si)
{
    pv_start_info = si;
    int result = guest_main(si);
    if (result == 0 && pv_failures() == 0) {
        pv_shutdown(SHUTDOWN_poweroff);
    }
    pv_printf("guest exits with %d after %d failed checks\n", result, pv_failures());
    pv_shutdown(SHUTDOWN_crash);
}
