/*
 * A freestanding SSE workload for the CPU benchmark, the other half of workload.c: what glibc's
 * string functions do over large buffers (memcpy with 16-byte loads and stores at every
 * misalignment, strlen and memchr with PCMPEQB/PMINUB/PMOVMSKB and a bit scan, as glibc's SSE2
 * variants do), a packed single-precision matrix multiply and a double-precision radix-2 FFT
 * (scalar SSE2 arithmetic with twiddles from a Taylor series, so no libm). The same source is
 * built as a static Linux binary (prints the checksum and exits through system calls), with
 * -DACTORVISOR_GUEST as an image for the emulated CPU (checksum in RAX, then HLT), and with
 * -DACTORVISOR_PV_GUEST for sse-guest.c, which runs it as a Xen PV guest. Floating-point results
 * enter the checksum by their bit patterns: every engine must round every operation the same way.
 */
#include <emmintrin.h>

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#ifndef SSE_ROUNDS
#define SSE_ROUNDS 32
#endif

#define BUFFER_BYTES (1 << 20)
#define MATRIX 64
#define FFT_POINTS 4096

static u8 source[BUFFER_BYTES + 64] __attribute__((aligned(16)));
static u8 target[BUFFER_BYTES + 64] __attribute__((aligned(16)));
static float ma[MATRIX * MATRIX] __attribute__((aligned(16)));
static float mb[MATRIX * MATRIX] __attribute__((aligned(16)));
static float mc[MATRIX * MATRIX] __attribute__((aligned(16)));
static double re[FFT_POINTS];
static double im[FFT_POINTS];

static u32 sse_rng = 2463534242u;
static u32 sse_random(void)
{
    sse_rng ^= sse_rng << 13;
    sse_rng ^= sse_rng >> 17;
    sse_rng ^= sse_rng << 5;
    return sse_rng;
}

static u64 mix(u64 h, u64 v)
{
    return (h ^ v) * 0x100000001b3ul;
}

/* glibc-style memcpy: unaligned 16-byte head and tail, aligned stores in between, four at a time. */
static void sse_memcpy(u8 *d, const u8 *s, u64 n)
{
    if (n < 16) {
        while (n--)
            *d++ = *s++;
        return;
    }
    __m128i head = _mm_loadu_si128((const __m128i *)s);
    __m128i tail = _mm_loadu_si128((const __m128i *)(s + n - 16));
    u8 *end = d + n;
    u8 *aligned = (u8 *)(((u64)d + 16) & ~15ul);
    s += aligned - d;
    _mm_storeu_si128((__m128i *)d, head);
    d = aligned;
    while (d + 64 <= end - 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_store_si128((__m128i *)d, a);
        _mm_store_si128((__m128i *)(d + 16), b);
        _mm_store_si128((__m128i *)(d + 32), c);
        _mm_store_si128((__m128i *)(d + 48), e);
        d += 64;
        s += 64;
    }
    while (d + 16 <= end - 16) {
        _mm_store_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
        d += 16;
        s += 16;
    }
    _mm_storeu_si128((__m128i *)(end - 16), tail);
}

/* glibc-style strlen: align down, mask off the bytes before the start, then 64 bytes a round with PMINUB. */
static u64 sse_strlen(const char *str)
{
    const __m128i zero = _mm_setzero_si128();
    const char *p = (const char *)((u64)str & ~15ul);
    u32 mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)p), zero)) >> ((u64)str & 15);
    if (mask)
        return (u64)__builtin_ctz(mask);
    p += 16;
    while (((u64)p & 63) != 0) {
        mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)p), zero));
        if (mask)
            return (u64)(p - str) + (u64)__builtin_ctz(mask);
        p += 16;
    }
    for (;;) {
        __m128i a = _mm_load_si128((const __m128i *)p);
        __m128i b = _mm_load_si128((const __m128i *)(p + 16));
        __m128i c = _mm_load_si128((const __m128i *)(p + 32));
        __m128i e = _mm_load_si128((const __m128i *)(p + 48));
        __m128i least = _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, e));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(least, zero)))
            break;
        p += 64;
    }
    for (;; p += 16) {
        mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)p), zero));
        if (mask)
            return (u64)(p - str) + (u64)__builtin_ctz(mask);
    }
}

/* glibc-style memchr: a broadcast byte compared 16 at a time; the index of the first match or n. */
static u64 sse_memchr(const u8 *s, u8 c, u64 n)
{
    const __m128i needle = _mm_set1_epi8((char)c);
    u64 i = 0;
    for (; i + 32 <= n; i += 32) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + i)), needle);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + i + 16)), needle);
        u32 mask = (u32)_mm_movemask_epi8(a) | ((u32)_mm_movemask_epi8(b) << 16);
        if (mask)
            return i + (u64)__builtin_ctz(mask);
    }
    for (; i < n; i++)
        if (s[i] == c)
            return i;
    return n;
}

static u64 string_round(void)
{
    u64 h = 0;
    for (u64 i = 0; i < BUFFER_BYTES; i += 4) {
        u32 r = sse_random();
        source[i] = (u8)(r | 1);
        source[i + 1] = (u8)((r >> 8) | 1);
        source[i + 2] = (u8)((r >> 16) | 1);
        source[i + 3] = (u8)((r >> 24) | 1);
    }
    for (int k = 0; k < 8; k++) {
        u64 offset = sse_random() & 15;
        u64 length = BUFFER_BYTES - 32 - (sse_random() & 4095);
        sse_memcpy(target + ((offset * 7) & 15), source + offset, length);
        h = mix(h, target[(offset * 7) & 15] + ((u64)target[length / 2] << 8));
        u64 cut = (sse_random() % (BUFFER_BYTES - 64)) + 1;
        u8 saved = source[cut];
        source[cut] = 0;
        h = mix(h, sse_strlen((const char *)source + (sse_random() & 31)));
        source[cut] = saved;
        h = mix(h, sse_memchr(source + offset, (u8)(sse_random() | 1), BUFFER_BYTES - 16));
        h = mix(h, sse_memchr(source, 0, BUFFER_BYTES));
    }
    return h;
}

static u64 bits_of_float(float f)
{
    union { float f; u32 u; } v = { f };
    return v.u;
}

static u64 bits_of_double(double d)
{
    union { double d; u64 u; } v = { d };
    return v.u;
}

/* C = A * B in single precision, four columns of C at a time. */
static u64 matrix_round(void)
{
    for (int i = 0; i < MATRIX * MATRIX; i++) {
        ma[i] = (float)(int)(sse_random() % 2001 - 1000) / 256.0f;
        mb[i] = (float)(int)(sse_random() % 2001 - 1000) / 1024.0f;
    }
    for (int i = 0; i < MATRIX; i++) {
        for (int j = 0; j < MATRIX; j += 4) {
            __m128 sum = _mm_setzero_ps();
            for (int k = 0; k < MATRIX; k++)
                sum = _mm_add_ps(sum, _mm_mul_ps(_mm_set1_ps(ma[i * MATRIX + k]), _mm_load_ps(&mb[k * MATRIX + j])));
            _mm_store_ps(&mc[i * MATRIX + j], sum);
        }
    }
    u64 h = 0;
    for (int i = 0; i < MATRIX * MATRIX; i += 3)
        h = mix(h, bits_of_float(mc[i]));
    return h;
}

/* sin and cos of x in [-pi, pi] by their Taylor series, enough terms for double precision. */
static void sincos_series(double x, double *s, double *c)
{
    double term_s = x, term_c = 1.0, sum_s = x, sum_c = 1.0;
    for (int n = 1; n < 20; n++) {
        term_s *= -x * x / (double)((2 * n) * (2 * n + 1));
        term_c *= -x * x / (double)((2 * n - 1) * (2 * n));
        sum_s += term_s;
        sum_c += term_c;
    }
    *s = sum_s;
    *c = sum_c;
}

/* An in-place iterative radix-2 FFT of FFT_POINTS complex doubles, then the sum of squared magnitudes. */
static u64 fft_round(void)
{
    for (int i = 0; i < FFT_POINTS; i++) {
        re[i] = (double)(int)(sse_random() % 20001 - 10000) / 1000.0;
        im[i] = 0.0;
    }
    for (int i = 1, j = 0; i < FFT_POINTS; i++) {
        int bit = FFT_POINTS >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (int length = 2; length <= FFT_POINTS; length <<= 1) {
        double ws, wc;
        sincos_series(-2.0 * 3.14159265358979323846 / (double)length, &ws, &wc);
        for (int i = 0; i < FFT_POINTS; i += length) {
            double ur = 1.0, ui = 0.0;
            for (int k = 0; k < length / 2; k++) {
                int a = i + k, b = i + k + length / 2;
                double tr = re[b] * ur - im[b] * ui;
                double ti = re[b] * ui + im[b] * ur;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
                double next = ur * wc - ui * ws;
                ui = ur * ws + ui * wc;
                ur = next;
            }
        }
    }
    double power = 0.0;
    u64 h = 0;
    for (int i = 0; i < FFT_POINTS; i++) {
        power += re[i] * re[i] + im[i] * im[i];
        if ((i & 255) == 0)
            h = mix(h, bits_of_double(re[i]));
    }
    return mix(h, bits_of_double(power));
}

u64 run_sse_workload(int rounds)
{
    u64 checksum = 0;
    for (int round = 0; round < rounds; round++) {
        checksum = mix(checksum, string_round());
        checksum = mix(checksum, matrix_round());
        checksum = mix(checksum, fft_round());
    }
    return checksum;
}

#define WORKLOAD_CHECKSUM() run_sse_workload(SSE_ROUNDS)
#include "entry.h"
