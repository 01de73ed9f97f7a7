using System.Diagnostics;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Debian's Linux kernel built into a domain on a fresh machine and run on vCPU 0, with the
/// console ring drained after every slice, until a console line appears, the domain ends or
/// blocks for good, or a virtual-time limit passes. Records the instructions retired and the host
/// time at which each expected line first appeared.
/// </summary>
internal sealed class LinuxBootRun : IDisposable
{
    private const long SliceInstructions = 200_000;

    private readonly StringBuilder _bootConsole = new();
    private readonly List<(string Line, long Instructions, long HostMs)> _reached = [];

    public LinuxBootRun(int memoryMiB, string commandLine, byte[]? module = null)
    {
        var image = XenElfLoader.Parse(File.ReadAllBytes(LinuxKernel.Path));
        Assert.True(image.Image is not null, image.Detail);
        Machine = Machine.WithMegabytes(memoryMiB + 8);
        var built = DomainBuilder.Build(Machine, image.Image!, DomainConfig.WithMegabytes(new DomId(1), memoryMiB, commandLine) with { Module = module });
        Assert.True(built.Succeeded, built.Detail);
        Built = built.Domain!;
        Domain = new PvDomain(Machine, Built, new StandaloneHost(console: text => _bootConsole.Append(text)));
        Ring = new ConsoleRingReader(Machine, Built.P2m[(int)Built.Layout.ConsolePfn]);
    }

    public Machine Machine { get; }

    public BuiltDomain Built { get; }

    public PvDomain Domain { get; }

    /// <summary>hvc0: what the guest wrote to its console ring.</summary>
    public ConsoleRingReader Ring { get; }

    /// <summary>Everything written with console_io (the earlyprintk=xen boot console).</summary>
    public string BootConsole => _bootConsole.ToString();

    /// <summary>Runs after every slice, once the console ring is drained (a back end's turn, e.g. XenStore).</summary>
    public Action? AfterSlice { get; set; }

    /// <summary>Each expected line reached, with the instructions retired and the host milliseconds when it first appeared.</summary>
    public IReadOnlyList<(string Line, long Instructions, long HostMs)> Reached => _reached;

    /// <summary>
    /// Runs until the last of <paramref name="expected"/> appears in <paramref name="console"/> (in order;
    /// with <paramref name="untilShutdown"/>, until the domain shuts down instead), the domain ends or
    /// blocks with nothing to wake it, or <paramref name="virtualLimitNs"/> passes.
    /// </summary>
    public SliceResult Run(IReadOnlyList<string> expected, Func<string> console, long virtualLimitNs, bool untilShutdown = false)
    {
        var vcpu = Domain.Vcpus[0];
        var stopwatch = Stopwatch.StartNew();
        int searchFrom = 0;
        int checkedLength = -1;
        while (true)
        {
            var result = vcpu.RunSlice(SliceInstructions);
            Ring.Drain();
            AfterSlice?.Invoke();
            string text = console();
            if (text.Length != checkedLength)
            {
                checkedLength = text.Length;
                int found;
                while (_reached.Count < expected.Count && (found = text.IndexOf(expected[_reached.Count], searchFrom, StringComparison.Ordinal)) >= 0)
                {
                    searchFrom = found + expected[_reached.Count].Length;
                    _reached.Add((expected[_reached.Count], vcpu.Cpu.RetiredInstructions, stopwatch.ElapsedMilliseconds));
                }
            }

            if ((_reached.Count == expected.Count && !untilShutdown)
                || result.Outcome is SliceOutcome.ShutDown or SliceOutcome.Crashed or SliceOutcome.Offline
                || Domain.Clock.NowNs >= virtualLimitNs)
            {
                return result;
            }

            if (result.Outcome == SliceOutcome.Blocked && vcpu.IsBlocked && !vcpu.IdleToNextDeadline())
            {
                return result;
            }
        }
    }

    /// <summary>The expected lines reached, one per line with their instruction count and host time (for the test output).</summary>
    public string Report() => string.Join('\n', _reached.Select(r => $"{r.Instructions,14:N0} instructions {r.HostMs,8:N0} ms  {r.Line}"));

    /// <summary>The last few thousand characters of <paramref name="text"/>, for failure messages.</summary>
    public static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];

    public void Dispose() => Machine.Dispose();
}
