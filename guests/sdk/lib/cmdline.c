#include "cmdline.h"

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

int cmdline_evtchn(const char *p, int *listening, unsigned *peer, unsigned *port)
{
    while (*p) {
        if (starts_with(p, "evtchn=listen:") || starts_with(p, "evtchn=bind:")) {
            *listening = starts_with(p, "evtchn=listen:");
            p += *listening ? 14 : 12;
            *peer = number(&p);
            if (*p == ':') {
                p++;
            }
            *port = number(&p);
            return 1;
        }
        p++;
    }
    return 0;
}
