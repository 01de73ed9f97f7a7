/*
 * A CPU-bound guest: five rounds of arithmetic, a progress line after each, then poweroff.
 * Several of them side by side show how the scheduler shares the physical CPUs.
 */
#include "pv.h"

#define ROUNDS 5
#define STEPS 200000

int guest_main(struct start_info *si)
{
    (void)si;
    volatile unsigned long sum = 0;
    for (int round = 1; round <= ROUNDS; round++) {
        for (unsigned long i = 0; i < STEPS; i++) {
            sum = sum * 31 + i;
        }
        pv_printf("busy: round %d of %d\n", round, ROUNDS);
    }
    pv_check("busy", sum != 0);
    return 0;
}
