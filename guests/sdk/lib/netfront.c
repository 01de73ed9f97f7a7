/* ActorVisor guest SDK: a minimal network front-end (see netfront.h). */
#include "pv.h"
#include "xenstore.h"
#include "gnttab.h"
#include "evtchn.h"
#include "ring.h"
#include "netfront.h"

void *memcpy(void *dst, const void *src, size_t n);

#define NETFRONT_TIMED_OUT (-3)

union netif_tx_entry {
    struct netif_tx_request req;
    struct netif_tx_response rsp;
};

union netif_rx_entry {
    struct netif_rx_request req;
    struct netif_rx_response rsp;
};

static char tx_ring_page[4096] __attribute__((aligned(4096)));
static char rx_ring_page[4096] __attribute__((aligned(4096)));
static uint8_t rx_pages[NETFRONT_RX_BUFFERS][4096] __attribute__((aligned(4096)));
static uint8_t tx_pages[NETFRONT_TX_BUFFERS][4096] __attribute__((aligned(4096)));
static grant_ref_t rx_refs[NETFRONT_RX_BUFFERS];
static grant_ref_t tx_refs[NETFRONT_TX_BUFFERS];
static struct front_ring tx_ring, rx_ring;
static unsigned next_tx;

const char *netfront_error_text(enum netfront_error error)
{
    switch (error) {
    case NETFRONT_OK: return "connected";
    case NETFRONT_NO_DEVICE: return "no vif device";
    case NETFRONT_BAD_DEVICE: return "vif entry without backend, backend-id or mac";
    case NETFRONT_NO_BACKEND: return "back end never reached InitWait";
    case NETFRONT_NO_RX_COPY: return "back end does not offer feature-rx-copy";
    case NETFRONT_SETUP_FAILED: return "rings, event channel or XenStore setup failed";
    case NETFRONT_NOT_CONNECTED: return "back end never reached Connected";
    }
    return "unknown error";
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "aa:bb:cc:dd:ee:ff" into six bytes: 0, or -1 when it is not that. */
static int parse_mac(const char *text, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(text[0]), lo = hi < 0 ? -1 : hex_digit(text[1]);
        if (lo < 0 || (i < 5 && text[2] != ':') || (i == 5 && text[2] != 0)) {
            return -1;
        }
        mac[i] = (uint8_t)(hi * 16 + lo);
        text += 3;
    }
    return 0;
}

/* Gives receive buffer i back to the back end. */
static void post_rx(unsigned i)
{
    volatile struct netif_rx_request *req = front_ring_next_request(&rx_ring);
    req->id = (uint16_t)i;
    req->gref = rx_refs[i];
}

enum netfront_error netfront_connect(struct netfront *front, uint64_t timeout_ns)
{
    int found = xenbus_find_device("vif", &front->dev);
    if (found == -XS_ENOENT) {
        return NETFRONT_NO_DEVICE;
    }
    char path[XENBUS_PATH_MAX], mac[32];
    xenbus_path(path, front->dev.frontend, "mac");
    if (found != 0 || xs_read(0, path, mac, sizeof mac) < 0 || parse_mac(mac, front->mac) != 0) {
        return NETFRONT_BAD_DEVICE;
    }

    if (gnttab_init() != 0 || evtchn_alloc_unbound(front->dev.backend_id, &front->port) != 0) {
        return NETFRONT_SETUP_FAILED;
    }
    if (xenbus_wait_for_state(front->dev.backend, XenbusStateInitWait, front->port, timeout_ns) < 0) {
        return NETFRONT_NO_BACKEND;
    }
    unsigned long long copy = 0;
    if (xenbus_read_number(front->dev.backend, "feature-rx-copy", &copy) != 0 || copy == 0) {
        return NETFRONT_NO_RX_COPY;
    }

    unsigned backend = front->dev.backend_id;
    front_ring_init(&tx_ring, tx_ring_page, sizeof(union netif_tx_entry));
    front_ring_init(&rx_ring, rx_ring_page, sizeof(union netif_rx_entry));
    front->tx_ring_ref = gnttab_alloc_ref();
    front->rx_ring_ref = gnttab_alloc_ref();
    gnttab_grant_access(front->tx_ring_ref, backend, pv_va_to_mfn(tx_ring_page), 0);
    gnttab_grant_access(front->rx_ring_ref, backend, pv_va_to_mfn(rx_ring_page), 0);
    for (unsigned i = 0; i < NETFRONT_RX_BUFFERS; i++) {
        rx_refs[i] = gnttab_alloc_ref();
        gnttab_grant_access(rx_refs[i], backend, pv_va_to_mfn(rx_pages[i]), 0);
    }
    for (unsigned i = 0; i < NETFRONT_TX_BUFFERS; i++) {
        tx_refs[i] = gnttab_alloc_ref();
        gnttab_grant_access(tx_refs[i], backend, pv_va_to_mfn(tx_pages[i]), 1);
    }

    const char *dir = front->dev.frontend;
    if (xenbus_write_number(dir, "tx-ring-ref", front->tx_ring_ref) != 0
        || xenbus_write_number(dir, "rx-ring-ref", front->rx_ring_ref) != 0
        || xenbus_write_number(dir, "event-channel", front->port) != 0
        || xenbus_write_number(dir, "request-rx-copy", 1) != 0
        || xenbus_write_number(dir, "feature-rx-notify", 1) != 0
        || xenbus_write_number(dir, "feature-no-csum-offload", 1) != 0
        || xenbus_switch_state(dir, XenbusStateConnected) != 0) {
        return NETFRONT_SETUP_FAILED;
    }

    for (unsigned i = 0; i < NETFRONT_RX_BUFFERS; i++) {
        post_rx(i);
    }
    if (front_ring_push_requests(&rx_ring)) {
        evtchn_notify(front->port);
    }
    front->rx_dropped = 0;
    if (xenbus_wait_for_state(front->dev.backend, XenbusStateConnected, front->port, timeout_ns) != XenbusStateConnected) {
        return NETFRONT_NOT_CONNECTED;
    }
    return NETFRONT_OK;
}

int netfront_receive(struct netfront *front, uint8_t *frame, unsigned size, uint64_t timeout_ns)
{
    uint64_t deadline = pv_system_time_ns() + timeout_ns;
    for (;;) {
        volatile struct netif_rx_response *rsp;
        while ((rsp = front_ring_next_response(&rx_ring)) != 0) {
            unsigned id = rsp->id;
            int status = rsp->status;
            unsigned offset = rsp->offset;
            unsigned flags = rsp->flags;
            if (id >= NETFRONT_RX_BUFFERS) {
                front->rx_dropped++;
                continue;
            }
            int length = 0;
            if (status <= 0 || offset + (unsigned)status > 4096 || (flags & (NETRXF_more_data | NETRXF_extra_info))) {
                /* An error, or a frame in pieces (this front end offers no scatter-gather): dropped. */
                front->rx_dropped++;
            } else {
                length = status < (int)size ? status : (int)size;
                memcpy(frame, rx_pages[id] + offset, (size_t)length);
            }
            post_rx(id);
            if (front_ring_push_requests(&rx_ring)) {
                evtchn_notify(front->port);
            }
            if (length > 0) {
                return length;
            }
        }
        uint64_t now = pv_system_time_ns();
        if (now >= deadline) {
            return 0;
        }
        evtchn_wait(front->port, deadline - now);
    }
}

int netfront_send(struct netfront *front, const uint8_t *frame, unsigned length, uint64_t timeout_ns)
{
    if (length == 0 || length > NETFRONT_MTU_BYTES || front_ring_free_requests(&tx_ring) == 0) {
        return NETIF_RSP_ERROR;
    }
    unsigned slot = next_tx++ % NETFRONT_TX_BUFFERS;
    memcpy(tx_pages[slot], frame, length);
    volatile struct netif_tx_request *req = front_ring_next_request(&tx_ring);
    req->gref = tx_refs[slot];
    req->offset = 0;
    req->flags = 0; /* the checksums are filled in */
    req->id = (uint16_t)slot;
    req->size = (uint16_t)length;
    if (front_ring_push_requests(&tx_ring)) {
        evtchn_notify(front->port);
    }
    uint64_t deadline = pv_system_time_ns() + timeout_ns;
    for (;;) {
        volatile struct netif_tx_response *rsp;
        while ((rsp = front_ring_next_response(&tx_ring)) != 0) {
            if (rsp->id == slot) {
                return rsp->status;
            }
        }
        uint64_t now = pv_system_time_ns();
        if (now >= deadline) {
            return NETFRONT_TIMED_OUT;
        }
        evtchn_wait(front->port, deadline - now);
    }
}
