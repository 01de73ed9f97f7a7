namespace ActorVisor.Cpu;

/// <summary>
/// The hypervisor's side of the CPU: every event a hypervisor may want to intercept, and the
/// services the CPU cannot answer alone (CPUID, TSC, unknown MSRs, port I/O). The CPU calls these
/// only on rare instructions and events, never on the per-instruction fast path.
/// </summary>
public interface ICpuSink
{
    /// <summary>
    /// Offers an event to the hypervisor before the CPU acts on it. When the sink is called, RIP holds
    /// the address of the instruction that caused the event (for a trap-like event as well, so that the
    /// sink can see it; <see cref="CpuEvent.InstructionLength"/> tells how far to skip).
    /// </summary>
    EventDisposition OnEvent(X86Cpu cpu, in CpuEvent cpuEvent);

    /// <summary>Answers CPUID for a leaf and subleaf (ECX).</summary>
    CpuidResult Cpuid(uint leaf, uint subleaf);

    /// <summary>Returns the time stamp counter the guest should read now.</summary>
    ulong ReadTsc();

    /// <summary>Reads a model-specific register the CPU does not keep itself; false raises #GP(0).</summary>
    bool TryReadMsr(uint index, out ulong value);

    /// <summary>Writes a model-specific register the CPU does not keep itself; false raises #GP(0).</summary>
    bool TryWriteMsr(uint index, ulong value);

    /// <summary>Reads an I/O port of 1, 2 or 4 bytes, after the CPU's own IOPL check passed.</summary>
    uint In(ushort port, int sizeBytes);

    /// <summary>Writes an I/O port of 1, 2 or 4 bytes, after the CPU's own IOPL check passed.</summary>
    void Out(ushort port, int sizeBytes, uint value);
}

/// <summary>What the CPU does after the sink has seen an event.</summary>
public enum EventDisposition
{
    /// <summary>The CPU performs the architectural behaviour itself (IDT delivery, SYSCALL through LSTAR, halting).</summary>
    Native,

    /// <summary>The sink has handled the event and possibly changed the state; execution continues from it.</summary>
    Handled,

    /// <summary>The sink has handled the event; Run returns with <see cref="StopReason.SinkRequested"/>.</summary>
    Stop,
}

/// <summary>The four registers CPUID returns.</summary>
public readonly record struct CpuidResult(uint Eax, uint Ebx, uint Ecx, uint Edx);
