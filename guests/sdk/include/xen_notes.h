/*
 * ActorVisor guest SDK: assembler macros that emit Xen ELF notes (name "Xen",
 * 4-byte aligned name and descriptor) into the .note.Xen section.
 */
#ifndef AV_XEN_NOTES_H
#define AV_XEN_NOTES_H

#define XEN_ELFNOTE_ENTRY          1
#define XEN_ELFNOTE_HYPERCALL_PAGE 2
#define XEN_ELFNOTE_VIRT_BASE      3
#define XEN_ELFNOTE_PADDR_OFFSET   4
#define XEN_ELFNOTE_XEN_VERSION    5
#define XEN_ELFNOTE_GUEST_OS       6
#define XEN_ELFNOTE_GUEST_VERSION  7
#define XEN_ELFNOTE_LOADER         8
#define XEN_ELFNOTE_PAE_MODE       9
#define XEN_ELFNOTE_FEATURES      10

#ifdef __ASSEMBLER__
.macro xen_note type:req, kind:req, value:vararg
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4                     /* namesz: "Xen\0" */
    .long 772f - 771f           /* descsz */
    .long \type
    .asciz "Xen"
    .balign 4
771:
    \kind \value
772:
    .balign 4
    .popsection
.endm
#endif

#endif
