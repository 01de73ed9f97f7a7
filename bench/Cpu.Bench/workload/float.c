/*
 * A freestanding floating-point workload for the CPU bench: a 48x48 double matrix multiply, a
 * single-precision radix-2 FFT of 1024 points (twiddles from a Taylor series, no libm), square roots,
 * divisions and integer conversions. It is compiled for plain x86-64 (SSE2, -O2 without the vectorizer, so
 * that it measures the floating-point handlers rather than packed-integer index arithmetic) and runs natively
 * (prints the checksum and exits through system calls) and, with -DACTORVISOR_GUEST, as an image the
 * emulated CPU runs to HLT with the checksum in RAX. The checksum folds the bits of every result, so
 * it matches only when every operation is rounded as the host rounds it.
 */
typedef unsigned long u64;
typedef unsigned int u32;

#ifndef ROUNDS
#define ROUNDS 6
#endif

#define N 48
#define FFT 1024

static double a[N][N], b[N][N], c[N][N];
static float re[FFT], im[FFT], wr[FFT / 2], wi[FFT / 2];

static u64 bits64(double x) { union { double d; u64 u; } v = { x }; return v.u; }
static u32 bits32(float x) { union { float f; u32 u; } v = { x }; return v.u; }

static double taylor_sin(double x)
{
    double term = x, sum = x, x2 = x * x;
    for (int k = 1; k < 12; k++) {
        term = -term * x2 / ((2 * k) * (2 * k + 1));
        sum += term;
    }
    return sum;
}

static u64 matrix_round(int round)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3 + round) % 17) / 3.0 - 2.5;
            b[i][j] = (double)((i * 5 + j * 11 + round) % 13) * 0.1875 + 1e-3 * j;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    u64 h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h = h * 31 + bits64(c[i][j]);
    return h;
}

static u64 fft_round(int round)
{
    const double pi = 3.14159265358979323846;
    for (int k = 0; k < FFT / 2; k++) {
        double angle = -2 * pi * k / FFT;
        double folded = angle < -pi / 2 ? -pi - angle : angle;
        wi[k] = (float)taylor_sin(folded);
        wr[k] = (float)taylor_sin(angle + pi / 2 > pi / 2 ? pi - (angle + pi / 2) : angle + pi / 2);
    }
    for (int i = 0; i < FFT; i++) {
        re[i] = (float)((i * 37 + round) % 101) / 7.0f - 6.0f;
        im[i] = (float)((i * 11) % 29) * 0.25f;
    }
    for (int i = 1, j = 0; i < FFT; i++) {
        int bit = FFT >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            float t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= FFT; len <<= 1) {
        int step = FFT / len;
        for (int i = 0; i < FFT; i += len)
            for (int k = 0; k < len / 2; k++) {
                float ur = re[i + k], ui = im[i + k];
                float xr = re[i + k + len / 2], xi = im[i + k + len / 2];
                float vr = xr * wr[k * step] - xi * wi[k * step];
                float vi = xr * wi[k * step] + xi * wr[k * step];
                re[i + k] = ur + vr; im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr; im[i + k + len / 2] = ui - vi;
            }
    }
    u64 h = 0;
    for (int i = 0; i < FFT; i++)
        h = h * 131 + bits32(re[i]) + ((u64)bits32(im[i]) << 20);
    return h;
}

static u64 scalar_round(int round)
{
    u64 h = 0;
    double x = 1.0 + round;
    float y = 0.5f + (float)round;
    for (int i = 1; i < 4000; i++) {
        x = __builtin_sqrt(x * 1.0001 + i) / (1.0 + 1.0 / i);
        y = __builtin_sqrtf(y + (float)i) * 0.999f;
        long n = (long)(x * 1000.0);
        int m = (int)(y * 100.0f);
        h = h * 7 + (u64)n + (u64)(unsigned)m + bits64((double)n / 3.0) + bits32((float)m / 7.0f);
    }
    return h;
}

u64 run_workload(void)
{
    u64 checksum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        checksum = checksum * 1000003 + matrix_round(round);
        checksum = checksum * 1000003 + fft_round(round);
        checksum = checksum * 1000003 + scalar_round(round);
    }
    return checksum;
}

#define WORKLOAD_CHECKSUM() run_workload()
#include "entry.h"
