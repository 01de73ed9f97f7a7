/*
 * A minimal /init for the Linux boot test's initramfs: a static x86-64 program without libc that
 * proves user space runs. It opens /dev/console, prints the kernel release from uname(2) and a
 * marker line, and powers the domain off with reboot(2); under Xen PV that ends in
 * SCHEDOP_shutdown(poweroff).
 */

#define SYS_write 1
#define SYS_open 2
#define SYS_uname 63
#define SYS_reboot 169

#define O_WRONLY 1
#define REBOOT_MAGIC1 0xfee1deadL
#define REBOOT_MAGIC2 672274793L
#define REBOOT_CMD_POWER_OFF 0x4321fedcL

struct utsname_buf {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

static long syscall3(long number, long a, long b, long c)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return result;
}

static long syscall4(long number, long a, long b, long c, long d)
{
    long result;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return result;
}

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static void put(long fd, const char *s)
{
    syscall3(SYS_write, fd, (long)s, (long)length(s));
}

static struct utsname_buf uts;

void _start(void)
{
    long fd = syscall3(SYS_open, (long)"/dev/console", O_WRONLY, 0);
    if (fd < 0) {
        fd = 1;
    }

    put(fd, "actorvisor-init: user space is running\n");
    if (syscall3(SYS_uname, (long)&uts, 0, 0) == 0) {
        put(fd, "actorvisor-init: ");
        put(fd, uts.sysname);
        put(fd, " ");
        put(fd, uts.release);
        put(fd, " ");
        put(fd, uts.machine);
        put(fd, "\n");
    }

    put(fd, "actorvisor-init: powering off\n");
    syscall4(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF, 0);
    for (;;) {
        __asm__ volatile("pause");
    }
}
