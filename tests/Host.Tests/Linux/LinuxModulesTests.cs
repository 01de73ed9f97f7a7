using ActorVisor.Host.Boot;
using Xunit.Abstractions;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// Debian's kernel loads its own xen-blkfront, xen-netfront and ext4 modules (with jbd2, mbcache,
/// crc16 and the crc32c providers ext4 asks for), from the initramfs, in the order computed from
/// modules.dep at build time: the module loader's relocations, vmalloc'd module memory with its
/// permissions and the signature check run on our CPU. No back-end is needed: the xenbus drivers
/// register and wait for devices.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class LinuxModulesTests(ITestOutputHelper output)
{
    private static readonly string[] Required = ["xen_blkfront", "xen_netfront", "jbd2", "mbcache", "crc16", "ext4"];

    [LinuxUserSpaceFact]
    public void Debian_kernel_insmods_its_xen_frontends_and_ext4_and_their_drivers_register()
    {
        var boot = LinuxModeBoot.Run(LinuxTestModes.Modules());
        var console = boot.Console;
        Report(boot);

        Assert.True(boot.Result.Status == BootStatus.PoweredOff, boot.Tail());
        Assert.Equal("PASS", LinuxTestModes.Result(console, "modules"));
        foreach (var module in Required)
        {
            Assert.Contains(console, l => l.Contains($"actorvisor-modules: insmod {module} ok", StringComparison.Ordinal));
            Assert.Contains(console, l => l.StartsWith($"actorvisor-test: lsmod {module} ", StringComparison.Ordinal));
        }

        // modules.dep: ext4 needs jbd2, mbcache and crc16, which must have been loaded first.
        int ext4 = Index(console, "actorvisor-modules: insmod ext4 ok");
        Assert.All(["jbd2", "mbcache", "crc16"], dependency => Assert.True(Index(console, $"actorvisor-modules: insmod {dependency} ok") < ext4, dependency));
        Assert.Contains(console, l => l.Contains("actorvisor-modules: end loaded=", StringComparison.Ordinal) && l.Contains(" failed=0 ", StringComparison.Ordinal));
        Assert.DoesNotContain(console, l => l.Contains("actorvisor-modules: insmod", StringComparison.Ordinal) && l.Contains("FAILED", StringComparison.Ordinal));
        Assert.Contains("actorvisor-test: driver vbd registered", console);
        Assert.Contains("actorvisor-test: driver vif registered", console);
        Assert.Contains("actorvisor-test: filesystem ext4 registered", console);
        Assert.Contains(console, l => l.StartsWith("actorvisor-test: crc32c crc32c-", StringComparison.Ordinal));
        Assert.Contains(console, l => l.Contains("xen_netfront: Initialising Xen virtual ethernet driver", StringComparison.Ordinal));
        Assert.DoesNotContain(console, l => l.Contains("Oops", StringComparison.Ordinal) || l.Contains("Kernel panic", StringComparison.Ordinal)
            || l.Contains("BUG:", StringComparison.Ordinal) || l.Contains("Unknown symbol", StringComparison.Ordinal));
    }

    private static int Index(IReadOnlyList<string> console, string text)
    {
        for (int i = 0; i < console.Count; i++)
        {
            if (console[i].Contains(text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    /// <summary>The figures of docs/perf/linux-modules.md: virtual time of the loads (1 ns per instruction plus idle) and host time.</summary>
    private void Report(LinuxModeBoot boot)
    {
        double? begin = boot.KernelSeconds("actorvisor-modules: begin");
        double? end = boot.KernelSeconds("actorvisor-modules: end");
        long idleNs = boot.Result.VirtualTimeNs - boot.Result.InstructionsRetired;
        output.WriteLine($"boot: {boot.Result.Status}, {boot.Result.InstructionsRetired:N0} instructions, {boot.Result.VirtualTimeNs:N0} ns virtual (idle {idleNs:N0} ns in the whole run)");
        if (begin is not null && end is not null)
        {
            output.WriteLine($"module loads: {begin:F6} s to {end:F6} s virtual = {(end - begin) * 1e9:N0} ns, i.e. instructions within {idleNs:N0}");
        }

        double previous = begin ?? 0;
        foreach (var line in boot.Console.Where(l => l.Contains("actorvisor-modules: insmod ", StringComparison.Ordinal)))
        {
            double at = boot.KernelSeconds(line[line.IndexOf("actorvisor-modules: insmod ", StringComparison.Ordinal)..]) ?? previous;
            output.WriteLine($"  {(at - previous) * 1e9,15:N0} ns  {line}");
            previous = at;
        }

        output.WriteLine($"host: begin at {boot.HostMs("actorvisor-modules: begin")} ms, end at {boot.HostMs("actorvisor-modules: end")} ms, power-off at {boot.Timed.LastOrDefault().HostMs} ms");
        foreach (var line in boot.Console.Where(l => l.Contains("actorvisor-", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
    }
}
