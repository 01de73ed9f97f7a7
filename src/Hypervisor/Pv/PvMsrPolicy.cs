using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The model-specific registers a PV guest kernel may read or write through Xen's emulation of
/// RDMSR and WRMSR, beyond the segment bases the vCPU keeps itself. Values are those of the
/// GenuineIntel CPU that <see cref="PvCpuidPolicy"/> describes, with Xen's adjustments: MISC_ENABLE
/// reports fast strings on, BTS and PEBS unavailable and xTPR disabled; FEATURE_CONTROL is locked with
/// VMX off; PAT holds Xen's fixed layout (WB, WT, UC-, UC, WC, WP, UC, UC); the microcode revision may
/// only be written with 0 (Intel's "write 0, then CPUID" sequence). Any other MSR is #GP(0), as in
/// Xen since 4.15, and writes that would change a value the guest cannot change are #GP(0) too,
/// except MISC_ENABLE, whose writes Xen drops.
/// </summary>
public static class PvMsrPolicy
{
    public const uint PlatformId = 0x17;
    public const uint FeatureControl = 0x3A;
    public const uint MicrocodeRevision = 0x8B;
    public const uint PlatformInfo = 0xCE;
    public const uint MiscFeaturesEnables = 0x140;
    public const uint MiscEnable = 0x1A0;
    public const uint Pat = 0x277;
    public const uint Efer = 0xC000_0080;

    /// <summary>Xen's PAT for PV guests: PA0..PA7 = WB, WT, UC-, UC, WC, WP, UC, UC.</summary>
    public const ulong XenPat = 0x0000_0501_0007_0406;

    /// <summary>MISC_ENABLE as a PV guest sees it: fast strings (bit 0), BTS unavailable (11), PEBS unavailable (12), xTPR disabled (23).</summary>
    public const ulong MiscEnableValue = (1ul << 0) | (1ul << 11) | (1ul << 12) | (1ul << 23);

    /// <summary>The microcode revision reported in bits 32-63 of IA32_BIOS_SIGN_ID.</summary>
    public const ulong MicrocodeRevisionValue = 0x2Eul << 32;

    /// <summary>FEATURE_CONTROL: locked (bit 0), VMX disabled both inside and outside SMX.</summary>
    public const ulong FeatureControlValue = 1;

    private const ulong EferSce = 1ul << 0;
    private const ulong EferLme = 1ul << 8;
    private const ulong EferLma = 1ul << 10;
    private const ulong EferNxe = 1ul << 11;

    /// <summary>Reads an MSR of the policy; false means #GP(0).</summary>
    public static bool TryRead(uint index, GuestWidth width, out ulong value)
    {
        value = index switch
        {
            PlatformId => 0,
            FeatureControl => FeatureControlValue,
            MicrocodeRevision => MicrocodeRevisionValue,
            PlatformInfo => 0,
            MiscFeaturesEnables => 0,
            MiscEnable => MiscEnableValue,
            Pat => XenPat,
            Efer => width == GuestWidth.Bits64 ? EferSce | EferLme | EferLma | EferNxe : EferSce | EferNxe,
            _ => 0,
        };
        return index is PlatformId or FeatureControl or MicrocodeRevision or PlatformInfo or MiscFeaturesEnables
            or MiscEnable or Pat or Efer;
    }

    /// <summary>Writes an MSR of the policy (the write changes nothing the guest can observe); false means #GP(0).</summary>
    public static bool TryWrite(uint index, ulong value, GuestWidth width) => index switch
    {
        MicrocodeRevision => value == 0,
        MiscFeaturesEnables => value == 0,
        MiscEnable => true,
        Pat => value == XenPat,
        Efer => TryRead(Efer, width, out var efer) && value == efer,
        _ => false,
    };
}
