/*
 * The entry point of every workload this folder's Makefile builds. A workload includes this file
 * last, after defining WORKLOAD_CHECKSUM() as the expression that runs it and yields its u64
 * checksum. Built with
 *   ACTORVISOR_PV_GUEST  no entry point: the PV guest wrapper (sse-guest.c, guests/tests/workload.c)
 *                        provides its own;
 *   ACTORVISOR_GUEST     the image for the bare emulated CPU, which stops at HLT with the checksum in RAX;
 *   neither              a static Linux binary that prints the checksum in decimal and exits.
 * _start is entered by a jump with a 16-byte aligned stack, not by a call, so it realigns the stack
 * for the SSE spills the compiler may emit.
 */
#if defined(ACTORVISOR_PV_GUEST)
/* The PV guest wrapper provides the entry point. */
#elif defined(ACTORVISOR_GUEST)
__attribute__((force_align_arg_pointer)) void _start(void)
{
    u64 checksum = WORKLOAD_CHECKSUM();
    __asm__ volatile("hlt" : : "a"(checksum));
    for (;;) { }
}
#else
static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

__attribute__((force_align_arg_pointer)) void _start(void)
{
    u64 checksum = WORKLOAD_CHECKSUM();
    char text[32];
    int n = 0;
    char digits[24];
    int d = 0;
    do { digits[d++] = (char)('0' + checksum % 10); checksum /= 10; } while (checksum);
    while (d) text[n++] = digits[--d];
    text[n++] = '\n';
    sys3(1, 1, (long)text, n);
    sys3(60, 0, 0, 0);
    for (;;) { }
}
#endif
