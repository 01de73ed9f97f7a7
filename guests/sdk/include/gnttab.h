/*
 * ActorVisor guest SDK: grant tables, version 1 (our own definitions from the facts of Xen's
 * public grant_table.h). gnttab_init sets up one grant frame (512 entries) and maps it over a
 * page of the image; references 0-7 are the toolstack's, so gnttab_alloc_ref hands out 8 on.
 */
#ifndef AV_GNTTAB_H
#define AV_GNTTAB_H

#include <stdint.h>

#define GNTTABOP_map_grant_ref   0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table     2
#define GNTTABOP_transfer        4
#define GNTTABOP_copy            5

/* Entry flags. The transfer bits share positions with readonly/reading: they mean those only
 * in an accept-transfer entry. */
#define GTF_invalid            0u
#define GTF_permit_access      1u
#define GTF_accept_transfer    2u
#define GTF_type_mask          3u
#define GTF_readonly           (1u << 2)
#define GTF_reading            (1u << 3)
#define GTF_writing            (1u << 4)
#define GTF_transfer_committed (1u << 2)
#define GTF_transfer_completed (1u << 3)

/* Per-operation status (GNTST_*). */
#define GNTST_okay          0
#define GNTST_general_error (-1)
#define GNTST_bad_domain    (-2)
#define GNTST_bad_gntref    (-3)
#define GNTST_bad_page      (-9)

#define GNTTAB_NR_RESERVED_ENTRIES 8

typedef uint32_t grant_ref_t;

struct grant_entry_v1 {
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};

struct gnttab_setup_table {
    uint16_t dom;
    uint32_t nr_frames;
    int16_t status;
    unsigned long *frame_list;
};

/* GNTTABOP_transfer: the caller gives up frame mfn to domid through domid's entry ref. */
struct gnttab_transfer {
    unsigned long mfn;
    uint16_t domid;
    grant_ref_t ref;
    int16_t status;
};

/* Sets up and maps the table; 0, or -1 after a FAIL line. Safe to call more than once. */
int gnttab_init(void);

/* The next unused reference (8 and up); references are not recycled. */
grant_ref_t gnttab_alloc_ref(void);

/* Lets domid map or copy frame (an MFN); read-only when readonly is set. */
void gnttab_grant_access(grant_ref_t ref, unsigned domid, unsigned long frame, int readonly);

/* Ends a grant that no one maps or copies now: 0, or -1 (entry left as it was) while in use. */
int gnttab_end_access(grant_ref_t ref);

/* Offers to take a page from domid through ref, to be known by pseudo-physical frame pfn. */
void gnttab_accept_transfer(grant_ref_t ref, unsigned domid, unsigned long pfn);

/* The MFN a completed transfer into ref delivered, or 0 while none has completed. */
unsigned long gnttab_transfer_completed(grant_ref_t ref);

/* GNTTABOP_transfer of one frame: the operation's status (GNTST_*), or the hypercall's -errno. */
long gnttab_transfer(unsigned long mfn, unsigned domid, grant_ref_t ref);

#endif
