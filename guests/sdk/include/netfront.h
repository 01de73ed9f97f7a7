/*
 * ActorVisor guest SDK: a minimal network front-end (our own code from the facts of Xen's public
 * io/netif.h, io/ring.h and io/xenbus.h), one queue, receive by grant copy.
 *
 * The handshake, as Linux's xen-netfront does it:
 *  1. the first device under device/vif (in the guest's home) names its back end with "backend"
 *     and "backend-id", and holds "mac" (six hex bytes separated by ':');
 *  2. wait for the back end's state to reach InitWait (2); it must offer feature-rx-copy = 1;
 *  3. grant a tx ring page and an rx ring page to backend-id, allocate one event channel
 *     unbound for backend-id, and write in the front-end directory tx-ring-ref, rx-ring-ref,
 *     event-channel, request-rx-copy = 1, feature-rx-notify = 1 and feature-no-csum-offload = 1
 *     (this front end fills in every checksum and wants whole ones), then state = Connected (4);
 *  4. post NETFRONT_RX_BUFFERS receive buffers (one page each, granted writable) and wait for
 *     the back end's state to reach Connected (4).
 */
#ifndef AV_NETFRONT_H
#define AV_NETFRONT_H

#include <stdint.h>
#include "xenbus.h"

#define NETTXF_csum_blank     (1u << 0)
#define NETTXF_data_validated (1u << 1)
#define NETTXF_more_data      (1u << 2)
#define NETTXF_extra_info     (1u << 3)
#define NETRXF_data_validated (1u << 0)
#define NETRXF_csum_blank     (1u << 1)
#define NETRXF_more_data      (1u << 2)
#define NETRXF_extra_info     (1u << 3)
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR   (-1)
#define NETIF_RSP_OKAY    0

#define NETFRONT_RX_BUFFERS 16
#define NETFRONT_TX_BUFFERS 4
#define NETFRONT_MTU_BYTES 1514

struct netif_tx_request {
    uint32_t gref;
    uint16_t offset;
    uint16_t flags;
    uint16_t id;
    uint16_t size;
};

struct netif_tx_response {
    uint16_t id;
    int16_t status;
};

struct netif_rx_request {
    uint16_t id;
    uint16_t pad;
    uint32_t gref;
};

struct netif_rx_response {
    uint16_t id;
    uint16_t offset;
    uint16_t flags;
    int16_t status; /* > 0: bytes received */
};

_Static_assert(sizeof(struct netif_tx_request) == 12 && sizeof(struct netif_tx_response) == 4, "netif tx layout");
_Static_assert(sizeof(struct netif_rx_request) == 8 && sizeof(struct netif_rx_response) == 8, "netif rx layout");

enum netfront_error {
    NETFRONT_OK = 0,
    NETFRONT_NO_DEVICE,        /* no device/vif entry */
    NETFRONT_BAD_DEVICE,       /* the entry lacks backend, backend-id or a valid mac */
    NETFRONT_NO_BACKEND,       /* the back end never reached InitWait */
    NETFRONT_NO_RX_COPY,       /* the back end does not offer feature-rx-copy */
    NETFRONT_SETUP_FAILED,     /* grant table, event channel or XenStore writes failed */
    NETFRONT_NOT_CONNECTED,    /* the back end never reached Connected */
};

struct netfront {
    struct xenbus_device dev;
    uint8_t mac[6];
    uint32_t port;
    uint32_t tx_ring_ref, rx_ring_ref;
    unsigned long rx_dropped; /* rx responses with an error status */
};

enum netfront_error netfront_connect(struct netfront *front, uint64_t timeout_ns);

const char *netfront_error_text(enum netfront_error error);

/* Waits up to timeout_ns for a received frame; copies it (at most size bytes) into frame and
 * returns its length, 0 on timeout. The buffer goes back to the back end at once. */
int netfront_receive(struct netfront *front, uint8_t *frame, unsigned size, uint64_t timeout_ns);

/* Sends one frame (at most NETFRONT_MTU_BYTES) and waits for its tx response: the status
 * (NETIF_RSP_*), or -3 when none came within timeout_ns. */
int netfront_send(struct netfront *front, const uint8_t *frame, unsigned length, uint64_t timeout_ns);

#endif
