using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Destroying a domain on a machine that goes on running others, as Xen's
/// domain_relinquish_resources does: the references the domain holds are dropped in an order that
/// lets every page table devalidate (vCPU roots and GDT frames, grant mappings of other domains'
/// frames, pins), then each frame it owns gives up its allocation reference. A frame another
/// domain still holds (it mapped a grant) stays allocated, marked relinquished, until that domain
/// lets go; it can take no new reference meanwhile.
/// </summary>
public sealed partial class PvDomain
{
    private bool _relinquished;

    /// <summary>
    /// Gives the domain's memory back to the machine; only when none of its vCPUs runs and never
    /// again afterwards. Returns how many of its frames were freed now and how many wait for
    /// another domain to drop its references.
    /// </summary>
    public (int Freed, int HeldElsewhere) Relinquish()
    {
        lock (Machine.FrameLock)
        {
            if (_relinquished)
            {
                return (0, 0);
            }

            _relinquished = true;
            var tables = Machine.PageTables;
            var xenFrames = new List<ulong>();
            foreach (var vcpu in _vcpus)
            {
                xenFrames.AddRange(vcpu.ReleaseResources());
            }

            Grants.Relinquish();
            var frames = Machine.Frames;
            for (ulong mfn = 0; mfn < frames.FrameCount; mfn++)
            {
                ref var f = ref frames[mfn];
                if (f.IsAllocated && f.Owner == Id && f.IsPinned)
                {
                    tables.Unpin(mfn, Memory);
                }
            }

            int freed = 0, held = 0;
            for (ulong mfn = 0; mfn < frames.FrameCount; mfn++)
            {
                var f = frames[mfn];
                bool ours = f.IsAllocated && (f.Flags & FrameFlags.Relinquished) == 0
                    && (f.Owner == Id || (f.Owner == DomId.Xen && (f.Flags & FrameFlags.SharedWithGuest) != 0 && f.SharedWith == Id));
                if (!ours)
                {
                    continue;
                }

                if (f.Owner == Id)
                {
                    Machine.MachineToPhys[mfn] = ulong.MaxValue;
                }

                if (frames.Relinquish(mfn))
                {
                    freed++;
                }
                else
                {
                    held++;
                }
            }

            foreach (var mfn in xenFrames)
            {
                frames.Free(mfn);
                freed++;
            }

            Machine.Unregister(Id);
            return (freed, held);
        }
    }
}
