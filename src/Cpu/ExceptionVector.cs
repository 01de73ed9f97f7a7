namespace ActorVisor.Cpu;

/// <summary>Architectural exception vectors.</summary>
public static class ExceptionVector
{
    public const byte DivideError = 0;
    public const byte Debug = 1;
    public const byte Nmi = 2;
    public const byte Breakpoint = 3;
    public const byte Overflow = 4;
    public const byte BoundRange = 5;
    public const byte InvalidOpcode = 6;
    public const byte DeviceNotAvailable = 7;
    public const byte DoubleFault = 8;
    public const byte InvalidTss = 10;
    public const byte SegmentNotPresent = 11;
    public const byte StackFault = 12;
    public const byte GeneralProtection = 13;
    public const byte PageFault = 14;
    public const byte FloatingPoint = 16;
    public const byte AlignmentCheck = 17;
    public const byte SimdFloatingPoint = 19;

    /// <summary>True for the vectors whose delivery pushes an error code.</summary>
    public static bool HasErrorCode(byte vector) =>
        vector is DoubleFault or InvalidTss or SegmentNotPresent or StackFault or GeneralProtection or PageFault or AlignmentCheck or 21 or 29 or 30;
}

/// <summary>Bits of the #PF error code.</summary>
[Flags]
public enum PageFaultErrorCode : uint
{
    None = 0,
    Present = 1,
    Write = 2,
    User = 4,
    ReservedBit = 8,
    InstructionFetch = 16,
}
