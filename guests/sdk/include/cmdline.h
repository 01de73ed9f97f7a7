/*
 * ActorVisor guest SDK: the words the toolstack puts on a guest's command line.
 */
#ifndef AV_CMDLINE_H
#define AV_CMDLINE_H

/*
 * Finds the toolstack's "evtchn=listen:D:P" (a port P it allocated unbound for domain D, which
 * the guest waits on) or "evtchn=bind:D:P" (port P of domain D, which the guest binds) word.
 * Returns 1 and fills the three outputs, or 0 when the command line has no such word.
 */
int cmdline_evtchn(const char *cmdline, int *listening, unsigned *peer, unsigned *port);

#endif
