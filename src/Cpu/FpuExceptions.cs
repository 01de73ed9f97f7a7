namespace ActorVisor.Cpu;

/// <summary>
/// The six x87 exception conditions, in the bit positions of the status word's flags and the control
/// word's masks (IE 0, DE 1, ZE 2, OE 3, UE 4, PE 5), so a set of them can be ORed into the status word.
/// </summary>
[Flags]
internal enum FpuExceptions : ushort
{
    None = 0,
    Invalid = 1 << 0,
    Denormal = 1 << 1,
    ZeroDivide = 1 << 2,
    Overflow = 1 << 3,
    Underflow = 1 << 4,
    Precision = 1 << 5,
}
