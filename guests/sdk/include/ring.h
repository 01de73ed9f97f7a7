/*
 * ActorVisor guest SDK: the front-end half of a Xen shared ring (our own code from the facts of
 * Xen's public io/ring.h). A shared ring is one page: req_prod, req_event, rsp_prod, rsp_event
 * (32-bit each), 48 bytes of padding, then the entries (union of request and response) from
 * byte 64, as many as the largest power of two that fits. The front end produces requests and
 * consumes responses; notifications follow the event-index hold-off rule.
 */
#ifndef AV_RING_H
#define AV_RING_H

#include <stdint.h>

typedef uint32_t RING_IDX;

#define RING_HEADER_BYTES 64

struct ring_shared {
    RING_IDX req_prod, req_event;
    RING_IDX rsp_prod, rsp_event;
    uint8_t pad[48];
};

struct front_ring {
    volatile struct ring_shared *sring;
    char *entries;          /* the page from byte 64 */
    unsigned entry_size;    /* sizeof the union of request and response */
    unsigned size;          /* entries in the ring, a power of two */
    RING_IDX req_prod_pvt;  /* requests produced, not yet pushed */
    RING_IDX rsp_cons;      /* responses consumed */
};

/* Entries of entry_size bytes that one page holds (a power of two). */
unsigned ring_entries_in_page(unsigned entry_size);

/* Clears the page and makes it a new ring (req_event = rsp_event = 1, as SHARED_RING_INIT). */
void front_ring_init(struct front_ring *ring, void *page, unsigned entry_size);

/* Requests the front end may still produce before the ring is full. */
unsigned front_ring_free_requests(const struct front_ring *ring);

/* The slot of the next request (call front_ring_free_requests first); advances req_prod_pvt. */
void *front_ring_next_request(struct front_ring *ring);

/* Publishes the produced requests; returns 1 when the back end must be notified. */
int front_ring_push_requests(struct front_ring *ring);

/* The next unconsumed response, or 0 when none is there; re-arms rsp_event before saying none,
 * as RING_FINAL_CHECK_FOR_RESPONSES, so that the back end notifies the next one. */
volatile void *front_ring_next_response(struct front_ring *ring);

#endif
