namespace ActorVisor.Cpu.Tests.Support;

/// <summary>A sink that records every event and answers with a configurable disposition.</summary>
public sealed class TestSink : ICpuSink
{
    public List<CpuEvent> Events { get; } = [];

    /// <summary>Decides what to do with an event; by default exceptions stop the run and everything else is native.</summary>
    public Func<X86Cpu, CpuEvent, EventDisposition> Decide { get; set; } = (_, e) => e.Kind == CpuEventKind.Exception ? EventDisposition.Stop : EventDisposition.Native;

    public ulong Tsc { get; set; } = 1000;

    public Dictionary<uint, ulong> Msrs { get; } = [];

    public List<(ushort Port, int Size, uint Value)> Outs { get; } = [];

    public EventDisposition OnEvent(X86Cpu cpu, in CpuEvent cpuEvent)
    {
        Events.Add(cpuEvent);
        return Decide(cpu, cpuEvent);
    }

    public CpuidResult Cpuid(uint leaf, uint subleaf) => new(leaf + 1, subleaf + 2, 0x6c65746e, 0x49656e69);

    public ulong ReadTsc() => Tsc;

    public bool TryReadMsr(uint index, out ulong value) => Msrs.TryGetValue(index, out value);

    public bool TryWriteMsr(uint index, ulong value)
    {
        if (!Msrs.ContainsKey(index))
        {
            return false;
        }
        Msrs[index] = value;
        return true;
    }

    public uint In(ushort port, int sizeBytes) => 0x12345678u & (sizeBytes == 1 ? 0xFFu : sizeBytes == 2 ? 0xFFFFu : 0xFFFFFFFFu);

    public void Out(ushort port, int sizeBytes, uint value) => Outs.Add((port, sizeBytes, value));
}
