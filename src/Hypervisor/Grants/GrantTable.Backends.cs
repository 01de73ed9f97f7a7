using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Grants;

/// <summary>
/// Grant use by a back-end that lives inside the host (an IOPM, a driver domain with a domain id
/// but no guest memory of its own), on the granter's table. It follows the same rules as a
/// grantee's map: the entry must be GTF_permit_access for the back-end's id, writable unless
/// GTF_readonly, the frame the granter's; an acquired grant holds a general reference on the frame
/// (and a writable type reference when written) and marks the entry GTF_reading/GTF_writing until
/// it is released, as Xen does for the span of a GNTTABOP_copy or the life of a mapping.
/// </summary>
public sealed partial class GrantTable
{
    /// <summary>
    /// Takes grant <paramref name="gref"/> of this (the granter's) table for <paramref name="backend"/>:
    /// checks it, takes the frame's references and marks the entry. Release it with
    /// <see cref="ReleaseForBackend"/> with the same arguments.
    /// </summary>
    public BackendGrantError AcquireForBackend(DomId backend, uint gref, bool write, out ulong mfn)
    {
        mfn = 0;
        lock (_machine.FrameLock)
        {
            if (_relinquished)
            {
                return BackendGrantError.GranterGone;
            }

            if (gref >= EntryCount)
            {
                return BackendGrantError.BadReference;
            }

            var (flags, domain, frame) = ReadEntry(gref);
            if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess || domain != backend)
            {
                return BackendGrantError.NotGranted;
            }

            if (write && (flags & GrantFlags.ReadOnly) != 0)
            {
                return BackendGrantError.ReadOnly;
            }

            if (!_machine.Frames.TryGetPage(frame, Owner.Id))
            {
                return BackendGrantError.BadFrame;
            }

            if (write && _machine.PageTables.GetPageType(frame, Owner, PageType.Writable) != PageTableError.None)
            {
                _machine.Frames.PutPage(frame);
                return BackendGrantError.BadFrame;
            }

            Activate(gref, readOnly: !write, +1);
            mfn = frame;
            return BackendGrantError.None;
        }
    }

    /// <summary>
    /// Gives back what <see cref="AcquireForBackend"/> took. If the granter was destroyed meanwhile
    /// the frame was kept for the back-end (relinquished, not freed) and this last put frees it.
    /// </summary>
    public void ReleaseForBackend(uint gref, bool write, ulong mfn)
    {
        lock (_machine.FrameLock)
        {
            if (write)
            {
                _machine.PageTables.PutPageType(mfn);
            }

            _machine.Frames.PutPage(mfn);
            Activate(gref, readOnly: !write, -1);
        }
    }
}
