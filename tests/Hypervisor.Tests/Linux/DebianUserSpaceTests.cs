using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ActorVisor.Abi;
using Xunit.Abstractions;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Debian's kernel boots into Debian's own user space (one boot, <see cref="DebianUserSpaceBoot"/>):
/// busybox-static's shell runs a script, bash and coreutils run dynamically linked through glibc's
/// loader, and sort, sha256sum, gzip -9 -n, dd and a Python one-liner (hashlib, json, zlib) print
/// what the host's own programs, or .NET, compute for the same generated files.
/// </summary>
[Collection(LinuxKernel.Collection)]
public class DebianUserSpaceTests(DebianUserSpaceBoot boot, ITestOutputHelper output) : IClassFixture<DebianUserSpaceBoot>
{
    [LinuxUserSpaceFact]
    public void Debian_busybox_init_runs_the_test_script_and_powers_the_domain_off()
    {
        var result = boot.Result;
        output.WriteLine(result.Report);
        var milestones = DebianUserSpaceBoot.Milestones;
        Assert.True(result.Reached.Count == milestones.Length,
            $"'{milestones[result.Reached.Count % milestones.Length]}' not reached; stopped with {result.LastSlice} ({result.CrashDetail}) after:\n{LinuxBootRun.Tail(result.Console)}");
        Assert.Equal(ShutdownReason.Poweroff, result.Shutdown);
        Assert.Null(result.StoreClosedBecause);
        Assert.Contains("actorvisor-userspace: /test/run.sh exited with 0", result.Console, StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel panic", result.Console, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid opcode", result.Console, StringComparison.Ordinal);
        Assert.DoesNotContain("general protection fault", result.Console, StringComparison.Ordinal);
        Assert.DoesNotContain("segfault", result.Console, StringComparison.Ordinal);
    }

    [LinuxUserSpaceFact]
    public void Busybox_shell_runs_functions_loops_case_and_pipes_of_its_applets()
    {
        Assert.Equal("2870 right 3 AB-CD", Required("busybox-script"));
        Assert.Equal(Hex(SHA256.HashData(boot.Inputs.Text)), Required("busybox-sha256"));
    }

    [LinuxUserSpaceFact]
    public void Bash_and_coreutils_run_dynamically_linked_through_glibc_loader()
    {
        string loader = Required("loader");
        Assert.Contains("libtinfo.so.6 => /lib/x86_64-linux-gnu/libtinfo.so.6", loader, StringComparison.Ordinal);
        Assert.Contains("libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6", loader, StringComparison.Ordinal);
        Assert.Contains("/lib64/ld-linux-x86-64.so.2", loader, StringComparison.Ordinal);
        Assert.Equal("42 3 5.2", Required("bash"));
    }

    [LinuxUserSpaceFact]
    public void Sha256sum_and_sort_print_what_the_host_prints_for_the_same_files()
    {
        using var files = new HostFiles(boot.Inputs);
        string host = Host("sha256sum", "input.txt", "input.bin");
        Assert.Equal(Normalise(host), Required("sha256sum"));
        Assert.Equal(Hex(SHA256.HashData(HostBytes(files, "sort", "input.txt"))), Required("sort"));
        Assert.Equal(Hex(SHA256.HashData(HostBytes(files, "sort", "-u", "-n", "-k", "2", "-t", ",", "numbers.csv"))), Required("sort-unique-numeric"));

        string Host(string command, params string[] arguments) => System.Text.Encoding.UTF8.GetString(HostBytes(files, command, arguments));
    }

    [LinuxUserSpaceFact]
    public void Gzip_9_gives_the_hosts_bytes_and_inflates_back()
    {
        using var files = new HostFiles(boot.Inputs);
        var gz = HostBytes(files, "gzip", "-9", "-n", "-c", "input.txt");
        Assert.Equal($"{Hex(SHA256.HashData(gz))} {gz.Length}", Required("gzip"));
        Assert.Equal(Hex(SHA256.HashData(boot.Inputs.Text)), Required("gunzip"));
    }

    [LinuxUserSpaceFact]
    public void Dd_slices_blocks_and_bytes_as_the_host_does()
    {
        using var files = new HostFiles(boot.Inputs);
        var blocks = HostBytes(files, "dd", "if=input.bin", $"bs={DebianUserSpaceBoot.BlockSize}", $"skip={DebianUserSpaceBoot.BlockSkip}", $"count={DebianUserSpaceBoot.BlockCount}", "status=none");
        var bytes = HostBytes(files, "dd", "if=input.bin", "bs=1", $"skip={DebianUserSpaceBoot.ByteSkip}", $"count={DebianUserSpaceBoot.ByteCount}", "status=none");
        Assert.Equal(boot.Inputs.Binary.AsSpan(DebianUserSpaceBoot.BlockSize * DebianUserSpaceBoot.BlockSkip, DebianUserSpaceBoot.BlockSize * DebianUserSpaceBoot.BlockCount).ToArray(), blocks);
        Assert.Equal(Hex(SHA256.HashData(blocks)), Required("dd-blocks"));
        Assert.Equal(Convert.ToBase64String(bytes), Required("dd-bytes"));
    }

    [LinuxUserSpaceFact]
    public void Python_hashlib_json_and_zlib_give_the_answer_computed_on_the_host()
    {
        var printed = JsonNode.Parse(Required("python"))!.AsObject();
        var inputs = boot.Inputs;
        var (sum, names) = inputs.JsonFacts;
        Assert.Equal(Hex(SHA256.HashData(inputs.Binary)), (string)printed["sha256"]!);
        Assert.Equal(Crc32(inputs.Binary), (uint)printed["crc32"]!);
        Assert.Equal(Hex(SHA256.HashData(inputs.Text)), (string)printed["inflated"]!);
        Assert.True((bool)printed["roundtrip"]!);
        Assert.Equal(sum, (long)printed["sum"]!);
        Assert.Equal(names, (string)printed["names"]!);
    }

    private string Required(string name) =>
        boot.Value(name) ?? throw new Xunit.Sdk.XunitException($"no 'usertest: {name}' line on the console; it ends:\n{LinuxBootRun.Tail(boot.Result.Console)}");

    private static string Hex(byte[] digest) => Convert.ToHexStringLower(digest);

    /// <summary>Whitespace runs folded to one space, as the guest's <c>tr -s</c> does.</summary>
    private static string Normalise(string text) => string.Join(' ', text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial and final inversion).</summary>
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>Runs a host program in the folder of the inputs with LC_ALL=C and returns what it wrote to stdout.</summary>
    private static byte[] HostBytes(HostFiles files, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = files.Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"host `{command} {string.Join(' ', arguments)}` exited with {process.ExitCode}: {error.Result}");
        return stdout.ToArray();
    }

    /// <summary>The generated inputs written to a temporary folder, for the host's programs.</summary>
    private sealed class HostFiles : IDisposable
    {
        public HostFiles(UserSpaceInputs inputs)
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("actorvisor-userspace-").FullName;
            File.WriteAllBytes(Path.Combine(Directory, "input.txt"), inputs.Text);
            File.WriteAllBytes(Path.Combine(Directory, "input.bin"), inputs.Binary);
            File.WriteAllBytes(Path.Combine(Directory, "numbers.csv"), inputs.Numbers);
        }

        public string Directory { get; }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
