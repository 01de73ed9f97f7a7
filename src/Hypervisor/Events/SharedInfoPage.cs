using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Events;

/// <summary>
/// The 2-level event state a domain shares with the hypervisor: pending and mask bitmaps in
/// shared_info and, per vCPU, the pending selector and the upcall pending/mask bytes of its
/// vcpu_info (the legacy slots in shared_info). Bit operations are atomic because the guest
/// changes the same words concurrently.
/// </summary>
public sealed unsafe class SharedInfoPage
{
    private readonly byte* _page;
    private readonly SharedInfoLayout _layout;
    private readonly VcpuInfoLayout _vcpuLayout;

    public SharedInfoPage(MachineMemory memory, ulong mfn, GuestWidth width)
    {
        _page = memory.FramePointer(mfn);
        if (_page == null)
        {
            throw new ArgumentOutOfRangeException(nameof(mfn), mfn, "no such frame");
        }

        Width = width;
        _layout = SharedInfoLayout.For(width);
        _vcpuLayout = VcpuInfoLayout.For(width);
    }

    public GuestWidth Width { get; }

    /// <summary>Bits per pending/mask word (64 or 32).</summary>
    public int WordBits => _layout.EvtchnWordBytes * 8;

    public bool IsPending(uint port) => TestBit(_layout.EvtchnPending, port);

    public bool IsMasked(uint port) => TestBit(_layout.EvtchnMask, port);

    /// <summary>Sets the pending bit; returns whether it was already set.</summary>
    public bool TestAndSetPending(uint port) => TestAndSetBit(_layout.EvtchnPending, port);

    /// <summary>Clears the mask bit (EVTCHNOP_unmask).</summary>
    public void ClearMask(uint port) => ClearBit(_layout.EvtchnMask, port);

    /// <summary>Sets selector bit <paramref name="word"/> of <paramref name="vcpu"/>; returns whether it was already set.</summary>
    public bool TestAndSetSelector(int vcpu, int word) => TestAndSetBit(VcpuOffset(vcpu) + _vcpuLayout.EvtchnPendingSel, (uint)word);

    public byte UpcallPending(int vcpu) => _page[VcpuOffset(vcpu) + VcpuInfoLayout.EvtchnUpcallPending];

    public byte UpcallMask(int vcpu) => _page[VcpuOffset(vcpu) + VcpuInfoLayout.EvtchnUpcallMask];

    public void SetUpcallPending(int vcpu) => Volatile.Write(ref _page[VcpuOffset(vcpu) + VcpuInfoLayout.EvtchnUpcallPending], (byte)1);

    public void SetUpcallMask(int vcpu, bool masked) => Volatile.Write(ref _page[VcpuOffset(vcpu) + VcpuInfoLayout.EvtchnUpcallMask], masked ? (byte)1 : (byte)0);

    /// <summary>True when an upcall should be delivered to <paramref name="vcpu"/> now.</summary>
    public bool EventDeliverable(int vcpu) => UpcallPending(vcpu) != 0 && UpcallMask(vcpu) == 0;

    /// <summary>Writes the faulting address into vcpu_info.arch.cr2.</summary>
    public void SetCr2(int vcpu, ulong address)
    {
        var p = _page + VcpuOffset(vcpu) + _vcpuLayout.ArchCr2;
        if (Width == GuestWidth.Bits64)
        {
            *(ulong*)p = address;
        }
        else
        {
            *(uint*)p = (uint)address;
        }
    }

    private static int VcpuOffset(int vcpu)
    {
        if ((uint)vcpu >= SharedInfoLayout.LegacyVcpuSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpu), vcpu, "only the 32 legacy vcpu_info slots are supported");
        }

        return SharedInfoLayout.VcpuInfo(vcpu);
    }

    private bool TestBit(int arrayOffset, uint bit) => (_page[arrayOffset + (int)(bit >> 3)] & (1 << (int)(bit & 7))) != 0;

    private bool TestAndSetBit(int arrayOffset, uint bit)
    {
        if (WordBits == 64)
        {
            ref long word = ref *(long*)(_page + arrayOffset + ((bit / 64) * 8));
            long mask = 1L << (int)(bit % 64);
            return (Interlocked.Or(ref word, mask) & mask) != 0;
        }
        else
        {
            ref int word = ref *(int*)(_page + arrayOffset + ((bit / 32) * 4));
            int mask = 1 << (int)(bit % 32);
            return (Interlocked.Or(ref word, mask) & mask) != 0;
        }
    }

    private void ClearBit(int arrayOffset, uint bit)
    {
        if (WordBits == 64)
        {
            ref long word = ref *(long*)(_page + arrayOffset + ((bit / 64) * 8));
            Interlocked.And(ref word, ~(1L << (int)(bit % 64)));
        }
        else
        {
            ref int word = ref *(int*)(_page + arrayOffset + ((bit / 32) * 4));
            Interlocked.And(ref word, ~(1 << (int)(bit % 32)));
        }
    }
}
