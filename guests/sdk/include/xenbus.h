/*
 * ActorVisor guest SDK: the front-end side of XenBus (our own code from the facts of Xen's
 * public io/xenbus.h and docs/misc/xenstore-paths): a device's front-end directory in the
 * guest's home, device/<class>/<id>, holds "backend" (the back-end directory's absolute path),
 * "backend-id" (the back-end domain) and "state"; the back-end directory holds its own "state"
 * and the keys it offers. Needs xs_init and pv_events_init first.
 */
#ifndef AV_XENBUS_H
#define AV_XENBUS_H

#include <stdint.h>

enum xenbus_state {
    XenbusStateUnknown = 0,
    XenbusStateInitialising = 1,
    XenbusStateInitWait = 2,
    XenbusStateInitialised = 3,
    XenbusStateConnected = 4,
    XenbusStateClosing = 5,
    XenbusStateClosed = 6,
};

#define XENBUS_PATH_MAX 128

struct xenbus_device {
    char frontend[XENBUS_PATH_MAX]; /* device/<class>/<id>, relative to the guest's home */
    char backend[XENBUS_PATH_MAX];  /* the back-end directory, absolute */
    unsigned backend_id;
    unsigned long id;
};

/* Finds the first device of class ("vbd", "vif") under device/<class> and reads its backend
 * and backend-id: 0, or -XS_ENOENT when the guest has no such device, another -XS_E* else. */
int xenbus_find_device(const char *class, struct xenbus_device *dev);

/* Joins dir and key with a '/' into out (XENBUS_PATH_MAX bytes). */
void xenbus_path(char *out, const char *dir, const char *key);

/* Reads dir/key as a decimal number: 0, or a negated XS_E* (XS_EINVAL when not a number). */
int xenbus_read_number(const char *dir, const char *key, unsigned long long *value);

/* Writes dir/key = the decimal number, or the string. */
int xenbus_write_number(const char *dir, const char *key, unsigned long long value);
int xenbus_write_string(const char *dir, const char *key, const char *value);

/* Writes dir/state. */
int xenbus_switch_state(const char *dir, enum xenbus_state state);

/* Waits until dir/state reads at least `at_least` (polling about every millisecond of system
 * time, sleeping in SCHEDOP_poll on `port`), at most timeout_ns: the state read, or -1 on timeout. */
int xenbus_wait_for_state(const char *dir, enum xenbus_state at_least, uint32_t port, uint64_t timeout_ns);

#endif
