using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorVisor.Host.Boot;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// One boot of Debian's kernel (guests/linux/build/vmlinuz-6.1.0-amd64) into the Debian user-space
/// initramfs (guests/linux/build/userspace.cpio, with its Xen I/O modules and test modes) under
/// <c>actorvisor boot</c>'s runner, optionally with a second newc archive appended (the kernel
/// unpacks concatenated archives in turn). Each console line is kept with the host time at which it
/// arrived (for the figures only; nothing is asserted on host time).
/// </summary>
public sealed partial class LinuxModeBoot
{
    private LinuxModeBoot(BootResult result, IReadOnlyList<(string Line, long HostMs)> timed)
    {
        Result = result;
        Timed = timed;
    }

    public static string BuildDirectory => Path.Combine(Repository.Root, "guests", "linux", "build");

    public static string KernelPath => Path.Combine(BuildDirectory, "vmlinuz-6.1.0-amd64");

    public static string UserSpacePath => Path.Combine(BuildDirectory, "userspace.cpio");

    public BootResult Result { get; }

    public IReadOnlyList<string> Console => Result.ConsoleLines;

    public IReadOnlyList<(string Line, long HostMs)> Timed { get; }

    /// <summary>Boots with <paramref name="commandLine"/>; gives up after <paramref name="virtualSeconds"/> of virtual time.</summary>
    public static LinuxModeBoot Run(string commandLine, byte[]? extraArchive = null, int virtualSeconds = 60)
    {
        byte[] initrd = File.ReadAllBytes(UserSpacePath);
        if (extraArchive is not null)
        {
            initrd = [.. initrd, .. extraArchive];
        }

        var options = new BootOptions(File.ReadAllBytes(KernelPath), MemoryMiB: LinuxTestModes.MemoryMiB, CommandLine: commandLine,
            VirtualTimeout: TimeSpan.FromSeconds(virtualSeconds), Initrd: initrd);
        var timed = new List<(string, long)>();
        var clock = Stopwatch.StartNew();
        var result = PvBootRunner.Run(options, line => timed.Add((line, clock.ElapsedMilliseconds)));
        return new LinuxModeBoot(result, timed);
    }

    /// <summary>The kernel's timestamp (virtual seconds since boot) of the first console line that contains <paramref name="text"/> after a "[ seconds]" prefix.</summary>
    public double? KernelSeconds(string text)
    {
        foreach (var line in Console)
        {
            var match = TimestampPattern().Match(line);
            if (match.Success && line.Contains(text, StringComparison.Ordinal))
            {
                return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>The host milliseconds at which the first line containing <paramref name="text"/> arrived.</summary>
    public long? HostMs(string text) => Timed.Where(t => t.Line.Contains(text, StringComparison.Ordinal)).Select(t => (long?)t.HostMs).FirstOrDefault();

    /// <summary>The last <paramref name="count"/> console lines, for failure messages.</summary>
    public string Tail(int count = 40) => $"{Result.Status}: {Result.Detail}\n{string.Join('\n', Console.TakeLast(count))}";

    [GeneratedRegex(@"^\[\s*(\d+\.\d+)\]")]
    private static partial Regex TimestampPattern();
}

/// <summary>
/// A fact skipped, with the reason, when `make -C guests linux` could not provide the kernel or the
/// user-space initramfs. With <see cref="NeedsE2fsprogs"/> it also needs the host's e2fsprogs, and
/// without them fails (saying what to install) unless ACTORVISOR_OFFLINE=1 allows the skip.
/// </summary>
internal sealed class LinuxUserSpaceFactAttribute : FactAttribute
{
    private bool _needsE2fsprogs;

    public LinuxUserSpaceFactAttribute()
    {
        var missing = new[] { LinuxModeBoot.KernelPath, LinuxModeBoot.UserSpacePath }.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            Skip = $"{string.Join(", ", missing)} absent: `make -C guests linux` could not fetch Debian's kernel or packages (test.sh fails then unless ACTORVISOR_OFFLINE=1)";
        }
    }

    public bool NeedsE2fsprogs
    {
        get => _needsE2fsprogs;
        set
        {
            _needsE2fsprogs = value;
            var tools = Ext4Image.MissingTools();
            if (value && Skip is null && tools.Count > 0 && Environment.GetEnvironmentVariable("ACTORVISOR_OFFLINE") == "1")
            {
                Skip = $"{string.Join(", ", tools)} not installed (e2fsprogs) and ACTORVISOR_OFFLINE=1";
            }
        }
    }
}
