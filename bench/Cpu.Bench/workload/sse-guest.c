/*
 * The CPU benchmark's SSE workload (sse.c: memcpy/strlen/memchr as glibc's SSE2 variants do them,
 * a float matrix multiply, a double FFT) as a Xen PV guest, built by this folder's Makefile against
 * the guest SDK of guests/ (not part of the guest suite: it needs the SSE instructions, which the
 * SDK's own code never uses). The number of rounds comes from the command line ("rounds=N",
 * default 1); the checksum is printed so the benchmark can check it against the native run.
 */
#include "pv.h"

#define ACTORVISOR_PV_GUEST
#include "sse.c"

static int rounds_from(const char *cmdline)
{
    static const char key[] = "rounds=";
    for (const char *p = cmdline; *p; p++) {
        int i = 0;
        while (key[i] && p[i] == key[i]) {
            i++;
        }
        if (!key[i]) {
            int n = 0;
            for (p += i; *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (*p - '0');
            }
            return n ? n : 1;
        }
    }
    return 1;
}

__attribute__((force_align_arg_pointer)) int guest_main(struct start_info *si)
{
    int rounds = rounds_from(si->cmd_line);
    u64 checksum = run_sse_workload(rounds);
    pv_printf("sse workload: %d rounds, checksum %lu\n", rounds, (unsigned long)checksum);
    pv_check("sse workload", checksum != 0);
    return 0;
}
