using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// One boot of Debian's kernel into Debian's own user space (guests/linux/build/userspace.cpio:
/// busybox-static's shell as /init, glibc, bash, coreutils, gzip, Python 3.11), shared by the
/// tests of <see cref="DebianUserSpaceTests"/>. The test appends a second newc archive holding
/// /test: the script /init runs (<see cref="Script"/>) and inputs generated from a fixed seed
/// (a text of words, random bytes, a JSON document, the text compressed by .NET's zlib). Each
/// check prints one line "usertest: NAME VALUE" on hvc0; the tests compare the values with what
/// the same commands give on the host for the same files.
/// </summary>
public sealed class DebianUserSpaceBoot : IDisposable
{
    /// <summary>The guest's memory: the 40 MB archive is unpacked into page cache beside the kernel.</summary>
    public const int MemoryMiB = 256;

    public const string CommandLine = "console=hvc0 cryptomgr.notests";

    /// <summary>The dd slices: a block-aligned one (bs/skip/count) and a byte-granular one.</summary>
    public const int BlockSize = 512;
    public const int BlockSkip = 7;
    public const int BlockCount = 19;
    public const int ByteSkip = 12345;
    public const int ByteCount = 100;

    /// <summary>The lines that must appear on hvc0, in order; their instruction counts are the figures of the docs.</summary>
    public static readonly string[] Milestones =
    [
        "Run /init as init process",
        "actorvisor-userspace: busybox sh is running",
        "usertest: begin",
        "usertest: bash ",
        "usertest: gzip ",
        "usertest: python ",
        "usertest: end",
        "actorvisor-userspace: powering off",
    ];

    /// <summary>
    /// /test/run.sh, run by busybox's shell (applets by name, Debian's programs by path). Python runs
    /// with PYTHONHASHSEED=0: otherwise it reads /dev/urandom for its hash seed at startup, and with
    /// Linux's CRNG not yet initialised (a PV domain has no entropy source) the read runs the kernel's
    /// jitter-entropy loop, which with the instruction-derived TSC takes about 2 billion instructions
    /// before "crng init done" (docs/perf/linux-userspace.md).
    /// </summary>
    public static readonly string Script = $$"""
        echo "usertest: begin"
        square() { echo $(( $1 * $1 )); }
        sum=0
        i=1
        while [ $i -le 20 ]; do sum=$(( sum + $(square $i) )); i=$(( i + 1 )); done
        case "$sum" in 2870) shape=right ;; *) shape=wrong ;; esac
        echo "usertest: busybox-script $sum $shape $(echo one two three | wc -w) $(printf '%s' ab-cd | tr a-z A-Z)"
        echo "usertest: busybox-sha256 $(sha256sum input.txt | cut -d ' ' -f 1)"
        echo "usertest: loader $(/lib64/ld-linux-x86-64.so.2 --list /bin/bash | tr -s ' \t\n' ' ')"
        /bin/bash -c 'declare -A m=([x]=6 [y]=7); a=(1 2 3); echo "usertest: bash $(( m[x] * m[y] )) ${#a[@]} ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"'
        echo "usertest: sha256sum $(/usr/bin/sha256sum input.txt input.bin | tr -s ' \n' ' ')"
        echo "usertest: sort $(/usr/bin/sort input.txt | /usr/bin/sha256sum | cut -d ' ' -f 1)"
        echo "usertest: sort-unique-numeric $(/usr/bin/sort -u -n -k 2 -t , numbers.csv | /usr/bin/sha256sum | cut -d ' ' -f 1)"
        /bin/gzip -9 -n -c input.txt > /tmp/input.txt.gz
        echo "usertest: gzip $(/usr/bin/sha256sum /tmp/input.txt.gz | cut -d ' ' -f 1) $(/usr/bin/wc -c < /tmp/input.txt.gz)"
        echo "usertest: gunzip $(/bin/gzip -d -c /tmp/input.txt.gz | /usr/bin/sha256sum | cut -d ' ' -f 1)"
        echo "usertest: dd-blocks $(/bin/dd if=input.bin bs={{BlockSize}} skip={{BlockSkip}} count={{BlockCount}} status=none | /usr/bin/sha256sum | cut -d ' ' -f 1)"
        echo "usertest: dd-bytes $(/bin/dd if=input.bin bs=1 skip={{ByteSkip}} count={{ByteCount}} status=none | /usr/bin/base64 -w 0)"
        echo "usertest: python $(PYTHONHASHSEED=0 /usr/bin/python3 -c 'import hashlib, json, zlib; d = open("input.bin", "rb").read(); j = json.load(open("input.json")); print(json.dumps({"sha256": hashlib.sha256(d).hexdigest(), "crc32": zlib.crc32(d), "inflated": hashlib.sha256(zlib.decompress(open("input.z", "rb").read())).hexdigest(), "roundtrip": zlib.decompress(zlib.compress(d, 9)) == d, "sum": sum(x["n"] for x in j["items"]), "names": "".join(x["name"] for x in j["items"])}, sort_keys=True))')"
        echo "usertest: end"
        """;

    private readonly Lazy<Outcome> _outcome;

    public DebianUserSpaceBoot()
    {
        Inputs = UserSpaceInputs.Generate(seed: 20261203);
        _outcome = new Lazy<Outcome>(Boot);
    }

    public UserSpaceInputs Inputs { get; }

    /// <summary>The boot, run once on first use (so that a skipped class never boots).</summary>
    public Outcome Result => _outcome.Value;

    /// <summary>The value printed after "usertest: <paramref name="name"/> ", or null when the line is missing.</summary>
    public string? Value(string name)
    {
        string marker = $"usertest: {name} ";
        foreach (var line in Result.Console.Split('\n'))
        {
            string trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith(marker, StringComparison.Ordinal))
            {
                return trimmed[marker.Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>The whole initramfs: Debian's user space, then the archive with /test.</summary>
    public byte[] Initramfs()
    {
        var test = new NewcArchive()
            .AddDirectory("test")
            .AddFile("test/run.sh", Encoding.ASCII.GetBytes(Script.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n"))
            .AddFile("test/input.txt", Inputs.Text, 0x1A4)
            .AddFile("test/input.bin", Inputs.Binary, 0x1A4)
            .AddFile("test/numbers.csv", Inputs.Numbers, 0x1A4)
            .AddFile("test/input.json", Inputs.Json, 0x1A4)
            .AddFile("test/input.z", Inputs.TextZlib, 0x1A4)
            .ToArray();
        return [.. File.ReadAllBytes(LinuxKernel.UserSpacePath), .. test];
    }

    public void Dispose()
    {
    }

    private Outcome Boot()
    {
        using var run = new LinuxBootRun(MemoryMiB, CommandLine, Initramfs());
        var backend = run.ServeXenStore();
        var last = run.Run(Milestones, () => run.Ring.Text, virtualLimitNs: 20_000_000_000, untilShutdown: true);
        return new Outcome(run.Ring.Text, run.Reached.ToArray(), last.Outcome, run.Domain.ShutdownReason, run.Domain.CrashDetail,
            backend.Connection.ClosedBecause?.ToString(), run.Report());
    }

    /// <summary>What the boot left: the hvc0 text, the milestones reached and how the domain ended.</summary>
    public sealed record Outcome(
        string Console,
        IReadOnlyList<(string Line, long Instructions, long HostMs)> Reached,
        ActorVisor.Hypervisor.Pv.SliceOutcome LastSlice,
        ActorVisor.Abi.ShutdownReason? Shutdown,
        string? CrashDetail,
        string? StoreClosedBecause,
        string Report);
}

/// <summary>The generated inputs of the user-space checks; the same seed gives the same bytes.</summary>
public sealed record UserSpaceInputs(byte[] Text, byte[] Binary, byte[] Numbers, byte[] Json, byte[] TextZlib)
{
    private static readonly string[] Syllables = ["ka", "zu", "mi", "ro", "te", "an", "ol", "qui", "x", "pre", "st", "ing", "Ae", "0", "_", "é"];

    /// <summary>The sum and the concatenated names of the JSON document's items.</summary>
    public (long Sum, string Names) JsonFacts
    {
        get
        {
            var items = JsonNode.Parse(Json)!["items"]!.AsArray();
            return (items.Sum(i => (long)i!["n"]!), string.Concat(items.Select(i => (string)i!["name"]!)));
        }
    }

    public static UserSpaceInputs Generate(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int line = 0; line < 3000; line++)
        {
            int words = random.Next(0, 9);
            for (int w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    text.Append(random.Next(6) == 0 ? '\t' : ' ');
                }

                int syllables = random.Next(1, 5);
                for (int s = 0; s < syllables; s++)
                {
                    text.Append(Syllables[random.Next(Syllables.Length)]);
                }
            }

            text.Append('\n');
        }

        var binary = new byte[96 * 1024 + 333];
        random.NextBytes(binary);

        var numbers = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            numbers.Append("row").Append(i).Append(',').Append(random.Next(-500, 500)).Append(',').Append(random.Next(1000)).Append('\n');
        }

        var items = new JsonArray();
        for (int i = 0; i < 40; i++)
        {
            items.Add(new JsonObject { ["name"] = Syllables[random.Next(Syllables.Length)], ["n"] = random.Next(-100_000, 100_000) });
        }

        byte[] textBytes = Encoding.UTF8.GetBytes(text.ToString());
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(textBytes);
        }

        return new UserSpaceInputs(textBytes, binary, Encoding.ASCII.GetBytes(numbers.ToString()),
            JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["items"] = items }), compressed.ToArray());
    }
}
