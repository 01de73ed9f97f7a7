/* ActorVisor guest SDK: the front-end side of XenBus (see xenbus.h). */
#include "pv.h"
#include "xenstore.h"
#include "xenbus.h"
#include "evtchn.h"


#define POLL_INTERVAL_NS 1000000ull

void xenbus_path(char *out, const char *dir, const char *key)
{
    unsigned n = 0;
    for (const char *p = dir; *p && n < XENBUS_PATH_MAX - 1; p++) {
        out[n++] = *p;
    }
    if (n < XENBUS_PATH_MAX - 1) {
        out[n++] = '/';
    }
    for (const char *p = key; *p && n < XENBUS_PATH_MAX - 1; p++) {
        out[n++] = *p;
    }
    out[n] = 0;
}

static int parse_number(const char *text, unsigned long long *value)
{
    unsigned long long v = 0;
    if (!*text) {
        return -XS_EINVAL;
    }
    for (; *text; text++) {
        if (*text < '0' || *text > '9') {
            return -XS_EINVAL;
        }
        v = v * 10 + (unsigned)(*text - '0');
    }
    *value = v;
    return 0;
}

int xenbus_read_number(const char *dir, const char *key, unsigned long long *value)
{
    char path[XENBUS_PATH_MAX], text[32];
    xenbus_path(path, dir, key);
    int n = xs_read(0, path, text, sizeof text);
    if (n < 0) {
        return n;
    }
    return parse_number(text, value);
}

int xenbus_write_number(const char *dir, const char *key, unsigned long long value)
{
    char digits[24], text[24];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    for (unsigned i = 0; i < n; i++) {
        text[i] = digits[n - 1 - i];
    }
    text[n] = 0;
    return xenbus_write_string(dir, key, text);
}

int xenbus_write_string(const char *dir, const char *key, const char *value)
{
    char path[XENBUS_PATH_MAX];
    xenbus_path(path, dir, key);
    return xs_write(0, path, value);
}

int xenbus_switch_state(const char *dir, enum xenbus_state state)
{
    return xenbus_write_number(dir, "state", (unsigned long long)state);
}

int xenbus_find_device(const char *class, struct xenbus_device *dev)
{
    char dir[XENBUS_PATH_MAX], names[256];
    xenbus_path(dir, "device", class);
    int n = xs_directory(0, dir, names, sizeof names);
    if (n < 0) {
        return n;
    }
    if (n == 0 || names[0] == 0) {
        return -XS_ENOENT;
    }
    xenbus_path(dev->frontend, dir, names);
    unsigned long long id = 0;
    if (parse_number(names, &id) != 0) {
        return -XS_EINVAL;
    }
    dev->id = (unsigned long)id;

    char path[XENBUS_PATH_MAX];
    xenbus_path(path, dev->frontend, "backend");
    int len = xs_read(0, path, dev->backend, sizeof dev->backend);
    if (len < 0) {
        return len;
    }
    if (len == 0 || (unsigned)len >= sizeof dev->backend) {
        return -XS_EINVAL;
    }
    unsigned long long backend_id = 0;
    int rc = xenbus_read_number(dev->frontend, "backend-id", &backend_id);
    if (rc < 0) {
        return rc;
    }
    dev->backend_id = (unsigned)backend_id;
    return 0;
}

int xenbus_wait_for_state(const char *dir, enum xenbus_state at_least, uint32_t port, uint64_t timeout_ns)
{
    uint64_t deadline = pv_system_time_ns() + timeout_ns;
    for (;;) {
        unsigned long long state = 0;
        if (xenbus_read_number(dir, "state", &state) == 0 && state >= (unsigned long long)at_least) {
            return (int)state;
        }
        if (pv_system_time_ns() >= deadline) {
            return -1;
        }
        evtchn_wait(port, POLL_INTERVAL_NS);
    }
}
