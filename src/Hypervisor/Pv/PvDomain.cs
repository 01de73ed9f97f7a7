using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Memory;
using ActorVisor.Hypervisor.Pv.Events;
using ActorVisor.Hypervisor.Pv.Time;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// A running PV domain: the built memory, its vCPUs, event channels, virtual clock and the state
/// hypercalls change that is shared by all vCPUs (VM assists, shutdown). It is driven directly on
/// one thread: whoever calls <see cref="PvVcpu.RunSlice"/> also owns this object.
/// </summary>
public sealed class PvDomain
{
    private readonly long[] _hypercallCounts = new long[64];
    private readonly Dictionary<int, long> _unimplemented = [];
    private readonly List<PvVcpu> _vcpus = [];

    public PvDomain(Machine machine, BuiltDomain built, PvDomainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(built);
        options ??= new PvDomainOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VcpuCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.VcpuCount, SharedInfoLayout.LegacyVcpuSlots);
        Machine = machine;
        Built = built;
        Options = options;
        Mmu = new MmuOperations(machine);
        Reservation = new DomainReservation(machine, built.Config.Id, built.Config.MemoryPages);
        Clock = new VirtualClock(options.NanosecondsPerInstruction, options.WallclockAtZeroNs);
        SharedInfo = new SharedInfoPage(machine, built.SharedInfoMfn, built.Image.Width, options.VcpuCount);
        Events = new EventChannels(SharedInfo, built.Config.Id, options.VcpuCount);
        Events.BindHostBackend(built.Config.StoreEvtchn, DomId.Dom0);
        Events.BindHostBackend(built.Config.ConsoleEvtchn, DomId.Dom0);
        Events.Peers = d => Peers(d)?.Events;
        Grants = new GrantTable(machine, built.Memory, d => Peers(d)?.Grants);
        if (built.Image.Width == GuestWidth.Bits32Pae)
        {
            VmAssists |= 1u << VmAssist.TypePaeExtendedCr3;
        }

        WriteWallclock();
        for (int i = 0; i < options.VcpuCount; i++)
        {
            _vcpus.Add(new PvVcpu(this, i, i == 0 ? built.Vcpu0 : null, i == 0 ? built.Vcpu0Mmu : new PvVcpuMmu()));
        }
    }

    public Machine Machine { get; }

    public BuiltDomain Built { get; }

    public PvDomainOptions Options { get; }

    public DomId Id => Built.Config.Id;

    public GuestWidth Width => Built.Image.Width;

    public PvDomainMemory Memory => Built.Memory;

    public MmuOperations Mmu { get; }

    /// <summary>How many frames the domain holds and may hold (memory_op reservations).</summary>
    public DomainReservation Reservation { get; }

    public VirtualClock Clock { get; }

    public SharedInfoPage SharedInfo { get; }

    public EventChannels Events { get; }

    /// <summary>This domain's grant table (grant_table_op).</summary>
    public GrantTable Grants { get; }

    /// <summary>
    /// Finds another running domain by id, for event channels and grant operations that name a peer. A domain on its
    /// own sees no peers; whoever runs several domains on one machine sets this.
    /// </summary>
    public Func<DomId, PvDomain?> Peers { get; set; } = _ => null;

    public IReadOnlyList<PvVcpu> Vcpus => _vcpus;

    /// <summary>Enabled VM assists, one bit per VMASST_TYPE_*.</summary>
    public uint VmAssists { get; set; }

    /// <summary>True when writes to read-only L1 page tables are emulated: the assist is on or the kernel requires the feature.</summary>
    public bool EmulatesPageTableWrites =>
        (VmAssists & (1u << VmAssist.TypeWritablePagetables)) != 0
        || (Built.Image.Info.Features?.Contains("writable_page_tables", StringComparison.Ordinal) ?? false);

    /// <summary>The reason the domain shut down, once it has.</summary>
    public ShutdownReason? ShutdownReason { get; private set; }

    /// <summary>The reason recorded with SCHEDOP_shutdown_code, if any.</summary>
    public ShutdownReason? ShutdownCode { get; set; }

    /// <summary>Why the hypervisor crashed the domain, when it did (rather than the guest asking).</summary>
    public string? CrashDetail { get; private set; }

    /// <summary>Receives console_io writes (CONSOLEIO_write), already decoded as text.</summary>
    public Action<string>? ConsoleWrite { get; set; }

    /// <summary>Receives every hypercall when set (the <c>--trace</c> view).</summary>
    public Action<HypercallTraceEntry>? Trace { get; set; }

    /// <summary>Receives one line per noteworthy guest event (unimplemented instructions, crashes).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>
    /// Told when VCPUOP_up brings a vCPU online, so that whoever schedules the vCPUs gives it slices
    /// from then on (an offline vCPU's slices end at once with <see cref="SliceOutcome.Offline"/>).
    /// </summary>
    public Action<PvVcpu>? VcpuCameUp { get; set; }

    internal void NotifyVcpuUp(PvVcpu vcpu) => VcpuCameUp?.Invoke(vcpu);

    /// <summary>How often each hypercall number was made.</summary>
    public long HypercallCount(int number) => number >= 0 && number < _hypercallCounts.Length ? _hypercallCounts[number] : 0;

    /// <summary>
    /// Hypercalls answered with -ENOSYS, with how often each was made. A key below 256 is a hypercall
    /// number; an unknown sub-command of a known hypercall is counted under (number &lt;&lt; 8) | command.
    /// </summary>
    public IReadOnlyDictionary<int, long> UnimplementedHypercalls => _unimplemented;

    internal void CountHypercall(int number)
    {
        if ((uint)number < (uint)_hypercallCounts.Length)
        {
            _hypercallCounts[number]++;
        }
    }

    internal void CountUnimplemented(int number) => _unimplemented[number] = _unimplemented.GetValueOrDefault(number) + 1;

    /// <summary>Records a shutdown the guest asked for; the first reason wins.</summary>
    internal void RequestShutdown(ShutdownReason reason) => ShutdownReason ??= reason;

    /// <summary>Crashes the domain for something it did that Xen answers with domain_crash.</summary>
    internal void Crash(string detail)
    {
        CrashDetail ??= detail;
        ShutdownReason ??= Abi.ShutdownReason.Crash;
        Log?.Invoke($"domain {Id} crashed: {detail}");
    }

    private void WriteWallclock()
    {
        var page = SharedInfo.Page;
        var layout = SharedInfo.Layout;
        long wc = Clock.WallclockAtZeroNs;
        ulong seconds = (ulong)(wc / 1_000_000_000);
        uint nanoseconds = (uint)(wc % 1_000_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(page[layout.WcVersion..], 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(page[layout.WcSec..], (uint)seconds);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(page[layout.WcNsec..], nanoseconds);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(page[layout.WcSecHi..], (uint)(seconds >> 32));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(page[layout.WcVersion..], 2);
    }
}
