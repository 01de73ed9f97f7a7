namespace ActorVisor.Cpu;

/// <summary>The execution mode, derived from CR0.PE, EFER.LMA and the CS descriptor.</summary>
public enum CpuMode
{
    /// <summary>Real-address mode (CR0.PE clear); only used before a guest is set up.</summary>
    Real,

    /// <summary>Protected mode with a 16-bit code segment.</summary>
    Protected16,

    /// <summary>Protected mode with a 32-bit code segment (with or without PAE paging).</summary>
    Protected32,

    /// <summary>Long mode, compatibility sub-mode (32-bit code segment).</summary>
    Compatibility,

    /// <summary>Long mode, 64-bit code segment.</summary>
    Long64,
}
