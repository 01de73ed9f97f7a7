using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// VCPUOP_register_vcpu_time_memory_area: a second copy of the vCPU's vcpu_time_info at a guest
/// virtual address of the guest's choosing, which Linux maps read-only into user space so that its
/// vDSO computes clock_gettime from the copy and RDTSC without a system call (its pvclock mode;
/// the vDSO takes it only while the copy's flags have XEN_PVCLOCK_TSC_STABLE_BIT).
/// </summary>
/// <remarks>
/// Invariant, as in Xen: the copy is written whenever the master copy in vcpu_info is, with the
/// same version protocol (the odd version first, then the whole record still odd, then the even
/// version), so a reader that sees the same even version before and after its read has a
/// consistent record. Registering writes it at once (Xen's force_update_vcpu_system_time);
/// address 0 unregisters. Xen writes through the current page tables and, for a 64-bit guest in
/// user mode (whose tables do not map the kernel's half), when the vCPU next enters kernel mode;
/// here it goes through the guest kernel's tables at once, which leaves the guest the same bytes,
/// sooner. A write that cannot be made (the page is not mapped writable) is dropped, as in Xen.
/// </remarks>
public sealed partial class PvVcpu
{
    /// <summary>The guest VA of the secondary vcpu_time_info, 0 for none.</summary>
    private ulong _timeAreaVa;

    /// <summary>Guest memory seen through the guest kernel's root table, whatever mode the vCPU is in.</summary>
    private GuestMemory? _kernelMemory;

    private GuestMemory KernelMemory =>
        _kernelMemory ??= new GuestMemory(_domain.Machine, _domain.Width, () => _mmu.KernelRootMfn, Cpu.InvalidateCodeFrame);

    /// <summary>The registered address of the secondary time record (0 for none).</summary>
    public ulong TimeMemoryAreaVa => _timeAreaVa;

    /// <summary>VCPUOP_register_vcpu_time_memory_area for <paramref name="target"/>: reads the address from the guest's argument.</summary>
    private long RegisterTimeMemoryArea(PvVcpu target, ulong arg)
    {
        if (!_guest.TryReadLong(arg, out var va))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        // Xen's guest_handle_okay: the whole record must lie in the guest's part of the address space.
        if (va != 0 && (!GuestPageWalk.IsGuestAddress(_domain.Width, va) || !GuestPageWalk.IsGuestAddress(_domain.Width, va + VcpuTimeInfoLayout.Size - 1)))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        target._timeAreaVa = va;
        target.UpdateTimeInfo();
        return 0;
    }

    /// <summary>Copies the master record (just written, version even) to the registered area with the odd/even protocol.</summary>
    private void UpdateTimeMemoryArea(ReadOnlySpan<byte> master)
    {
        if (_timeAreaVa == 0)
        {
            return;
        }

        Span<byte> record = stackalloc byte[VcpuTimeInfoLayout.Size];
        master[..VcpuTimeInfoLayout.Size].CopyTo(record);
        uint even = BinaryPrimitives.ReadUInt32LittleEndian(record);
        BinaryPrimitives.WriteUInt32LittleEndian(record, even - 1);
        var memory = KernelMemory;
        if (!memory.TryWrite(_timeAreaVa, record[..4]))
        {
            return;
        }

        memory.TryWrite(_timeAreaVa, record);
        memory.TryWriteU32(_timeAreaVa, even);
    }
}
