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
/// one thread: whoever calls <see cref="PvVcpu.RunSlice"/> also owns this object. Everything the
/// domain tells its host and every effect it has on another domain goes through its
/// <see cref="IDomainHost"/> (<see cref="Host"/>).
/// </summary>
public sealed partial class PvDomain
{
    private readonly long[] _hypercallCounts = new long[64];
    private readonly Dictionary<int, long> _unimplemented = [];
    private readonly List<PvVcpu> _vcpus = [];

    public PvDomain(Machine machine, BuiltDomain built, IDomainHost host, PvDomainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(built);
        ArgumentNullException.ThrowIfNull(host);
        options ??= new PvDomainOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VcpuCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.VcpuCount, SharedInfoLayout.LegacyVcpuSlots);
        Machine = machine;
        Built = built;
        Options = options;
        Host = host;
        Mmu = new MmuOperations(machine);
        Reservation = new DomainReservation(machine, built.Config.Id, built.Config.MemoryPages);
        Clock = new VirtualClock(options.NanosecondsPerInstruction, options.WallclockAtZeroNs);
        SharedInfo = new SharedInfoPage(machine, built.SharedInfoMfn, built.Image.Width, options.VcpuCount);
        Events = new EventChannels(SharedInfo, built.Config.Id, options.VcpuCount, host);
        Events.BindHostBackend(built.Config.StoreEvtchn, DomId.Dom0);
        Events.BindHostBackend(built.Config.ConsoleEvtchn, DomId.Dom0);
        foreach (var unbound in built.Config.UnboundPorts ?? [])
        {
            if (Events.AllocUnboundAt(unbound.Port, unbound.RemoteDom) != EventChannelError.None)
            {
                throw new ArgumentException($"port {unbound.Port} of {built.Config.Id} cannot be allocated unbound for {unbound.RemoteDom}", nameof(built));
            }
        }

        Grants = new GrantTable(machine, built.Memory, d => host.FindPeer(d)?.Grants);
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

    /// <summary>
    /// Takes a page that <paramref name="sender"/> gave away with GNTTABOP_transfer, through this
    /// domain's grant entry <paramref name="gref"/>; the host calls it for the sender, holding the
    /// machine's frame lock (<see cref="IDomainHost.TransferPage"/>).
    /// </summary>
    public GrantStatus AcceptTransferredPage(DomId sender, uint gref, ulong mfn) => Grants.AcceptTransfer(sender, gref, mfn, Reservation);

    public VirtualClock Clock { get; }

    public SharedInfoPage SharedInfo { get; }

    public EventChannels Events { get; }

    /// <summary>This domain's grant table (grant_table_op).</summary>
    public GrantTable Grants { get; }

    /// <summary>The host this domain reports to and reaches other domains through.</summary>
    public IDomainHost Host { get; }

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

    /// <summary>
    /// Tells the host that VCPUOP_up brought a vCPU online, so that whoever schedules the vCPUs gives
    /// it slices from then on (an offline vCPU's slices end at once with <see cref="SliceOutcome.Offline"/>).
    /// </summary>
    internal void NotifyVcpuUp(PvVcpu vcpu) => Host.VcpuCameUp(Id, vcpu.Id);

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
        Host.Logged(Id, $"domain {Id} crashed: {detail}");
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
