using System.Globalization;
using System.Text;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// The test modes of the Debian user-space initramfs (guests/linux/test-modes.sh, chosen with
/// <c>actorvisor.test=MODE</c> on the kernel command line): their command lines, the files the
/// host puts on a disk for them, the files the disk mode writes and the bytes the net-b mode sends,
/// so a test computes on the host what the guest must have printed or written.
/// </summary>
public static class LinuxTestModes
{
    /// <summary>What every mode's command line starts with (hvc0 for the markers, no crypto self-tests).</summary>
    public const string BaseCommandLine = "console=hvc0 cryptomgr.notests";

    /// <summary>The guest memory the modes boot with: the 43 MB initramfs is unpacked into page cache beside the kernel.</summary>
    public const int MemoryMiB = 256;

    /// <summary>How many small files the disk mode writes into guest/small/.</summary>
    public const int SmallFiles = 64;

    /// <summary>The last number of guest/seq.txt (`seq 1 20000`).</summary>
    public const int SeqLast = 20000;

    /// <summary>How many copies of host/random.bin the disk mode writes into guest/big.bin.</summary>
    public const int BigCopies = 16;

    /// <summary>The port the net modes' file goes to, unless actorvisor.port says otherwise.</summary>
    public const int DefaultPort = 5001;

    /// <summary>The lines of `seq 1 COUNT` that net-b sends, unless actorvisor.count says otherwise.</summary>
    public const int DefaultCount = 100000;

    /// <summary>Loads xen-blkfront, xen-netfront and ext4 and checks their drivers registered; needs no back-end.</summary>
    public static string Modules() => $"{BaseCommandLine} actorvisor.test=modules";

    /// <summary>The disk mode on the block device <paramref name="disk"/> (xen-blkfront's first disk by default).</summary>
    public static string Disk(string disk = "/dev/xvda", int waitSeconds = 30) =>
        $"{BaseCommandLine} actorvisor.test=disk actorvisor.disk={disk} actorvisor.wait={waitSeconds.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The disk mode's checks on /dev/loop0 over <paramref name="image"/>, a file of the initramfs (no back-end).</summary>
    public static string Loop(string image = "/test/disk.img") => $"{BaseCommandLine} actorvisor.test=loop actorvisor.image={image}";

    /// <summary>
    /// A net mode: "net-a" receives the file, "net-b" sends it; <paramref name="address"/> is this
    /// domain's eth0 address with its prefix (10.0.0.1/24), <paramref name="peer"/> the other's address.
    /// </summary>
    public static string Net(string mode, string address, string peer, int count = DefaultCount, int waitSeconds = 30) =>
        $"{BaseCommandLine} actorvisor.test={mode} actorvisor.ip={address} actorvisor.peer={peer} actorvisor.port={DefaultPort.ToString(CultureInfo.InvariantCulture)} " +
        $"actorvisor.count={count.ToString(CultureInfo.InvariantCulture)} actorvisor.wait={waitSeconds.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The mode's verdict: "PASS", "FAIL reason", or null when the guest never printed one.</summary>
    public static string? Result(IEnumerable<string> console, string mode)
    {
        string marker = $"actorvisor-test: result {mode} ";
        return console.Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(marker, StringComparison.Ordinal)).Select(l => l[marker.Length..]).LastOrDefault();
    }

    /// <summary>The files a disk for the disk mode holds: a random host/random.bin (its copies are what the guest writes) and a few more.</summary>
    public static Dictionary<string, byte[]> HostFiles(int seed, int randomBytes = 256 * 1024)
    {
        var random = new Random(seed);
        var bytes = new byte[randomBytes];
        random.NextBytes(bytes);
        var text = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            text.Append("line ").Append(i).Append(' ').Append(random.Next()).Append('\n');
        }

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["host/random.bin"] = bytes,
            ["host/text.txt"] = Encoding.ASCII.GetBytes(text.ToString()),
            ["host/dir/nested/empty"] = [],
            ["host/dir/nested/odd-size.bin"] = bytes.AsSpan(0, 4097).ToArray(),
        };
    }

    /// <summary>
    /// What the disk mode writes into guest/ (see write_guest_files in test-modes.sh), given the
    /// disk's host/random.bin, without the guest's manifest of them.
    /// </summary>
    public static Dictionary<string, byte[]> GuestFiles(byte[] hostRandom)
    {
        ArgumentNullException.ThrowIfNull(hostRandom);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["guest/seq.txt"] = Seq(SeqLast) };
        for (int i = 0; i < SmallFiles; i++)
        {
            files[$"guest/small/{i.ToString(CultureInfo.InvariantCulture)}"] = Encoding.ASCII.GetBytes($"file {i.ToString(CultureInfo.InvariantCulture)}\n");
        }

        files["guest/copy.bin"] = hostRandom;
        var big = new byte[hostRandom.Length * BigCopies];
        for (int i = 0; i < BigCopies; i++)
        {
            hostRandom.CopyTo(big, i * hostRandom.Length);
        }

        files["guest/big.bin"] = big;
        return files;
    }

    /// <summary>The output of busybox's `seq 1 LAST`: the numbers one to a line.</summary>
    public static byte[] Seq(int last)
    {
        var text = new StringBuilder();
        for (int i = 1; i <= last; i++)
        {
            text.Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
