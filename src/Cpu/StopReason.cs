namespace ActorVisor.Cpu;

/// <summary>Why <see cref="X86Cpu.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>The instruction budget was spent.</summary>
    BudgetExhausted,

    /// <summary>The CPU executed HLT natively and waits for an interrupt.</summary>
    Halted,

    /// <summary>The sink answered an event with <see cref="EventDisposition.Stop"/>.</summary>
    SinkRequested,

    /// <summary>An exception could not be delivered natively (triple fault or a broken IDT); the details name it.</summary>
    Shutdown,

    /// <summary>An access reached a machine frame that does not exist; the details give the address.</summary>
    MissingFrame,

    /// <summary>The host asked the CPU to stop (<see cref="X86Cpu.RequestStop"/>).</summary>
    StopRequested,
}

/// <summary>The outcome of one <see cref="X86Cpu.Run"/>: why it stopped, how many instructions retired, and details.</summary>
public readonly record struct RunResult(StopReason Reason, long Retired, CpuEvent LastEvent, ulong Address);
