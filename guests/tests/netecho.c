/*
 * The network guest: connects to its first virtual network interface through
 * sdk/lib/netfront.c and answers, on it, ARP requests for its IPv4 address and ICMP echo
 * requests addressed to it, until the toolstack writes control/shutdown (checked about every
 * 100 ms) or, with "echo-seconds=N" on the command line, N seconds of system time have passed.
 * Its address is "ip=A.B.C.D" from the command line, else the back end's "ip" key, else
 * 10.0.0.2. Without a vif in XenStore it prints "netecho: no vif device" and powers off.
 */
#include "pv.h"
#include "xenstore.h"
#include "netfront.h"
#include "evtchn.h"

#define ETH_HEADER 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IP_PROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define TIMEOUT_NS 2000000000ull
#define SLICE_NS 100000000ull

static uint8_t frame[NETFRONT_MTU_BYTES];
static uint8_t reply[NETFRONT_MTU_BYTES];

static unsigned get16(const uint8_t *p)
{
    return ((unsigned)p[0] << 8) | p[1];
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void copy(uint8_t *to, const uint8_t *from, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        to[i] = from[i];
    }
}

static int same(const uint8_t *a, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

/* The Internet checksum (RFC 1071) of n bytes. */
static unsigned inet_checksum(const uint8_t *p, unsigned n)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (n & 1) {
        sum += (uint32_t)p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return ~sum & 0xFFFF;
}

/* "A.B.C.D" at p into four bytes: 1, or 0 when it is not that. */
static int parse_ip(const char *p, uint8_t ip[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || v > 255 || (i < 3 && *p++ != '.')) {
            return 0;
        }
        ip[i] = (uint8_t)v;
    }
    return 1;
}

static const char *word_after(const char *cmdline, const char *word)
{
    for (const char *p = cmdline; *p; p++) {
        const char *w = word, *q = p;
        while (*w && *q == *w) {
            w++;
            q++;
        }
        if (!*w && (p == cmdline || p[-1] == ' ')) {
            return q;
        }
    }
    return 0;
}

/* Builds the answer to an ARP request for our address into reply: its length, or 0. */
static unsigned answer_arp(const struct netfront *front, const uint8_t ip[4], const uint8_t *f, unsigned length)
{
    const uint8_t *arp = f + ETH_HEADER;
    if (length < ETH_HEADER + 28 || get16(arp) != 1 || get16(arp + 2) != ETHERTYPE_IPV4 || arp[4] != 6 || arp[5] != 4
        || get16(arp + 6) != ARP_REQUEST || !same(arp + 24, ip, 4)) {
        return 0;
    }
    copy(reply, f + 6, 6);         /* to the asker */
    copy(reply + 6, front->mac, 6);
    put16(reply + 12, ETHERTYPE_ARP);
    uint8_t *out = reply + ETH_HEADER;
    copy(out, arp, 6);             /* hardware and protocol types and sizes */
    put16(out + 6, ARP_REPLY);
    copy(out + 8, front->mac, 6);  /* sender: us */
    copy(out + 14, ip, 4);
    copy(out + 18, arp + 8, 10);   /* target: the asker's hardware and protocol addresses */
    return ETH_HEADER + 28;
}

/* Builds the echo reply to an ICMP echo request for our address into reply: its length, or 0. */
static unsigned answer_ping(const struct netfront *front, const uint8_t ip[4], const uint8_t *f, unsigned length)
{
    const uint8_t *iph = f + ETH_HEADER;
    if (length < ETH_HEADER + 20 || (iph[0] >> 4) != 4) {
        return 0;
    }
    unsigned header = (iph[0] & 15) * 4u, total = get16(iph + 2);
    if (header < 20 || total < header + 8 || ETH_HEADER + total > length || iph[9] != IP_PROTO_ICMP || !same(iph + 16, ip, 4)
        || (get16(iph + 6) & 0x3FFF) != 0 /* fragments are not reassembled */ || inet_checksum(iph, header) != 0) {
        return 0;
    }
    const uint8_t *icmp = iph + header;
    unsigned icmp_length = total - header;
    if (icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0 || inet_checksum(icmp, icmp_length) != 0) {
        return 0;
    }
    copy(reply, f + 6, 6);
    copy(reply + 6, front->mac, 6);
    put16(reply + 12, ETHERTYPE_IPV4);
    uint8_t *out = reply + ETH_HEADER;
    copy(out, iph, total);
    copy(out + 12, ip, 4);        /* source: us */
    copy(out + 16, iph + 12, 4);  /* destination: the pinger */
    out[8] = 64;                  /* a fresh TTL */
    put16(out + 10, 0);
    put16(out + 10, inet_checksum(out, header));
    uint8_t *echo = out + header;
    echo[0] = ICMP_ECHO_REPLY;
    put16(echo + 2, 0);
    put16(echo + 2, inet_checksum(echo, icmp_length));
    return ETH_HEADER + total;
}

static int shutdown_requested(void)
{
    char value[16];
    return xs_read(0, "control/shutdown", value, sizeof value) > 0;
}

int guest_main(struct start_info *si)
{
    if (xs_init() != 0 || pv_events_init(si) != 0) {
        pv_printf("netecho: no XenStore ring or no shared_info\n");
        return 1;
    }

    struct netfront front;
    enum netfront_error error = netfront_connect(&front, TIMEOUT_NS);
    if (error == NETFRONT_NO_DEVICE) {
        pv_printf("netecho: no vif device\n");
        return 0;
    }
    pv_check("netfront_connects", error == NETFRONT_OK);
    if (error != NETFRONT_OK) {
        pv_printf("netecho: %s (device %s, back end %s)\n", netfront_error_text(error), front.dev.frontend, front.dev.backend);
        return 1;
    }

    uint8_t ip[4] = { 10, 0, 0, 2 };
    const char *given = word_after(si->cmd_line, "ip=");
    char backend_ip[32], path[XENBUS_PATH_MAX];
    xenbus_path(path, front.dev.backend, "ip");
    if (given) {
        pv_check("ip_on_the_command_line_is_an_address", parse_ip(given, ip));
    } else if (xs_read(0, path, backend_ip, sizeof backend_ip) > 0) {
        parse_ip(backend_ip, ip);
    }
    uint64_t limit_ns = 0;
    const char *seconds = word_after(si->cmd_line, "echo-seconds=");
    for (; seconds && *seconds >= '0' && *seconds <= '9'; seconds++) {
        limit_ns = limit_ns * 10 + (uint64_t)(*seconds - '0');
    }
    limit_ns *= 1000000000ull;
    pv_printf("netecho: %s mac %x:%x:%x:%x:%x:%x ip %u.%u.%u.%u, back end dom%u at %s\n", front.dev.frontend, front.mac[0], front.mac[1],
              front.mac[2], front.mac[3], front.mac[4], front.mac[5], ip[0], ip[1], ip[2], ip[3], front.dev.backend_id, front.dev.backend);

    uint64_t start = pv_system_time_ns();
    unsigned arp_replies = 0, echo_replies = 0, send_failures = 0;
    while (!shutdown_requested() && (limit_ns == 0 || pv_system_time_ns() - start < limit_ns)) {
        int length = netfront_receive(&front, frame, sizeof frame, SLICE_NS);
        if (length < ETH_HEADER) {
            continue;
        }
        unsigned type = get16(frame + 12), answer = 0;
        if (type == ETHERTYPE_ARP && (answer = answer_arp(&front, ip, frame, (unsigned)length)) != 0) {
            arp_replies++;
        } else if (type == ETHERTYPE_IPV4 && (answer = answer_ping(&front, ip, frame, (unsigned)length)) != 0) {
            echo_replies++;
        }
        if (answer != 0 && netfront_send(&front, reply, answer, TIMEOUT_NS) != NETIF_RSP_OKAY) {
            send_failures++;
        }
    }
    pv_printf("netecho: answered %u ARP requests and %u echo requests, %lu frames dropped by the ring\n", arp_replies, echo_replies,
              front.rx_dropped);
    pv_expect_eq("every_answer_was_sent", send_failures, 0);
    pv_check("netecho", pv_failures() == 0);
    return 0;
}
