/* ActorVisor guest SDK: printf to the hypervisor console (console_io write) and test reporting. */
#include "pv.h"

struct out {
    char buf[256];
    int len;
    int total;
};

static void flush(struct out *o)
{
    if (o->len > 0) {
        HYPERVISOR_console_io(CONSOLEIO_write, o->len, o->buf);
        o->len = 0;
    }
}

static void put(struct out *o, char c)
{
    if (o->len == (int)sizeof(o->buf)) {
        flush(o);
    }
    o->buf[o->len++] = c;
    o->total++;
}

static void put_str(struct out *o, const char *s)
{
    if (!s) {
        s = "(null)";
    }
    while (*s) {
        put(o, *s++);
    }
}

/* Divides by a small base without libgcc (32-bit builds have no 64-bit division helper). */
static unsigned long long divide(unsigned long long v, unsigned base, unsigned *remainder)
{
    unsigned long long quotient = 0;
    unsigned long long r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((v >> bit) & 1);
        if (r >= base) {
            r -= base;
            quotient |= 1ull << bit;
        }
    }
    *remainder = (unsigned)r;
    return quotient;
}

static void put_unsigned(struct out *o, unsigned long long v, unsigned base, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        unsigned d;
        v = divide(v, base, &d);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    } while (v);
    while (n < width--) {
        put(o, pad);
    }
    while (n) {
        put(o, digits[--n]);
    }
}

int pv_vprintf(const char *fmt, va_list ap)
{
    struct out o = { .len = 0, .total = 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                put(&o, '-');
                v = -v;
            }
            put_unsigned(&o, (unsigned long long)v, 10, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                                   : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_unsigned(&o, v, *fmt == 'x' ? 16 : 10, width, pad);
            break;
        }
        case 'p':
            put_str(&o, "0x");
            put_unsigned(&o, (unsigned long)va_arg(ap, void *), 16, 0, ' ');
            break;
        case 's':
            put_str(&o, va_arg(ap, const char *));
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '?');
            break;
        }
    }
    flush(&o);
    return o.total;
}

int pv_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = pv_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

static int failures;

void pv_check(const char *name, int ok)
{
    pv_printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok) {
        failures++;
    }
}

void pv_expect_eq(const char *name, long actual, long expected)
{
    if (actual == expected) {
        pv_printf("PASS %s\n", name);
    } else {
        pv_printf("FAIL %s (got %ld, expected %ld)\n", name, actual, expected);
        failures++;
    }
}

int pv_failures(void)
{
    return failures;
}
