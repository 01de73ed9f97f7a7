/*
 * A freestanding SSE packed-integer workload for the CPU benchmark, written the way glibc's SSE2 and
 * SSE4.2 string functions are: strlen and memchr 16 bytes at a time (PCMPEQB, PMOVMSKB, BSF), memcpy
 * with MOVDQU/MOVDQA, a byte-set scan with PCMPISTRI (as strspn/strpbrk do), CRC-32C with the CRC32
 * instruction, and a byte sum with PSADBW. No libc; built like workload.c as a static Linux binary and,
 * with -DACTORVISOR_GUEST, as an image that leaves the checksum in RAX and halts.
 */
#include <immintrin.h>

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#ifndef ROUNDS
#define ROUNDS 40
#endif

#define BUFFER_BYTES 65536

static u8 text[BUFFER_BYTES + 64] __attribute__((aligned(16)));
static u8 copy[BUFFER_BYTES + 64] __attribute__((aligned(16)));

static u32 rng_state = 12345;
static u32 next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Lines of lower-case words; a zero byte ends each "string" every 1-4 KiB. */
static void fill(void)
{
    for (u64 i = 0; i < BUFFER_BYTES; i++) {
        u32 r = next_random();
        text[i] = (r & 7) == 0 ? ' ' : (r & 255) == 1 ? '\n' : (u8)('a' + (r >> 8) % 26);
        if ((r >> 20) % 2048 == 0) text[i] = 0;
    }
    text[BUFFER_BYTES] = 0;
}

static u64 sse_strlen(const u8 *s)
{
    const u8 *p = (const u8 *)((u64)s & ~15UL);
    __m128i zero = _mm_setzero_si128();
    u32 mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)p), zero)) >> (s - p);
    if (mask) return (u64)__builtin_ctz(mask);
    for (;;) {
        p += 16;
        mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)p), zero));
        if (mask) return (u64)(p - s) + (u64)__builtin_ctz(mask);
    }
}

static const u8 *sse_memchr(const u8 *s, u8 c, u64 n)
{
    __m128i needle = _mm_set1_epi8((char)c);
    u64 i = 0;
    for (; i + 16 <= n; i += 16) {
        u32 mask = (u32)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + i)), needle));
        if (mask) return s + i + __builtin_ctz(mask);
    }
    for (; i < n; i++) if (s[i] == c) return s + i;
    return 0;
}

static void sse_memcpy(u8 *d, const u8 *s, u64 n)
{
    u64 i = 0;
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + i + 48));
        _mm_storeu_si128((__m128i *)(d + i), a);
        _mm_storeu_si128((__m128i *)(d + i + 16), b);
        _mm_storeu_si128((__m128i *)(d + i + 32), c);
        _mm_storeu_si128((__m128i *)(d + i + 48), e);
    }
    for (; i < n; i++) d[i] = s[i];
}

/* Length of the prefix of s made of bytes in the set (strspn), 16 bytes per PCMPISTRI. */
static u64 sse_strspn_letters(const u8 *s)
{
    const __m128i set = _mm_setr_epi8('a', 'z', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    u64 i = 0;
    for (;;) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(s + i));
        int index = _mm_cmpistri(set, chunk, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_NEGATIVE_POLARITY);
        if (index < 16) return i + (u64)index;
        i += 16;
    }
}

static u64 byte_sum(const u8 *s, u64 n)
{
    __m128i total = _mm_setzero_si128();
    for (u64 i = 0; i + 16 <= n; i += 16) {
        total = _mm_add_epi64(total, _mm_sad_epu8(_mm_load_si128((const __m128i *)(s + i)), _mm_setzero_si128()));
    }
    return (u64)_mm_cvtsi128_si64(total) + (u64)_mm_extract_epi64(total, 1);
}

static u64 crc32c(const u8 *s, u64 n)
{
    u64 crc = 0xFFFFFFFF;
    for (u64 i = 0; i + 8 <= n; i += 8) crc = _mm_crc32_u64(crc, *(const u64 *)(s + i));
    return crc ^ 0xFFFFFFFF;
}

static u64 run_workload(void)
{
    fill();
    u64 checksum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        u64 lengths = 0, spans = 0, newlines = 0;
        for (u64 at = 0; at < BUFFER_BYTES; at += sse_strlen(text + at) + 1) {
            lengths = lengths * 31 + sse_strlen(text + at);
        }
        for (u64 at = 0; at < BUFFER_BYTES; at++) {
            u64 span = sse_strspn_letters(text + at);
            spans += span;
            at += span;
        }
        for (const u8 *p = text; (p = sse_memchr(p, '\n', (u64)(text + BUFFER_BYTES - p))) != 0; p++) newlines++;
        sse_memcpy(copy + (round & 15), text, BUFFER_BYTES);
        checksum = checksum * 1000003 + lengths + spans * 7 + newlines * 13 + byte_sum(copy, BUFFER_BYTES) + crc32c(copy + (round & 15), BUFFER_BYTES);
        text[(next_random() % BUFFER_BYTES)] = (u8)('a' + round % 26);
    }
    return checksum;
}

#define WORKLOAD_CHECKSUM() run_workload()
#include "entry.h"
