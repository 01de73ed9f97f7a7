/*
 * The disk guest: connects to its first virtual block device through sdk/lib/blkfront.c, writes
 * checksummed 4 KiB blocks at places spread across the whole disk (the first and the last block
 * included), reads each back into a cleared page and checks it, checks that a read past the end
 * of the disk is refused (BLKIF_RSP_ERROR) and, when the back end offers it, that a flush
 * succeeds. A read-only disk is only read. Without a vbd in XenStore it prints
 * "disk: no vbd device" and powers off.
 */
#include "pv.h"
#include "xenstore.h"
#include "blkfront.h"

#define BLOCK_BYTES 4096u
#define SECTORS_PER_BLOCK (BLOCK_BYTES / BLKIF_SECTOR_BYTES)
#define BLOCKS_TESTED 16u
#define MAGIC 0x4B534944u /* "DISK" */
#define TIMEOUT_NS 2000000000ull

static uint8_t page[BLOCK_BYTES] __attribute__((aligned(4096)));

/* FNV-1a over the block's bytes before its last four. */
static uint32_t checksum(const uint8_t *block)
{
    uint32_t hash = 2166136261u;
    for (unsigned i = 0; i < BLOCK_BYTES - 4; i++) {
        hash = (hash ^ block[i]) * 16777619u;
    }
    return hash;
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A block that names itself: magic, its sector, then bytes from a generator seeded by the sector, and the checksum. */
static void fill(uint8_t *block, uint64_t sector)
{
    store32(block, MAGIC);
    store32(block + 4, (uint32_t)sector);
    store32(block + 8, (uint32_t)(sector >> 32));
    uint32_t x = (uint32_t)sector * 2654435761u + 1;
    for (unsigned i = 12; i < BLOCK_BYTES - 4; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        block[i] = (uint8_t)x;
    }
    store32(block + BLOCK_BYTES - 4, checksum(block));
}

static int verify(const uint8_t *block, uint64_t sector)
{
    static uint8_t expected[BLOCK_BYTES];
    fill(expected, sector);
    if (load32(block + BLOCK_BYTES - 4) != checksum(block)) {
        return 0;
    }
    for (unsigned i = 0; i < BLOCK_BYTES; i++) {
        if (block[i] != expected[i]) {
            return 0;
        }
    }
    return 1;
}

/* n / d by shifts and subtraction: a 32-bit guest has no libgcc for 64-bit division. */
static unsigned long long divide(unsigned long long n, unsigned d)
{
    unsigned long long quotient = 0, remainder = 0;
    for (int bit = 63; bit >= 0; bit--) {
        remainder = (remainder << 1) | ((n >> bit) & 1);
        if (remainder >= d) {
            remainder -= d;
            quotient |= 1ull << bit;
        }
    }
    return quotient;
}

static void clear(uint8_t *block)
{
    for (unsigned i = 0; i < BLOCK_BYTES; i++) {
        block[i] = 0;
    }
}

int guest_main(struct start_info *si)
{
    if (xs_init() != 0 || pv_events_init(si) != 0) {
        pv_printf("disk: no XenStore ring or no shared_info\n");
        return 1;
    }

    struct blkfront front;
    enum blkfront_error error = blkfront_connect(&front, TIMEOUT_NS);
    if (error == BLKFRONT_NO_DEVICE) {
        pv_printf("disk: no vbd device\n");
        return 0;
    }
    pv_check("blkfront_connects", error == BLKFRONT_OK);
    if (error != BLKFRONT_OK) {
        pv_printf("disk: %s (device %s, back end %s)\n", blkfront_error_text(error), front.dev.frontend, front.dev.backend);
        return 1;
    }

    unsigned long long blocks = front.sectors >> 3; /* SECTORS_PER_BLOCK = 8 */
    int writable = (front.info & VDISK_READONLY) == 0;
    pv_printf("disk: %s, %llu sectors of 512 bytes (sector-size %lu), %s, back end dom%u at %s\n", front.dev.frontend, front.sectors,
              front.sector_size, writable ? "read-write" : "read-only", front.dev.backend_id, front.dev.backend);
    pv_check("disk_holds_a_block", blocks > 0);
    if (blocks == 0) {
        return 1;
    }

    unsigned tested = blocks < BLOCKS_TESTED ? (unsigned)blocks : BLOCKS_TESTED;
    unsigned bad_writes = 0, bad_reads = 0, bad_data = 0;
    for (int pass = writable ? 0 : 1; pass < 2; pass++) {
        for (unsigned i = 0; i < tested; i++) {
            unsigned long long block = tested == 1 ? 0 : divide((blocks - 1) * i, tested - 1);
            uint64_t sector = block * SECTORS_PER_BLOCK;
            if (pass == 0) {
                fill(page, sector);
                if (blkfront_io(&front, 1, sector, SECTORS_PER_BLOCK, page, TIMEOUT_NS) != BLKIF_RSP_OKAY) {
                    bad_writes++;
                }
                continue;
            }
            clear(page);
            if (blkfront_io(&front, 0, sector, SECTORS_PER_BLOCK, page, TIMEOUT_NS) != BLKIF_RSP_OKAY) {
                bad_reads++;
            } else if (writable && !verify(page, sector)) {
                bad_data++;
                pv_printf("disk: block at sector %llu reads back wrong\n", (unsigned long long)sector);
            }
        }
    }
    if (writable) {
        pv_expect_eq("every_block_is_written", bad_writes, 0);
    }
    pv_expect_eq("every_block_is_read", bad_reads, 0);
    if (writable) {
        pv_expect_eq("every_block_reads_back_what_was_written", bad_data, 0);
    }

    pv_expect_eq("a_read_past_the_end_is_refused", blkfront_io(&front, 0, front.sectors, 1, page, TIMEOUT_NS), BLKIF_RSP_ERROR);
    if (front.flush) {
        pv_expect_eq("flush", blkfront_flush(&front, TIMEOUT_NS), BLKIF_RSP_OKAY);
    }
    pv_printf("disk: %u blocks %s across the disk\n", tested, writable ? "written and verified" : "read");
    pv_check("disk", pv_failures() == 0);
    return 0;
}
