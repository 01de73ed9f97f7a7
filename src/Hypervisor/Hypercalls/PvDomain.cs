using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Events;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>
/// A running PV domain as the hypercall layer sees it: its memory state, event channels, grant
/// table, shared_info, console output, shutdown state and vCPUs. Created from a built domain.
/// </summary>
public sealed class PvDomain
{
    private readonly StringBuilder _consoleLine = new();
    private readonly Dictionary<int, long> _unknownHypercalls = [];

    public PvDomain(Machine machine, BuiltDomain built, Func<DomId, PvDomain?> directory, Func<ulong> systemTimeNs)
    {
        Machine = machine;
        Built = built;
        Memory = built.Memory;
        Directory = directory;
        SystemTimeNs = systemTimeNs;
        Shared = new SharedInfoPage(machine.Memory, built.SharedInfoMfn, Width);
        Events = new EventChannelTable(Id, Shared, vcpuCount: 1, Memory.IsPrivileged, d => directory(d)?.Events);
        Grants = new GrantTable(machine, Memory, d => directory(d)?.Grants);
        CurrentPages = built.Config.MemoryPages;
        MaxPages = built.Config.MemoryPages;
        Vcpus = [new PvVcpu(this, 0, built.Vcpu0Mmu)];
    }

    public Machine Machine { get; }

    public BuiltDomain Built { get; }

    public PvDomainMemory Memory { get; }

    public DomId Id => Memory.Id;

    public GuestWidth Width => Memory.Width;

    public Func<DomId, PvDomain?> Directory { get; }

    /// <summary>The virtual system time in ns, the clock of vcpu_time_info and of timers.</summary>
    public Func<ulong> SystemTimeNs { get; }

    public SharedInfoPage Shared { get; }

    public EventChannelTable Events { get; }

    public GrantTable Grants { get; }

    public IReadOnlyList<PvVcpu> Vcpus { get; }

    public ulong CurrentPages { get; }

    public ulong MaxPages { get; }

    /// <summary>Set once the domain has shut down, with the reason it gave.</summary>
    public ShutdownReason? Shutdown { get; private set; }

    /// <summary>The reason recorded by SCHEDOP_shutdown_code, if any.</summary>
    public ShutdownReason? ShutdownCode { get; set; }

    /// <summary>Raised with each complete line the guest writes through console_io.</summary>
    public event Action<PvDomain, string>? ConsoleLine;

    /// <summary>How many times each unimplemented hypercall number was called.</summary>
    public IReadOnlyDictionary<int, long> UnknownHypercalls => _unknownHypercalls;

    /// <summary>Every complete console line so far.</summary>
    public List<string> ConsoleLines { get; } = [];

    public void ShutDown(ShutdownReason reason) => Shutdown ??= reason;

    internal void CountUnknown(ulong number)
    {
        int key = number > int.MaxValue ? int.MaxValue : (int)number;
        _unknownHypercalls[key] = _unknownHypercalls.GetValueOrDefault(key) + 1;
    }

    /// <summary>Appends console_io bytes, keeping printable characters and emitting whole lines.</summary>
    internal void WriteConsole(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                var line = _consoleLine.ToString();
                _consoleLine.Clear();
                ConsoleLines.Add(line);
                ConsoleLine?.Invoke(this, line);
            }
            else if (b == (byte)'\t' || (b >= 0x20 && b < 0x7F))
            {
                _consoleLine.Append((char)b);
            }
        }
    }
}
