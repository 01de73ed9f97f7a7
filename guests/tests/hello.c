/* The smallest guest: greets through console_io and powers off. */
#include "pv.h"

int guest_main(struct start_info *si)
{
    pv_printf("Hello from an ActorVisor PV guest (%s, %lu pages)\n", si->magic, (unsigned long)si->nr_pages);
    pv_check("hello", si->magic[0] == 'x' && si->nr_pages > 0);
    return 0;
}
