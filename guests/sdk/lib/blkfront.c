/* ActorVisor guest SDK: a minimal block front-end (see blkfront.h). */
#include "pv.h"
#include "xenstore.h"
#include "gnttab.h"
#include "evtchn.h"
#include "ring.h"
#include "blkfront.h"

#define BLKFRONT_TIMED_OUT (-3)

union blkif_entry {
    struct blkif_request req;
    struct blkif_response rsp;
};

static char ring_page[4096] __attribute__((aligned(4096)));
static struct front_ring ring;
static grant_ref_t data_ref;

const char *blkfront_error_text(enum blkfront_error error)
{
    switch (error) {
    case BLKFRONT_OK: return "connected";
    case BLKFRONT_NO_DEVICE: return "no vbd device";
    case BLKFRONT_BAD_DEVICE: return "vbd entry without backend or backend-id";
    case BLKFRONT_NO_BACKEND: return "back end never reached InitWait";
    case BLKFRONT_SETUP_FAILED: return "ring, event channel or XenStore setup failed";
    case BLKFRONT_NOT_CONNECTED: return "back end never reached Connected";
    case BLKFRONT_BAD_BACKEND_INFO: return "back end gave no usable sectors or sector-size";
    }
    return "unknown error";
}

enum blkfront_error blkfront_connect(struct blkfront *front, uint64_t timeout_ns)
{
    int found = xenbus_find_device("vbd", &front->dev);
    if (found == -XS_ENOENT) {
        return BLKFRONT_NO_DEVICE;
    }
    if (found != 0) {
        return BLKFRONT_BAD_DEVICE;
    }

    /* A port first: waiting for the back end sleeps on it. */
    if (gnttab_init() != 0 || evtchn_alloc_unbound(front->dev.backend_id, &front->port) != 0) {
        return BLKFRONT_SETUP_FAILED;
    }
    if (xenbus_wait_for_state(front->dev.backend, XenbusStateInitWait, front->port, timeout_ns) < 0) {
        return BLKFRONT_NO_BACKEND;
    }

    front_ring_init(&ring, ring_page, sizeof(union blkif_entry));
    front->ring_ref = gnttab_alloc_ref();
    gnttab_grant_access(front->ring_ref, front->dev.backend_id, pv_va_to_mfn(ring_page), 0);
    data_ref = gnttab_alloc_ref();
    const char *dir = front->dev.frontend;
    if (xenbus_write_number(dir, "ring-ref", front->ring_ref) != 0
        || xenbus_write_number(dir, "event-channel", front->port) != 0
        || xenbus_write_string(dir, "protocol", BLKIF_PROTOCOL) != 0
        || xenbus_switch_state(dir, XenbusStateInitialised) != 0) {
        return BLKFRONT_SETUP_FAILED;
    }

    if (xenbus_wait_for_state(front->dev.backend, XenbusStateConnected, front->port, timeout_ns) != XenbusStateConnected) {
        return BLKFRONT_NOT_CONNECTED;
    }

    unsigned long long value = 0;
    if (xenbus_read_number(front->dev.backend, "sectors", &front->sectors) != 0 || front->sectors == 0) {
        return BLKFRONT_BAD_BACKEND_INFO;
    }
    front->sector_size = BLKIF_SECTOR_BYTES;
    if (xenbus_read_number(front->dev.backend, "sector-size", &value) == 0) {
        if (value < BLKIF_SECTOR_BYTES || value > 4096 || (value & (value - 1)) != 0) {
            return BLKFRONT_BAD_BACKEND_INFO;
        }
        front->sector_size = (unsigned long)value;
    }
    front->info = xenbus_read_number(front->dev.backend, "info", &value) == 0 ? (unsigned long)value : 0;
    front->flush = xenbus_read_number(front->dev.backend, "feature-flush-cache", &value) == 0 && value != 0;
    front->next_id = 1;
    if (xenbus_switch_state(dir, XenbusStateConnected) != 0) {
        return BLKFRONT_SETUP_FAILED;
    }
    return BLKFRONT_OK;
}

/* Sends the request just produced and waits for its response. */
static int complete(struct blkfront *front, uint64_t id, uint64_t timeout_ns)
{
    if (front_ring_push_requests(&ring)) {
        evtchn_notify(front->port);
    }
    uint64_t deadline = pv_system_time_ns() + timeout_ns;
    for (;;) {
        volatile struct blkif_response *rsp;
        while ((rsp = front_ring_next_response(&ring)) != 0) {
            if (rsp->id == id) {
                return rsp->status;
            }
        }
        uint64_t now = pv_system_time_ns();
        if (now >= deadline) {
            return BLKFRONT_TIMED_OUT;
        }
        evtchn_wait(front->port, deadline - now);
    }
}

int blkfront_io(struct blkfront *front, int write, uint64_t sector, unsigned count, void *page, uint64_t timeout_ns)
{
    if (count == 0 || count > 4096 / BLKIF_SECTOR_BYTES || front_ring_free_requests(&ring) == 0) {
        return BLKIF_RSP_ERROR;
    }
    /* The back end writes into the page for a read and only reads it for a write. */
    gnttab_grant_access(data_ref, front->dev.backend_id, pv_va_to_mfn(page), write);
    volatile struct blkif_request *req = front_ring_next_request(&ring);
    uint64_t id = front->next_id++;
    req->operation = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
    req->nr_segments = 1;
    req->handle = (uint16_t)front->dev.id;
    req->id = id;
    req->sector_number = sector;
    req->seg[0].gref = data_ref;
    req->seg[0].first_sect = 0;
    req->seg[0].last_sect = (uint8_t)(count - 1);
    int status = complete(front, id, timeout_ns);
    if (gnttab_end_access(data_ref) != 0) {
        pv_printf("blkfront: the back end still holds grant %u\n", data_ref);
    }
    return status;
}

int blkfront_flush(struct blkfront *front, uint64_t timeout_ns)
{
    if (front_ring_free_requests(&ring) == 0) {
        return BLKIF_RSP_ERROR;
    }
    volatile struct blkif_request *req = front_ring_next_request(&ring);
    uint64_t id = front->next_id++;
    req->operation = BLKIF_OP_FLUSH_DISKCACHE;
    req->nr_segments = 0;
    req->handle = (uint16_t)front->dev.id;
    req->id = id;
    req->sector_number = 0;
    return complete(front, id, timeout_ns);
}
