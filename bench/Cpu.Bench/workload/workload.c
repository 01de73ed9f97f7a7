/*
 * A freestanding integer workload for the CPU benchmark: CRC32, a sieve, a sort, memcpy/memset,
 * a linked-list walk and a hash table. No libc: the same source is built as a static Linux binary
 * (prints the checksum and exits through system calls) and, with -DACTORVISOR_GUEST, as an image the
 * bench runs on the emulated CPU (leaves the checksum in RAX and executes HLT). With
 * -DACTORVISOR_PV_GUEST it has no entry point: guests/tests/workload.c includes it and runs it as a
 * Xen PV guest.
 */
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#ifndef ROUNDS
#define ROUNDS 40
#endif

#define SIEVE_SIZE 200000
#define SORT_COUNT 20000
#define COPY_BYTES 65536
#define LIST_NODES 20000
#define HASH_SLOTS 16384

static u8 sieve_flags[SIEVE_SIZE];
static u32 sort_data[SORT_COUNT];
static u8 copy_src[COPY_BYTES];
static u8 copy_dst[COPY_BYTES];
static struct node { struct node *next; u32 value; } nodes[LIST_NODES];
static struct slot { u32 key; u32 value; } table[HASH_SLOTS];
static u32 crc_table[256];

void *memcpy(void *dst, const void *src, u64 n)
{
    u8 *d = dst;
    const u8 *s = src;
    while (n >= 8) { *(u64 *)d = *(const u64 *)s; d += 8; s += 8; n -= 8; }
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, u64 n)
{
    u8 *d = dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

static u32 rng_state = 12345;
static u32 next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void crc_init(void)
{
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static u32 crc32(const u8 *p, u64 n)
{
    u32 c = 0xFFFFFFFFu;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static u32 sieve(void)
{
    u32 count = 0;
    memset(sieve_flags, 1, SIEVE_SIZE);
    for (u32 i = 2; i < SIEVE_SIZE; i++) {
        if (sieve_flags[i]) {
            count++;
            for (u32 j = i + i; j < SIEVE_SIZE; j += i) sieve_flags[j] = 0;
        }
    }
    return count;
}

static void shell_sort(u32 *a, int n)
{
    for (int gap = n / 2; gap > 0; gap /= 2)
        for (int i = gap; i < n; i++) {
            u32 t = a[i];
            int j = i;
            for (; j >= gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap];
            a[j] = t;
        }
}

static u32 sort_round(void)
{
    for (int i = 0; i < SORT_COUNT; i++) sort_data[i] = next_random();
    shell_sort(sort_data, SORT_COUNT);
    u32 h = 0;
    for (int i = 0; i < SORT_COUNT; i += 97) h = h * 31 + sort_data[i];
    return h;
}

static u32 copy_round(void)
{
    for (int i = 0; i < COPY_BYTES; i++) copy_src[i] = (u8)next_random();
    memcpy(copy_dst, copy_src, COPY_BYTES);
    memcpy(copy_dst + 3, copy_src + 1, COPY_BYTES - 8);
    return crc32(copy_dst, COPY_BYTES);
}

static u32 list_round(void)
{
    for (int i = 0; i < LIST_NODES; i++) nodes[i].value = next_random() & 0xFFFF;
    for (int i = 0; i < LIST_NODES; i++) nodes[i].next = &nodes[(i * 7919 + 1) % LIST_NODES];
    u32 sum = 0;
    struct node *n = &nodes[0];
    for (int i = 0; i < LIST_NODES * 4; i++) { sum += n->value ^ (u32)i; n = n->next; }
    return sum;
}

static u32 hash_round(void)
{
    memset(table, 0, sizeof table);
    u32 hits = 0;
    for (int i = 0; i < HASH_SLOTS / 2; i++) {
        u32 key = (next_random() % 50000) + 1;
        u32 h = (key * 2654435761u) & (HASH_SLOTS - 1);
        while (table[h].key != 0 && table[h].key != key) h = (h + 1) & (HASH_SLOTS - 1);
        if (table[h].key == key) { table[h].value++; hits++; }
        else { table[h].key = key; table[h].value = 1; }
    }
    for (u32 k = 1; k < 2000; k++) {
        u32 h = (k * 2654435761u) & (HASH_SLOTS - 1);
        while (table[h].key != 0) { if (table[h].key == k) { hits += table[h].value; break; } h = (h + 1) & (HASH_SLOTS - 1); }
    }
    return hits;
}

u64 run_workload(void)
{
    u64 checksum = 0;
    crc_init();
    for (int round = 0; round < ROUNDS; round++) {
        checksum = checksum * 1000003 + sieve();
        checksum = checksum * 1000003 + sort_round();
        checksum = checksum * 1000003 + copy_round();
        checksum = checksum * 1000003 + list_round();
        checksum = checksum * 1000003 + hash_round();
    }
    return checksum;
}

#define WORKLOAD_CHECKSUM() run_workload()
#include "entry.h"
