using ActorVisor.Abi;
using ActorVisor.Config.Domain;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Domains;

/// <summary>
/// A built PV domain with its own machine memory and console back-end: what a DomainActor owns.
/// Building refuses a bad kernel or configuration with a reason, never an exception.
/// </summary>
public sealed class LiveDomain : IDisposable
{
    /// <summary>Machine frames beyond the domain's own: frame 0, shared_info, and room for hypervisor pages.</summary>
    private const int MachineOverheadMiB = 4;

    private readonly Machine _machine;
    private readonly Lock _gate = new();
    private readonly Lock _sliceLock = new();
    private int _slicesRunning;
    private bool _disposeRequested;
    private bool _disposed;
    private List<Action>? _deferred;

    private LiveDomain(Machine machine, PvDomain domain, GuestConsole console)
    {
        _machine = machine;
        Domain = domain;
        Console = console;
    }

    /// <summary>Raised once, when the domain's machine memory has been freed.</summary>
    public event Action? Disposed;

    /// <summary>Bytes of machine memory this domain holds: its own pages and the hypervisor's frames beside them.</summary>
    public long MachineBytes => (long)_machine.Memory.SizeBytes;

    /// <summary>Frames of the domain's machine that are allocated (to the guest or to the hypervisor).</summary>
    public long FramesInUse => (long)_machine.Frames.FrameCount - _machine.Frames.FreeFrames;

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
    public static LiveDomain? TryBuild(DomainSpec spec, ReadOnlyMemory<byte> kernel, int id, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error, byte[]? module = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Type != DomainType.Pv)
        {
            error = $"only PV domains run, {spec.Name} is {spec.Type}";
            return null;
        }

        return TryBuild(kernel, id, (int)(spec.MemoryBytes >> 20), spec.Vcpus, spec.Cmdline, nanosecondsPerInstruction, seed, console, out error, module);
    }

    /// <summary>Builds PV domain <paramref name="id"/> from a kernel image, or returns null with the reason.</summary>
    /// <param name="module">A boot module (initrd) placed after the kernel, or null.</param>
    public static LiveDomain? TryBuild(ReadOnlyMemory<byte> kernel, int id, int memoryMiB, int vcpus, string commandLine, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error, byte[]? module = null)
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

        var machine = Machine.WithMegabytes(memoryMiB + MachineOverheadMiB);
        var built = DomainBuilder.Build(machine, parsed.Image!, DomainConfig.WithMegabytes(new DomId((ushort)id), memoryMiB, commandLine) with { Module = module });
        if (!built.Succeeded)
        {
            machine.Dispose();
            error = $"domain refused: {built.Error}: {built.Detail}";
            return null;
        }

        var wallclock = (1_767_225_600L + (seed % 1_000_000)) * 1_000_000_000L;
        var domain = new PvDomain(machine, built.Domain!, new PvDomainOptions(vcpus, nanosecondsPerInstruction, wallclock));
        return new LiveDomain(machine, domain, new GuestConsole(machine, built.Domain!, domain, console));
    }

    /// <summary>
    /// Appends words to the command line in start_info, as the domain builder would have written
    /// them; only before the domain first runs. False when the line would not fit.
    /// </summary>
    public bool TryAppendCommandLine(string words)
    {
        var built = Domain.Built;
        var layout = StartInfoLayout.For(Domain.Width);
        ulong mfn = built.P2m[(int)built.Layout.PfnOf(built.Layout.StartInfoVa)];
        var line = _machine.Memory.Frame(mfn).Slice(layout.CmdLine, StartInfoLayout.CmdLineLength);
        int end = line.IndexOf((byte)0);
        var bytes = System.Text.Encoding.ASCII.GetBytes(end > 0 ? " " + words : words);
        if (end < 0 || end + bytes.Length >= StartInfoLayout.CmdLineLength)
        {
            return false;
        }

        bytes.CopyTo(line[end..]);
        return true;
    }

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
        _machine.Dispose();
        Disposed?.Invoke();
    }
}
