/*
 * Interdomain event channels, end to end: a pair of guests exchanges events. The toolstack sets
 * the channels up (no XenStore negotiation yet) and appends one word per channel to the command
 * line: "evtchn=listen:D:P" when it allocated unbound port P in this domain for domain D, and
 * "evtchn=bind:D:P" when this domain is to bind to port P of domain D. The binding side sends a
 * ping, the listening side answers each ping with a pong, "rounds=N" times (10 by default).
 * Between events the guest blocks, alternately in SCHEDOP_block (events unmasked, woken through
 * the upcall) and in SCHEDOP_poll (events masked, woken by a pending port). Alone, without any
 * channel, it only checks that it has nothing to do, so that the guest suite can boot it.
 */
#include "pv.h"

#define MAX_CHANNELS 4
#define EVTCHNOP_bind_interdomain 0
#define SCHEDOP_poll 3

struct bind_interdomain {
    uint16_t remote_dom;
    uint32_t remote_port;
    uint32_t local_port;
};

struct poll_args {
    uint32_t *ports;
    unsigned long nr_ports;
    uint64_t timeout;
};

struct channel {
    int listening;
    unsigned peer;
    unsigned port;
    unsigned events;
};

#define PENDING_OFFSET 2048

static int take_pending(unsigned port)
{
    volatile unsigned long *pending = (volatile unsigned long *)(pv_shared_info + PENDING_OFFSET);
    unsigned long bit = 1ul << (port % (8 * sizeof(long)));
    volatile unsigned long *word = &pending[port / (8 * sizeof(long))];
    if (!(*word & bit)) {
        return 0;
    }
    *word &= ~bit;
    return 1;
}

static long send(unsigned port)
{
    struct evtchn_port_arg arg = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &arg);
}

/* Reads a decimal number at *p and moves past it. */
static unsigned number(const char **p)
{
    unsigned value = 0;
    while (**p >= '0' && **p <= '9') {
        value = value * 10 + (unsigned)(**p - '0');
        (*p)++;
    }
    return value;
}

static int starts_with(const char *p, const char *word)
{
    while (*word) {
        if (*p++ != *word++) {
            return 0;
        }
    }
    return 1;
}

/* Reads "rounds=N" and the toolstack's "evtchn=listen|bind:D:P" words; returns the channel count. */
static int parse(const char *p, struct channel *channels, unsigned *rounds)
{
    int count = 0;
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (starts_with(p, "rounds=")) {
            p += 7;
            *rounds = number(&p);
        } else if (starts_with(p, "evtchn=") && count < MAX_CHANNELS) {
            p += 7;
            int listening = starts_with(p, "listen:");
            if (listening || starts_with(p, "bind:")) {
                p += listening ? 7 : 5;
                struct channel *c = &channels[count++];
                c->listening = listening;
                c->peer = number(&p);
                if (*p == ':') {
                    p++;
                }
                c->port = number(&p);
                c->events = 0;
            }
        }
        while (*p && *p != ' ') {
            p++;
        }
    }
    return count;
}

int guest_main(struct start_info *si)
{
    struct channel channels[MAX_CHANNELS];
    unsigned rounds = 10;
    int count = parse(si->cmd_line, channels, &rounds);
    if (count == 0) {
        pv_check("pingpong_without_channels_has_nothing_to_do", 1);
        return 0;
    }

    pv_events_init(si);

    for (int i = 0; i < count; i++) {
        struct channel *c = &channels[i];
        if (c->listening) {
            continue;
        }
        struct bind_interdomain bind = { .remote_dom = (uint16_t)c->peer, .remote_port = c->port, .local_port = 0 };
        pv_expect_eq("bind_interdomain", HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind), 0);
        c->port = bind.local_port;
        take_pending(c->port); /* binding marks the new port pending once */
        pv_expect_eq("first_ping", send(c->port), 0);
    }

    uint32_t ports[MAX_CHANNELS];
    for (int i = 0; i < count; i++) {
        ports[i] = channels[i].port;
    }

    unsigned waits = 0;
    for (;;) {
        pv_shared_info[0] = 0;                                          /* evtchn_upcall_pending */
        *(volatile unsigned long *)(pv_shared_info + sizeof(long)) = 0; /* evtchn_pending_sel */
        int finished = 1;
        for (int i = 0; i < count; i++) {
            struct channel *c = &channels[i];
            if (c->events < rounds && take_pending(c->port)) {
                c->events++;
                if (c->listening || c->events < rounds) {
                    send(c->port);
                }
                if (c->events == rounds) {
                    pv_printf(c->listening ? "pingpong: answered %u pings from dom%u\n" : "pingpong: %u pongs from dom%u\n",
                              c->events, c->peer);
                }
            }
            finished &= c->events >= rounds;
        }
        if (finished) {
            break;
        }
        if (waits++ % 2 == 0) {
            HYPERVISOR_sched_op(SCHEDOP_block, 0);
            pv_shared_info[1] = 1; /* mask events again */
        } else {
            struct poll_args poll = { .ports = ports, .nr_ports = (unsigned long)count, .timeout = 0 };
            HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
        }
    }

    pv_printf("pingpong: %u waits, %u upcalls\n", waits, pv_upcalls);
    pv_check("pingpong", 1);
    return 0;
}
