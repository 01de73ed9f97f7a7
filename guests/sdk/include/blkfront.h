/*
 * ActorVisor guest SDK: a minimal block front-end (our own code from the facts of Xen's public
 * io/blkif.h, io/ring.h and io/xenbus.h), one request in flight at a time, one page per request.
 *
 * The handshake, as Linux's xen-blkfront does it:
 *  1. the first device under device/vbd (in the guest's home; xvda is 51712) names its back end
 *     with "backend" and "backend-id";
 *  2. wait for the back end's state to reach InitWait (2);
 *  3. grant one page to backend-id as the shared ring, allocate an event channel unbound for
 *     backend-id, and write in the front-end directory ring-ref, event-channel and protocol
 *     ("x86_64-abi" or "x86_32-abi", by the guest's width), then state = Initialised (3);
 *  4. wait for the back end's state to reach Connected (4), read from the back-end directory
 *     sectors (512-byte units), sector-size, info (VDISK_READONLY = 4) and feature-flush-cache,
 *     then write state = Connected (4).
 * Sector numbers in requests are always 512-byte units (blkif.h).
 */
#ifndef AV_BLKFRONT_H
#define AV_BLKFRONT_H

#include <stdint.h>
#include "xenbus.h"

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR      (-1)
#define BLKIF_RSP_OKAY       0
#define VDISK_READONLY 0x4
#define BLKIF_SECTOR_BYTES 512

#if defined(__x86_64__)
#define BLKIF_PROTOCOL "x86_64-abi"
#else
#define BLKIF_PROTOCOL "x86_32-abi"
#endif

/* The compiler's natural layout is the ABI's for each width: 112-byte requests for x86_64, 108
 * for x86_32 (whose 64-bit fields are 4-byte aligned). */
struct blkif_request_segment {
    uint32_t gref;
    uint8_t first_sect, last_sect;
};

struct blkif_request {
    uint8_t operation;
    uint8_t nr_segments;
    uint16_t handle;
    uint64_t id;
    uint64_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct blkif_response {
    uint64_t id;
    uint8_t operation;
    int16_t status;
};

#if defined(__x86_64__)
_Static_assert(sizeof(struct blkif_request) == 112 && sizeof(struct blkif_response) == 16, "x86_64 blkif layout");
#else
_Static_assert(sizeof(struct blkif_request) == 108 && sizeof(struct blkif_response) == 12, "x86_32 blkif layout");
#endif

/* What can go wrong in blkfront_connect, so that the caller can say which step failed. */
enum blkfront_error {
    BLKFRONT_OK = 0,
    BLKFRONT_NO_DEVICE,         /* no device/vbd entry: the guest has no disk */
    BLKFRONT_BAD_DEVICE,        /* the entry lacks backend or backend-id */
    BLKFRONT_NO_BACKEND,        /* the back end never reached InitWait */
    BLKFRONT_SETUP_FAILED,      /* grant table, event channel or XenStore writes failed */
    BLKFRONT_NOT_CONNECTED,     /* the back end never reached Connected */
    BLKFRONT_BAD_BACKEND_INFO,  /* sectors or sector-size missing or unusable */
};

struct blkfront {
    struct xenbus_device dev;
    uint32_t port;
    uint32_t ring_ref;
    unsigned long long sectors;  /* disk size in 512-byte units */
    unsigned long sector_size;   /* the disk's logical sector size in bytes */
    unsigned long info;          /* VDISK_* flags */
    int flush;                   /* feature-flush-cache offered */
    uint64_t next_id;
};

/* Runs the handshake above, waiting at most timeout_ns for each back-end state. */
enum blkfront_error blkfront_connect(struct blkfront *front, uint64_t timeout_ns);

/* A human-readable word for an error. */
const char *blkfront_error_text(enum blkfront_error error);

/* Reads or writes `count` 512-byte sectors (1 to 8, within one page-aligned buffer that the
 * guest owns) at `sector`: the response's status (BLKIF_RSP_*), or -3 when no response came
 * within timeout_ns. */
int blkfront_io(struct blkfront *front, int write, uint64_t sector, unsigned count, void *page, uint64_t timeout_ns);

/* BLKIF_OP_FLUSH_DISKCACHE with no segments: the response's status, or -3 on timeout. */
int blkfront_flush(struct blkfront *front, uint64_t timeout_ns);

#endif
