/* ActorVisor guest SDK: the front-end half of a shared ring (see ring.h). */
#include "pv.h"
#include "ring.h"

void *memset(void *dst, int c, size_t n);

unsigned ring_entries_in_page(unsigned entry_size)
{
    unsigned fit = (4096 - RING_HEADER_BYTES) / entry_size;
    unsigned size = 1;
    while (size * 2 <= fit) {
        size *= 2;
    }
    return size;
}

void front_ring_init(struct front_ring *ring, void *page, unsigned entry_size)
{
    memset(page, 0, 4096);
    ring->sring = page;
    ring->sring->req_event = 1;
    ring->sring->rsp_event = 1;
    ring->entries = (char *)page + RING_HEADER_BYTES;
    ring->entry_size = entry_size;
    ring->size = ring_entries_in_page(entry_size);
    ring->req_prod_pvt = 0;
    ring->rsp_cons = 0;
}

unsigned front_ring_free_requests(const struct front_ring *ring)
{
    return ring->size - (ring->req_prod_pvt - ring->rsp_cons);
}

void *front_ring_next_request(struct front_ring *ring)
{
    void *slot = ring->entries + (ring->req_prod_pvt & (ring->size - 1)) * ring->entry_size;
    ring->req_prod_pvt++;
    return slot;
}

int front_ring_push_requests(struct front_ring *ring)
{
    RING_IDX old = ring->sring->req_prod;
    RING_IDX new = ring->req_prod_pvt;
    __sync_synchronize(); /* the back end sees the requests before the index */
    ring->sring->req_prod = new;
    __sync_synchronize(); /* the index before reading req_event */
    return (RING_IDX)(new - ring->sring->req_event) < (RING_IDX)(new - old);
}

volatile void *front_ring_next_response(struct front_ring *ring)
{
    if (ring->sring->rsp_prod == ring->rsp_cons) {
        ring->sring->rsp_event = ring->rsp_cons + 1;
        __sync_synchronize(); /* re-armed before looking again */
        if (ring->sring->rsp_prod == ring->rsp_cons) {
            return 0;
        }
    }
    __sync_synchronize(); /* the index before the response it covers */
    volatile void *slot = ring->entries + (ring->rsp_cons & (ring->size - 1)) * ring->entry_size;
    ring->rsp_cons++;
    return slot;
}
