namespace ActorVisor.Cpu;

/// <summary>
/// The whole architectural state of one CPU as a plain, versioned record: capture it with
/// <see cref="X86Cpu.Capture"/> and give it back to <see cref="X86Cpu.Restore"/> to continue exactly where
/// it stopped. It holds no references to memory, sinks or caches. Segment arrays are indexed in the
/// encoding order ES, CS, SS, DS, FS, GS; <see cref="Xmm"/> holds 16 registers as (low, high) pairs.
/// The x87 registers are in physical order (R0-R7, not ST(i)): <see cref="FpuMantissas"/> holds the 64-bit
/// significands and <see cref="FpuSignExponents"/> the sign-and-exponent words; TOP is in bits 11-13 of
/// <see cref="FpuStatus"/> and <see cref="FpuValid"/> has bit p set when register p is not empty.
/// Version 1 (before the x87) is still accepted by <see cref="X86Cpu.Restore"/>, with the x87 in its
/// FNINIT state.
/// </summary>
public sealed record CpuState
{
    /// <summary>The layout version; bump it whenever a field is added, removed or changes meaning.</summary>
    public const int CurrentVersion = 2;

    public int Version { get; init; } = CurrentVersion;
    public ulong[] Gprs { get; init; } = new ulong[16];
    public ulong Rip { get; init; }
    public ulong Rflags { get; init; } = 2;
    public SegmentState[] Segments { get; init; } = new SegmentState[6];
    public SegmentState Ldtr { get; init; }
    public SegmentState Tr { get; init; }
    public TableRegister Gdtr { get; init; }
    public TableRegister Idtr { get; init; }
    public ulong Cr0 { get; init; } = 0x60000010;
    public ulong Cr2 { get; init; }
    public ulong Cr3 { get; init; }
    public ulong Cr4 { get; init; }
    public ulong Cr8 { get; init; }
    public ulong Efer { get; init; }
    public ulong[] Dr { get; init; } = new ulong[8];
    public ulong FsBase { get; init; }
    public ulong GsBase { get; init; }
    public ulong KernelGsBase { get; init; }
    public ulong Star { get; init; }
    public ulong Lstar { get; init; }
    public ulong Cstar { get; init; }
    public ulong Sfmask { get; init; }
    public ulong SysenterCs { get; init; }
    public ulong SysenterEsp { get; init; }
    public ulong SysenterEip { get; init; }
    public ulong Tsc { get; init; }
    public ulong TscAux { get; init; }
    public ulong[] Xmm { get; init; } = new ulong[32];
    public uint Mxcsr { get; init; } = 0x1F80;
    public bool Halted { get; init; }
    public ushort FpuControl { get; init; } = 0x37F;
    public ushort FpuStatus { get; init; }
    public byte FpuValid { get; init; }
    public ulong[] FpuMantissas { get; init; } = new ulong[8];
    public ushort[] FpuSignExponents { get; init; } = new ushort[8];

    /// <summary>True when every field, including array contents, is equal.</summary>
    public bool Equals(CpuState? other) =>
        other is not null && Version == other.Version && Gprs.AsSpan().SequenceEqual(other.Gprs) && Rip == other.Rip && Rflags == other.Rflags
        && Segments.AsSpan().SequenceEqual(other.Segments) && Ldtr == other.Ldtr && Tr == other.Tr && Gdtr == other.Gdtr && Idtr == other.Idtr
        && Cr0 == other.Cr0 && Cr2 == other.Cr2 && Cr3 == other.Cr3 && Cr4 == other.Cr4 && Cr8 == other.Cr8 && Efer == other.Efer
        && Dr.AsSpan().SequenceEqual(other.Dr) && FsBase == other.FsBase && GsBase == other.GsBase && KernelGsBase == other.KernelGsBase
        && Star == other.Star && Lstar == other.Lstar && Cstar == other.Cstar && Sfmask == other.Sfmask && SysenterCs == other.SysenterCs
        && SysenterEsp == other.SysenterEsp && SysenterEip == other.SysenterEip && Tsc == other.Tsc && TscAux == other.TscAux
        && Xmm.AsSpan().SequenceEqual(other.Xmm) && Mxcsr == other.Mxcsr && Halted == other.Halted
        && FpuControl == other.FpuControl && FpuStatus == other.FpuStatus && FpuValid == other.FpuValid
        && FpuMantissas.AsSpan().SequenceEqual(other.FpuMantissas) && FpuSignExponents.AsSpan().SequenceEqual(other.FpuSignExponents);

    public override int GetHashCode() => HashCode.Combine(Rip, Rflags, Cr3, Gprs[0], Gprs[4]);
}
