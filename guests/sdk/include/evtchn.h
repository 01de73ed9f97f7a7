/*
 * ActorVisor guest SDK: event channels as a split driver uses them, and system time. Needs
 * pv_events_init (shared_info mapped) first. Waiting is SCHEDOP_poll with events masked: the
 * port's pending bit is tested and cleared here, with the selector and upcall flag, so that the
 * next event on any port kicks the vCPU again.
 */
#ifndef AV_EVTCHN_H
#define AV_EVTCHN_H

#include <stdint.h>

#define EVTCHNOP_bind_interdomain 0
#define SCHEDOP_poll 3

/* A port unbound for remote_dom to bind (a front-end's channel to its back-end): 0 or -errno. */
long evtchn_alloc_unbound(unsigned remote_dom, uint32_t *port);

/* Binds remote_port of remote_dom (unbound for us) to a new local port: 0 or -errno. */
long evtchn_bind_interdomain(unsigned remote_dom, uint32_t remote_port, uint32_t *local_port);

/* EVTCHNOP_send: 0 or -errno. */
long evtchn_notify(uint32_t port);

/* True (and cleared) when the port was pending. */
int evtchn_test_and_clear(uint32_t port);

/* Waits until the port is pending (then clears it) or timeout_ns of system time passed (0: no
 * limit). Returns 1 for an event, 0 on timeout. */
int evtchn_wait(uint32_t port, uint64_t timeout_ns);

/* System time in nanoseconds, from vcpu_info[0].time and RDTSC. */
uint64_t pv_system_time_ns(void);

#endif
