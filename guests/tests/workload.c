/*
 * The CPU benchmark's integer workload (bench/Cpu.Bench/workload/workload.c: CRC32, sieve, sort,
 * memcpy/memset, list walk, hash table) run as a PV guest, so that guest MIPS under the
 * hypervisor can be compared with the bare CPU, qemu and native runs of the same code. The number
 * of rounds comes from the command line ("rounds=N", default 1 so the guest suite stays quick);
 * the checksum is printed so a benchmark can check it against the native run.
 */
#include "pv.h"

static int workload_rounds = 1;

#define ROUNDS workload_rounds
#define memcpy workload_memcpy
#define memset workload_memset
#define ACTORVISOR_PV_GUEST
#include "../../bench/Cpu.Bench/workload/workload.c"

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

int guest_main(struct start_info *si)
{
    workload_rounds = rounds_from(si->cmd_line);
    u64 checksum = run_workload();
    pv_printf("workload: %d rounds, checksum %lu\n", workload_rounds, (unsigned long)checksum);
    pv_check("workload", checksum != 0);
    return 0;
}
