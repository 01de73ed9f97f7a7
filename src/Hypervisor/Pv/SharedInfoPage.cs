using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The hypervisor's view of a domain's shared_info page and of each vCPU's vcpu_info, which lives in
/// shared_info slot n until the vCPU registers another place (VCPUOP_register_vcpu_info). The guest
/// writes these bytes concurrently in spirit, so every read here is fresh and nothing is cached.
/// </summary>
public sealed class SharedInfoPage
{
    private readonly Machine _machine;
    private readonly ulong[] _vcpuInfoMfn;
    private readonly int[] _vcpuInfoOffset;
    private readonly bool[] _vcpuInfoRegistered;

    public SharedInfoPage(Machine machine, ulong sharedInfoMfn, GuestWidth width, int vcpuCount)
    {
        _machine = machine;
        Mfn = sharedInfoMfn;
        Width = width;
        Layout = SharedInfoLayout.For(width);
        VcpuLayout = VcpuInfoLayout.For(width);
        _vcpuInfoMfn = new ulong[vcpuCount];
        _vcpuInfoOffset = new int[vcpuCount];
        _vcpuInfoRegistered = new bool[vcpuCount];
        for (int i = 0; i < vcpuCount; i++)
        {
            _vcpuInfoMfn[i] = sharedInfoMfn;
            _vcpuInfoOffset[i] = SharedInfoLayout.VcpuInfo(i);
        }
    }

    public ulong Mfn { get; }

    public GuestWidth Width { get; }

    public SharedInfoLayout Layout { get; }

    public VcpuInfoLayout VcpuLayout { get; }

    /// <summary>Bits per word of the pending and mask arrays (and of evtchn_pending_sel).</summary>
    public int WordBits => Layout.EvtchnWordBytes * 8;

    public Span<byte> Page => _machine.Memory.Frame(Mfn);

    /// <summary>The 64 bytes of vCPU <paramref name="vcpu"/>'s vcpu_info.</summary>
    public Span<byte> VcpuInfo(int vcpu) => _machine.Memory.Frame(_vcpuInfoMfn[vcpu]).Slice(_vcpuInfoOffset[vcpu], VcpuInfoLayout.Size);

    /// <summary>True once the vCPU moved its vcpu_info out of shared_info.</summary>
    public bool IsVcpuInfoRegistered(int vcpu) => _vcpuInfoRegistered[vcpu];

    /// <summary>Moves vcpu_info to <paramref name="mfn"/>:<paramref name="offset"/>, copying the current contents.</summary>
    public void RegisterVcpuInfo(int vcpu, ulong mfn, int offset)
    {
        var old = VcpuInfo(vcpu).ToArray();
        _vcpuInfoMfn[vcpu] = mfn;
        _vcpuInfoOffset[vcpu] = offset;
        _vcpuInfoRegistered[vcpu] = true;
        old.CopyTo(VcpuInfo(vcpu));
    }

    public bool UpcallPending(int vcpu) => VcpuInfo(vcpu)[VcpuInfoLayout.EvtchnUpcallPending] != 0;

    public bool UpcallMasked(int vcpu) => VcpuInfo(vcpu)[VcpuInfoLayout.EvtchnUpcallMask] != 0;

    public void SetUpcallPending(int vcpu, bool value) => VcpuInfo(vcpu)[VcpuInfoLayout.EvtchnUpcallPending] = value ? (byte)1 : (byte)0;

    public void SetUpcallMask(int vcpu, bool masked) => VcpuInfo(vcpu)[VcpuInfoLayout.EvtchnUpcallMask] = masked ? (byte)1 : (byte)0;

    /// <summary>True when an upcall is pending and not masked: the event callback should run.</summary>
    public bool EventDeliverable(int vcpu) => UpcallPending(vcpu) && !UpcallMasked(vcpu);

    public bool TestBit(int arrayOffset, uint bit) => (Page[arrayOffset + (int)(bit >> 3)] & (1 << (int)(bit & 7))) != 0;

    /// <summary>Sets a bit and returns its previous value.</summary>
    public bool TestAndSetBit(int arrayOffset, uint bit)
    {
        ref byte b = ref Page[arrayOffset + (int)(bit >> 3)];
        bool was = (b & (1 << (int)(bit & 7))) != 0;
        b |= (byte)(1 << (int)(bit & 7));
        return was;
    }

    public void ClearBit(int arrayOffset, uint bit) => Page[arrayOffset + (int)(bit >> 3)] &= (byte)~(1 << (int)(bit & 7));

    /// <summary>Sets bit <paramref name="word"/> of vCPU <paramref name="vcpu"/>'s evtchn_pending_sel; returns its previous value.</summary>
    public bool TestAndSetPendingSel(int vcpu, int word)
    {
        var sel = VcpuInfo(vcpu)[VcpuLayout.EvtchnPendingSel..];
        ref byte b = ref sel[word >> 3];
        bool was = (b & (1 << (word & 7))) != 0;
        b |= (byte)(1 << (word & 7));
        return was;
    }

    /// <summary>Writes cr2 into vcpu_info.arch.cr2, as Xen does for every #PF it bounces.</summary>
    public void WriteCr2(int vcpu, ulong cr2)
    {
        var span = VcpuInfo(vcpu)[VcpuLayout.ArchCr2..];
        if (Width == GuestWidth.Bits64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span, cr2);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)cr2);
        }
    }
}
