namespace ActorVisor.Hypervisor.Pv;

/// <summary>What a vCPU holds of the machine, given back when its domain is destroyed.</summary>
public sealed partial class PvVcpu
{
    /// <summary>
    /// Drops the references the vCPU holds (its kernel and user root tables, its GDT frames) and
    /// returns the hypervisor frames of its GDT area for the caller to free. The vCPU never runs
    /// again afterwards. Called holding the machine's frame lock.
    /// </summary>
    internal IReadOnlyList<ulong> ReleaseResources()
    {
        var tables = _domain.Machine.PageTables;
        foreach (var frame in _gdtFrames)
        {
            tables.PutPageAndType(frame);
        }

        _gdtFrames = [];
        if (_mmu.UserRootMfn != 0)
        {
            tables.PutPageAndType(_mmu.UserRootMfn);
            _mmu.UserRootMfn = 0;
        }

        if (_mmu.KernelRootMfn != 0)
        {
            tables.PutPageAndType(_mmu.KernelRootMfn);
            _mmu.KernelRootMfn = 0;
        }

        _online = false;
        return _gdt?.Frames ?? [];
    }
}
