/* ActorVisor guest SDK: the XenStore client (see xenstore.h). */
#include "pv.h"
#include "xenstore.h"

/* From lib/string.c. */
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);

#define XS_RING_BYTES 1024
#define XS_PAYLOAD_MAX 4096
#define XS_EVENT_SLOTS 8

enum {
    XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4, XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6, XS_TRANSACTION_END = 7, XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11, XS_MKDIR = 12, XS_RM = 13, XS_SET_PERMS = 14, XS_WATCH_EVENT = 15, XS_ERROR = 16,
};

struct xs_ring {
    char req[XS_RING_BYTES];
    char rsp[XS_RING_BYTES];
    uint32_t req_cons, req_prod;
    uint32_t rsp_cons, rsp_prod;
};

struct xs_header {
    uint32_t type, req_id, tx_id, len;
};

static volatile struct xs_ring *ring;
static uint32_t store_port;
static uint32_t next_req_id = 1;
static char message[XS_PAYLOAD_MAX + 1];

/* Watch events that arrived while a reply was awaited: payload "path\0token\0". */
static struct { char data[256]; unsigned len; } events[XS_EVENT_SLOTS];
static unsigned event_first, event_count;

static const struct { const char *name; int err; } error_names[] = {
    { "EPERM", XS_EPERM }, { "ENOENT", XS_ENOENT }, { "EIO", XS_EIO }, { "E2BIG", XS_E2BIG },
    { "EAGAIN", XS_EAGAIN }, { "ENOMEM", XS_ENOMEM }, { "EACCES", XS_EACCES }, { "EBUSY", XS_EBUSY },
    { "EEXIST", XS_EEXIST }, { "EISDIR", XS_EISDIR }, { "EINVAL", XS_EINVAL }, { "ENOSPC", XS_ENOSPC },
    { "EROFS", XS_EROFS }, { "ENOSYS", XS_ENOSYS }, { "ENOTEMPTY", XS_ENOTEMPTY }, { "EISCONN", XS_EISCONN },
};

static void barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void notify(void)
{
    struct evtchn_port_arg arg = { .port = store_port };
    HYPERVISOR_event_channel_op(EVTCHNOP_send, &arg);
}

static void wait_for_store(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, 0);
}

int xs_init(void)
{
    struct start_info *si = pv_start_info;
    for (unsigned long pfn = 0; pfn < si->nr_pages; pfn++) {
        if (pv_pfn_to_mfn(pfn) == si->store_mfn) {
            ring = (volatile struct xs_ring *)(pv_virt_base() + pfn * 4096ul);
            store_port = si->store_evtchn;
            return 0;
        }
    }
    return -XS_ENOENT;
}

static void ring_write(const void *data, unsigned len)
{
    const char *from = data;
    while (len > 0) {
        uint32_t cons = ring->req_cons, prod = ring->req_prod;
        barrier();
        uint32_t room = XS_RING_BYTES - (prod - cons);
        if (room == 0) {
            notify();
            wait_for_store();
            continue;
        }
        uint32_t offset = prod % XS_RING_BYTES;
        uint32_t chunk = len;
        if (chunk > room) chunk = room;
        if (chunk > XS_RING_BYTES - offset) chunk = XS_RING_BYTES - offset;
        for (uint32_t i = 0; i < chunk; i++) ring->req[offset + i] = from[i];
        barrier();
        ring->req_prod = prod + chunk;
        from += chunk;
        len -= chunk;
    }
}

/* Copies len response bytes; waits when the ring is empty. Returns 0, or -1 if wait is 0 and nothing is there yet. */
static int ring_read(void *data, unsigned len, int wait)
{
    char *to = data;
    while (len > 0) {
        uint32_t cons = ring->rsp_cons, prod = ring->rsp_prod;
        barrier();
        if (prod == cons) {
            if (!wait) return -1;
            wait_for_store();
            continue;
        }
        wait = 1;
        uint32_t offset = cons % XS_RING_BYTES;
        uint32_t chunk = prod - cons;
        if (chunk > len) chunk = len;
        if (chunk > XS_RING_BYTES - offset) chunk = XS_RING_BYTES - offset;
        for (uint32_t i = 0; i < chunk; i++) to[i] = ring->rsp[offset + i];
        barrier();
        ring->rsp_cons = cons + chunk;
        to += chunk;
        len -= chunk;
    }
    return 0;
}

/* Reads one whole message into `message`; -1 if none has started and wait is 0. */
static int receive(struct xs_header *h, int wait)
{
    if (ring_read(h, sizeof *h, wait) < 0) return -1;
    if (h->len > XS_PAYLOAD_MAX) return -XS_EIO;
    ring_read(message, h->len, 1);
    message[h->len] = 0;
    notify();
    return 0;
}

static void keep_event(unsigned len)
{
    if (event_count == XS_EVENT_SLOTS) {
        event_first = (event_first + 1) % XS_EVENT_SLOTS;
        event_count--;
    }
    unsigned slot = (event_first + event_count) % XS_EVENT_SLOTS;
    if (len > sizeof events[slot].data) len = sizeof events[slot].data;
    memcpy(events[slot].data, message, len);
    events[slot].len = len;
    event_count++;
}

static int request(uint32_t type, uint32_t tx, const void *a, unsigned a_len, const void *b, unsigned b_len,
                   char *out, unsigned out_size)
{
    struct xs_header h = { .type = type, .req_id = next_req_id++, .tx_id = tx, .len = a_len + b_len };
    ring_write(&h, sizeof h);
    ring_write(a, a_len);
    if (b_len > 0) ring_write(b, b_len);
    notify();
    for (;;) {
        struct xs_header r;
        int got = receive(&r, 1);
        if (got < 0) return got;
        if (r.type == XS_WATCH_EVENT) {
            keep_event(r.len);
            continue;
        }
        if (r.req_id != h.req_id) return -XS_EIO;
        if (r.type == XS_ERROR) {
            for (unsigned i = 0; i < sizeof error_names / sizeof error_names[0]; i++) {
                if (same(message, error_names[i].name)) return -error_names[i].err;
            }
            return -XS_EIO;
        }
        if (out != 0 && out_size > 0) {
            unsigned n = r.len < out_size - 1 ? r.len : out_size - 1;
            memcpy(out, message, n);
            out[n] = 0;
        }
        return (int)r.len;
    }
}

static int path_request(uint32_t type, uint32_t tx, const char *path, char *out, unsigned out_size)
{
    return request(type, tx, path, strlen(path) + 1, 0, 0, out, out_size);
}

static int ok(int result)
{
    return result < 0 ? result : 0;
}

int xs_read(uint32_t tx, const char *path, char *value, unsigned size)
{
    return path_request(XS_READ, tx, path, value, size);
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
    return ok(request(XS_WRITE, tx, path, strlen(path) + 1, value, strlen(value), 0, 0));
}

int xs_mkdir(uint32_t tx, const char *path)
{
    return ok(path_request(XS_MKDIR, tx, path, 0, 0));
}

int xs_rm(uint32_t tx, const char *path)
{
    return ok(path_request(XS_RM, tx, path, 0, 0));
}

int xs_directory(uint32_t tx, const char *path, char *names, unsigned size)
{
    return path_request(XS_DIRECTORY, tx, path, names, size);
}

int xs_set_perms(uint32_t tx, const char *path, const char *perms, unsigned perms_len)
{
    return ok(request(XS_SET_PERMS, tx, path, strlen(path) + 1, perms, perms_len, 0, 0));
}

int xs_get_perms(uint32_t tx, const char *path, char *perms, unsigned size)
{
    return path_request(XS_GET_PERMS, tx, path, perms, size);
}

int xs_transaction_start(uint32_t *tx)
{
    char id[16];
    int result = request(XS_TRANSACTION_START, 0, "", 1, 0, 0, id, sizeof id);
    if (result < 0) return result;
    uint32_t value = 0;
    for (const char *c = id; *c >= '0' && *c <= '9'; c++) value = value * 10 + (uint32_t)(*c - '0');
    *tx = value;
    return 0;
}

int xs_transaction_end(uint32_t tx, int commit)
{
    return ok(request(XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, 0, 0, 0, 0));
}

static int watch_request(uint32_t type, const char *path, const char *token)
{
    return ok(request(type, 0, path, strlen(path) + 1, token, strlen(token) + 1, 0, 0));
}

int xs_watch(const char *path, const char *token)
{
    return watch_request(XS_WATCH, path, token);
}

int xs_unwatch(const char *path, const char *token)
{
    return watch_request(XS_UNWATCH, path, token);
}

static void copy_out(char *to, unsigned size, const char *from)
{
    unsigned n = strlen(from);
    if (n > size - 1) n = size - 1;
    memcpy(to, from, n);
    to[n] = 0;
}

int xs_read_watch(char *path, unsigned path_size, char *token, unsigned token_size)
{
    while (event_count == 0) {
        struct xs_header r;
        if (receive(&r, 1) < 0) return -XS_EIO;
        if (r.type == XS_WATCH_EVENT) keep_event(r.len);
    }
    const char *data = events[event_first].data;
    copy_out(path, path_size, data);
    copy_out(token, token_size, data + strlen(data) + 1);
    event_first = (event_first + 1) % XS_EVENT_SLOTS;
    event_count--;
    return 0;
}

int xs_get_domain_path(unsigned domid, char *path, unsigned size)
{
    char number[8];
    unsigned n = 0;
    char digits[8];
    do {
        digits[n++] = (char)('0' + domid % 10);
        domid /= 10;
    } while (domid > 0 && n < sizeof digits);
    for (unsigned i = 0; i < n; i++) number[i] = digits[n - 1 - i];
    number[n] = 0;
    return path_request(XS_GET_DOMAIN_PATH, 0, number, path, size);
}
