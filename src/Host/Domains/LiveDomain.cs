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

    private LiveDomain(Machine machine, PvDomain domain, GuestConsole console)
    {
        _machine = machine;
        Domain = domain;
        Console = console;
    }

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
    public static LiveDomain? TryBuild(DomainSpec spec, ReadOnlyMemory<byte> kernel, int id, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Type != DomainType.Pv)
        {
            error = $"only PV domains run, {spec.Name} is {spec.Type}";
            return null;
        }

        return TryBuild(kernel, id, (int)(spec.MemoryBytes >> 20), spec.Vcpus, spec.Cmdline, nanosecondsPerInstruction, seed, console, out error);
    }

    /// <summary>Builds PV domain <paramref name="id"/> from a kernel image, or returns null with the reason.</summary>
    public static LiveDomain? TryBuild(ReadOnlyMemory<byte> kernel, int id, int memoryMiB, int vcpus, string commandLine, double nanosecondsPerInstruction, long seed, Action<string> console, out string? error)
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
        var built = DomainBuilder.Build(machine, parsed.Image!, DomainConfig.WithMegabytes(new DomId((ushort)id), memoryMiB, commandLine));
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

    public void Dispose() => _machine.Dispose();
}
