/*
 * ActorVisor guest SDK, 32-bit PAE PV entry. Xen enters here in ring 1 with
 * esi = start_info; we switch to our own stack and call pv_start(start_info).
 */
#include "xen_notes.h"

    xen_note XEN_ELFNOTE_GUEST_OS,       .asciz, "ActorVisor-test"
    xen_note XEN_ELFNOTE_GUEST_VERSION,  .asciz, "1"
    xen_note XEN_ELFNOTE_XEN_VERSION,    .asciz, "xen-3.0"
    xen_note XEN_ELFNOTE_LOADER,         .asciz, "generic"
    xen_note XEN_ELFNOTE_VIRT_BASE,      .long, 0
    xen_note XEN_ELFNOTE_PADDR_OFFSET,   .long, 0
    xen_note XEN_ELFNOTE_ENTRY,          .long, _start
    xen_note XEN_ELFNOTE_HYPERCALL_PAGE, .long, hypercall_page
    xen_note XEN_ELFNOTE_PAE_MODE,       .asciz, "yes"
    xen_note XEN_ELFNOTE_FEATURES,       .asciz, "!writable_page_tables|pae_pgdir_above_4gb"

    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    movl $stack_top, %esp
    pushl %esi
    call pv_start
1:  jmp 1b

    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xc3

    .section .bss.stack, "aw", @nobits
    .balign 16
stack_bottom:
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
