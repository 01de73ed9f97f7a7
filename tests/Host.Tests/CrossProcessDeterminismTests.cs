using System.Security.Cryptography;
using System.Text;

namespace ActorVisor.Host.Tests;

/// <summary>
/// Determinism across processes: .NET randomises string hashes and Akka randomises actor UIDs per
/// process, which two runs inside one test process cannot see. The built `actorvisor` command runs
/// eight-guests.conf with seed 7 in two child processes; their output (console lines, summary,
/// checks and the SHA-256 of the delivery trace printed by --trace-digest) must be byte-identical
/// and match the pinned digest.
/// </summary>
public sealed class CrossProcessDeterminismTests
{
    /// <summary>
    /// SHA-256 of the whole standard output of
    /// <c>dotnet src/Cli/bin/Release/net10.0/actorvisor.dll run hocon/scenarios/eight-guests.conf --seed 7 --trace-digest</c>
    /// (run from the repository root). A change that is meant to alter the order of events (the
    /// scheduler, the guests, the message protocol, the tie-break) changes it: check that the new
    /// output is right, then refresh it with that command piped to <c>sha256sum</c>. An
    /// unintended change of order is what this test is here to catch.
    /// </summary>
    private const string GoldenDigest = "eede701eedc9d8a0fb9fcc987b2fa50e2ca78ad7e5121928ddfd8be7165f02ee";

    [Fact]
    public void Two_processes_with_the_same_seed_print_the_same_run_and_trace_and_match_the_golden_digest()
    {
        var first = RunCli("run", "hocon/scenarios/eight-guests.conf", "--seed", "7", "--trace-digest");
        var second = RunCli("run", "hocon/scenarios/eight-guests.conf", "--seed", "7", "--trace-digest");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("trace sha256 ", first.Output, StringComparison.Ordinal);
        Assert.Contains("[d1] PASS hello", first.Output, StringComparison.Ordinal);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(GoldenDigest, Sha256(first.Output));
    }

    [Fact]
    public void Another_seed_gives_another_trace()
    {
        var seven = RunCli("run", "hocon/scenarios/eight-guests.conf", "--seed", "7", "--trace-digest");
        var eight = RunCli("run", "hocon/scenarios/eight-guests.conf", "--seed", "8", "--trace-digest");

        Assert.NotEqual(TraceLine(seven.Output), TraceLine(eight.Output));
    }

    private static string TraceLine(string output) => output.Split('\n').Single(l => l.StartsWith("trace sha256 ", StringComparison.Ordinal));

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static (int ExitCode, string Output) RunCli(params string[] arguments)
    {
        var (exitCode, output, error) = CliProcess.Run(arguments);
        Assert.True(error.Length == 0, error);
        return (exitCode, output);
    }
}
