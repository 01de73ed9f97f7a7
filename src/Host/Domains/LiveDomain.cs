using ActorVisor.Abi;
using ActorVisor.Config.Domain;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Domains;

/// <summary>
/// A built PV domain with its console back-end, on the host's machine (or, for <c>actorvisor boot</c>,
/// on a machine of its own): what a DomainActor owns. Building refuses a bad kernel or
/// configuration with a reason, never an exception. Disposing gives the domain's frames back to
/// the machine (<see cref="PvDomain.Relinquish"/>) once no slice of it runs.
/// </summary>
public sealed class LiveDomain : IDisposable
{
    /// <summary>Machine frames beyond the domain's own on a machine of its own: frame 0, the two M2Ps (12 bytes a frame, added per domain size), shared_info, and room for hypervisor pages.</summary>
    private const int MachineOverheadMiB = 4;

    private readonly Machine _machine;
    private readonly bool _ownsMachine;
    private readonly HostSeam _seam;
    private readonly Lock _gate = new();
    private readonly Lock _sliceLock = new();
    private int _slicesRunning;
    private bool _disposeRequested;
    private bool _disposed;
    private List<Action>? _deferred;
    private Action<int>? _wake;

    private LiveDomain(Machine machine, bool ownsMachine, HostSeam seam, PvDomain domain, GuestConsole console, long framesAtBuild)
    {
        _machine = machine;
        _ownsMachine = ownsMachine;
        _seam = seam;
        Domain = domain;
        Console = console;
        FramesInUse = framesAtBuild;
    }

    /// <summary>Raised once, when the domain's machine memory has been freed.</summary>
    public event Action? Disposed;

    /// <summary>Bytes of machine memory the domain held when it was built: its own pages and the hypervisor's frames for it.</summary>
    public long MachineBytes => FramesInUse * 4096;

    /// <summary>Frames the domain held when it was built (its own, and the hypervisor's pages for it).</summary>
    public long FramesInUse { get; }

    /// <summary>How many of the domain's frames another domain still held when it was freed (they are freed when it lets go).</summary>
    public int FramesHeldElsewhereAtFree { get; private set; }

    public PvDomain Domain { get; }

    public GuestConsole Console { get; }

    /// <summary>Hypercalls the guest made so far, all numbers together.</summary>
    public long Hypercalls
    {
        get
        {
            long total = 0;
            for (int n = 0; n < 64; n++)
            {
                total += Domain.HypercallCount(n);
            }

            return total;
        }
    }

    /// <summary>Builds domain <paramref name="id"/> from its spec and kernel, or returns null with the reason.</summary>
    /// <param name="module">The boot module (the spec's ramdisk, read by the caller), or null.</param>
    /// <param name="placement">Where the domain goes: the host's seam and machine, and the ports the toolstack allocates unbound; a machine of its own when null.</param>
    public static LiveDomain? TryBuild(DomainSpec spec, ReadOnlyMemory<byte> kernel, int id, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error, byte[]? module = null, DomainPlacement? placement = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Type != DomainType.Pv)
        {
            error = $"only PV domains run, {spec.Name} is {spec.Type}";
            return null;
        }

        return TryBuild(kernel, id, (int)(spec.MemoryBytes >> 20), spec.Vcpus, spec.Cmdline, nanosecondsPerInstruction, seed, console, out error, module, placement);
    }

    /// <summary>Builds PV domain <paramref name="id"/> from a kernel image, or returns null with the reason.</summary>
    /// <param name="module">A boot module (initrd) placed after the kernel, or null.</param>
    /// <param name="placement">Where the domain goes: the host's seam and machine, and the ports the toolstack allocates unbound; a machine of its own when null.</param>
    public static LiveDomain? TryBuild(ReadOnlyMemory<byte> kernel, int id, int memoryMiB, int vcpus, string commandLine, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error, byte[]? module = null, DomainPlacement? placement = null)
    {
        error = null;
        if (memoryMiB < 1 || vcpus < 1 || vcpus > SharedInfoLayout.LegacyVcpuSlots)
        {
            error = $"unsupported configuration: {memoryMiB} MiB, {vcpus} vCPUs";
            return null;
        }

        var parsed = XenElfLoader.Parse(kernel);
        if (!parsed.Succeeded)
        {
            error = $"kernel refused: {parsed.Error}: {parsed.Detail}";
            return null;
        }

        bool ownsMachine = placement?.Machine is null;
        var machine = placement?.Machine ?? Machine.WithMegabytes(memoryMiB + MachineOverheadMiB + (memoryMiB / 256));
        var seam = placement?.Seam ?? new HostSeam();
        var config = DomainConfig.WithMegabytes(new DomId((ushort)id), memoryMiB, commandLine) with { Module = module, UnboundPorts = placement?.UnboundPorts };
        var built = DomainBuilder.Build(machine, parsed.Image!, config);
        if (!built.Succeeded)
        {
            if (ownsMachine)
            {
                machine.Dispose();
            }

            error = $"domain refused: {built.Error}: {built.Detail}";
            return null;
        }

        var wallclock = (1_767_225_600L + (seed % 1_000_000)) * 1_000_000_000L;
        var domain = new PvDomain(machine, built.Domain!, seam, new PvDomainOptions(vcpus, nanosecondsPerInstruction, wallclock));
        var live = new LiveDomain(machine, ownsMachine, seam, domain, new GuestConsole(machine, built.Domain!, domain, console), CountFrames(domain));
        seam.Attach(live);
        return live;
    }

    /// <summary>
    /// Connects what wakes a vCPU of this domain when one of its events becomes deliverable or
    /// VCPUOP_up brings it online (the domain actor's message to the scheduler); once, before the
    /// domain first runs. It may be called on a physical-CPU thread.
    /// </summary>
    public void ConnectWake(Action<int> wake)
    {
        ArgumentNullException.ThrowIfNull(wake);
        if (Interlocked.CompareExchange(ref _wake, wake, null) is not null)
        {
            throw new InvalidOperationException($"the wake-up of {Domain.Id} is connected already");
        }
    }

    /// <summary>Wakes vCPU <paramref name="vcpu"/> through what <see cref="ConnectWake"/> connected (nothing before that).</summary>
    internal void Wake(int vcpu) => Volatile.Read(ref _wake)?.Invoke(vcpu);

    /// <summary>Marks a slice as running on some thread: the memory stays until it ends, even if the domain is disposed meanwhile.</summary>
    public bool TryBeginSlice()
    {
        lock (_gate)
        {
            if (_disposeRequested)
            {
                return false;
            }

            _slicesRunning++;
            return true;
        }
    }

    /// <summary>
    /// Runs one slice of one of the domain's vCPUs, never at the same time as a slice of another of
    /// its vCPUs: a <see cref="PvDomain"/> is driven by one thread at a time, so in parallel mode a
    /// second physical CPU that gets a vCPU of a domain already running elsewhere waits for it.
    /// </summary>
    public T RunSerialized<T>(Func<T> slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        lock (_sliceLock)
        {
            return slice();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the domain's state while none of its slices runs: now if
    /// none does, otherwise when the last running one ends (on that slice's thread). Nothing runs
    /// once the domain is being disposed.
    /// </summary>
    public void Exclusive(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            if (_disposeRequested)
            {
                return;
            }

            if (_slicesRunning == 0)
            {
                action();
                return;
            }

            (_deferred ??= []).Add(action);
        }
    }

    /// <summary>Ends a slice begun with <see cref="TryBeginSlice"/>; frees the memory if a dispose waited for it.</summary>
    public void EndSlice()
    {
        bool free;
        lock (_gate)
        {
            _slicesRunning--;
            if (_slicesRunning == 0 && !_disposeRequested && _deferred is { Count: > 0 } deferred)
            {
                foreach (var action in deferred)
                {
                    action();
                }

                deferred.Clear();
            }

            free = _disposeRequested && _slicesRunning == 0 && !_disposed;
            _disposed |= free;
        }

        if (free)
        {
            Free();
        }
    }

    /// <summary>Frees the machine memory now, or when the slice running on another thread ends.</summary>
    public void Dispose()
    {
        bool free;
        lock (_gate)
        {
            _disposeRequested = true;
            free = _slicesRunning == 0 && !_disposed;
            _disposed |= free;
        }

        if (free)
        {
            Free();
        }
    }

    private void Free()
    {
        _seam.Detach(this);
        if (_ownsMachine)
        {
            _machine.Dispose();
        }
        else
        {
            FramesHeldElsewhereAtFree = Domain.Relinquish().HeldElsewhere;
        }

        Disposed?.Invoke();
    }

    /// <summary>The frames the builder gave the domain: its pages, its shared_info and its vCPUs' GDT areas (four hypervisor frames each).</summary>
    private static long CountFrames(PvDomain domain) => (long)domain.Built.Config.MemoryPages + 1 + (domain.Vcpus.Count * 4);
}

/// <summary>Where a domain is built: the host's seam, the shared machine, and the event channel ports the toolstack allocates unbound at build.</summary>
/// <param name="Seam">The host seam the domain reports to and reaches its peers through.</param>
/// <param name="Machine">The host's machine, or null for a machine of the domain's own.</param>
/// <param name="UnboundPorts">Ports allocated unbound at build time, each for the domain that will bind it.</param>
public sealed record DomainPlacement(HostSeam Seam, Machine? Machine, IReadOnlyList<UnboundPort>? UnboundPorts = null);
