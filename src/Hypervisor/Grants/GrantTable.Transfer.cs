using System.Runtime.InteropServices;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Grants;

/// <summary>
/// GNTTABOP_transfer's receiving half, on the receiver's table. A receiver offers to take a page
/// by writing an entry {GTF_accept_transfer, the sender's id, the PFN it wants the page at}. The
/// transfer takes the entry with a compare-exchange that adds GTF_transfer_committed (the flags
/// must be exactly GTF_accept_transfer and the id the sender's), gives the frame to the receiver,
/// points the M2P entry of the frame at that PFN, writes the MFN into the entry's frame field and
/// then adds GTF_transfer_completed, so that a receiver that sees completed reads a valid frame.
/// Everything runs holding the machine's frame lock; the receiver's guest shares the entry, so
/// flags and domid (one little-endian word) change only by compare-exchange.
/// </summary>
public sealed partial class GrantTable
{
    /// <summary>How often a changing entry is read again before the transfer gives up, as Xen does.</summary>
    private const int TransferRetries = 4;

    /// <summary>
    /// Takes frame <paramref name="mfn"/>, given away by <paramref name="sender"/> and owned by no
    /// one, through entry <paramref name="gref"/> into this domain, counted in
    /// <paramref name="reservation"/>. GeneralError, and the frame still owned by no one (the
    /// caller frees it), when the domain is being destroyed, is at its ceiling, or the entry does
    /// not accept a transfer from the sender.
    /// </summary>
    public GrantStatus AcceptTransfer(DomId sender, uint gref, ulong mfn, DomainReservation reservation)
    {
        if (_relinquished || !reservation.HasHeadroom || gref >= EntryCount || !TryCommitTransfer(sender, gref))
        {
            return GrantStatus.GeneralError;
        }

        reservation.TakeTransferred(mfn);
        var entry = EntryBytes(gref);
        ref uint frameField = ref MemoryMarshal.Cast<byte, uint>(entry)[1];
        uint pfn = Volatile.Read(ref frameField);
        _machine.MachineToPhys[mfn] = pfn;

        // A v1 entry holds a 32-bit frame; every frame of a machine this size fits (Xen would copy a
        // higher one into a low page, or answer GNTST_address_too_big).
        Volatile.Write(ref frameField, (uint)mfn);
        Interlocked.Or(ref MemoryMarshal.Cast<byte, uint>(entry)[0], GrantFlags.TransferCompleted);
        return GrantStatus.Okay;
    }

    /// <summary>Marks the entry committed if it accepts a transfer from <paramref name="sender"/>.</summary>
    private bool TryCommitTransfer(DomId sender, uint gref)
    {
        ref uint word = ref MemoryMarshal.Cast<byte, uint>(EntryBytes(gref))[0];
        uint seen = Volatile.Read(ref word);
        for (int attempt = 0; ; attempt++)
        {
            if ((ushort)seen != GrantFlags.AcceptTransfer || (ushort)(seen >> 16) != sender.Value)
            {
                return false;
            }

            uint was = Interlocked.CompareExchange(ref word, seen | GrantFlags.TransferCommitted, seen);
            if (was == seen)
            {
                return true;
            }

            if (attempt == TransferRetries)
            {
                return false;
            }

            seen = was;
        }
    }
}
