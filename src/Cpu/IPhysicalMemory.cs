namespace ActorVisor.Cpu;

/// <summary>
/// Machine memory as the CPU sees it: 4 KiB frames reached through stable host pointers.
/// The CPU asks for a frame only on a TLB miss, a page walk or a decode, never per access on the fast
/// path, so an implementation may take a lock or a dictionary lookup here.
/// </summary>
public unsafe interface IPhysicalMemory
{
    /// <summary>
    /// Returns a host pointer to the 4096 bytes of machine frame <paramref name="frameNumber"/>, or null
    /// when no such frame exists. The pointer must stay valid until the owner calls
    /// <see cref="X86Cpu.FlushTlb"/> after removing the frame.
    /// </summary>
    byte* TryGetFrame(ulong frameNumber);
}
