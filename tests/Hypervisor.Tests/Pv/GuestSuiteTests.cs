using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// Boots every test guest that `make -C guests` built, 64-bit and 32-bit PAE, on the software CPU
/// and checks what it reports: no FAIL line, at least one PASS line, and a poweroff.
/// </summary>
public class GuestSuiteTests
{
    /// <summary>
    /// Guests that wait for a XenStore back-end: Store/XenStoreGuestTests runs xenstore with one;
    /// the front-end guests look for their devices in XenStore (Host.Tests' FrontEndGuestTests).
    /// </summary>
    private static readonly HashSet<string> NeedsStoreBackend = ["xenstore", "disk", "netecho"];

    public static TheoryData<string, string> AllGuests()
    {
        var data = new TheoryData<string, string>();
        foreach (var arch in new[] { "x86_64", "x86_32" })
        {
            var directory = Path.Combine(GuestImages.Directory, arch);
            foreach (var file in Directory.GetFiles(directory, "*.elf").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (!NeedsStoreBackend.Contains(name))
                {
                    data.Add(arch, name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllGuests))]
    public void Every_built_guest_passes_its_checks_and_powers_off(string arch, string guest)
    {
        using var run = new GuestRun(arch, guest);

        var end = run.RunToEnd();

        var failures = run.Lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, $"{arch}/{guest} reported:\n{string.Join('\n', failures)}\n{run.Console}");
        Assert.Contains(run.Lines, l => l.StartsWith("PASS ", StringComparison.Ordinal));
        Assert.True(end.Outcome == SliceOutcome.ShutDown && end.Reason == ShutdownReason.Poweroff, $"{arch}/{guest} ended with {end}\n{run.Console}");
    }

    [Theory]
    [InlineData("x86_64", "hypercalls", 16)]
    [InlineData("x86_32", "hypercalls", 16)]
    [InlineData("x86_64", "pt_attack", 16)]
    [InlineData("x86_32", "pt_attack", 16)]
    [InlineData("x86_64", "m2p", 9)]
    [InlineData("x86_32", "m2p", 9)]
    public void The_suite_guests_report_every_check_they_make(string arch, string guest, int checks)
    {
        using var run = new GuestRun(arch, guest);

        run.RunToEnd();

        Assert.Equal(checks, run.Lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void An_unknown_hypercall_is_answered_with_enosys_and_counted(string arch)
    {
        using var run = new GuestRun(arch, "hypercalls");

        run.RunToEnd();

        Assert.Equal(1, run.Domain.UnimplementedHypercalls.GetValueOrDefault(43));
        Assert.Contains("PASS unknown_hypercall_is_enosys", run.Lines);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void Hypercalls_are_traced_with_their_arguments_and_results(string arch)
    {
        var trace = new List<HypercallTraceEntry>();
        using var run = new GuestRun(arch, "hello", trace: trace.Add);

        run.RunToEnd();

        Assert.Contains(trace, e => e.Name == "console_io" && e.Arguments[0] == 0 && e.Result == 0);
        Assert.Equal("sched_op", trace[^1].Name);
        Assert.Equal(2ul, trace[^1].Arguments[0]);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_must_refuse_page_table_attacks_leave_the_root_table_pinned_and_its_counts_unchanged(string arch)
    {
        using var run = new GuestRun(arch, "pt_attack");
        var rootMfn = run.Domain.Built.Vcpu0Mmu.KernelRootMfn;
        var before = run.Machine.Frames[rootMfn];

        run.RunToEnd();

        var after = run.Machine.Frames[rootMfn];
        Assert.True(after.IsPinned);
        Assert.Equal(before.Type, after.Type);
        Assert.Equal(before.TypeCount, after.TypeCount);
    }
}
