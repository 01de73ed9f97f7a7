using System.Security.Cryptography;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;
using Xunit.Abstractions;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// Issue 12's network acceptance: two domains of Debian's Linux, each with its own xen-netfront
/// module loaded from the initramfs, on one bridge of our virtual switch through our network
/// back-end in the default IOPM. Each pings the other (busybox ping, three packets), then b sends
/// `seq 1 100000` to a over TCP with busybox nc; a prints the SHA-256 of what arrived, which must be
/// the one computed here. The same again while both network back-ends are crashed every 200 ms of
/// virtual time: they re-attach to the same rings and the stream arrives intact.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class LinuxNetfrontTests(ITestOutputHelper output)
{
    [LinuxUserSpaceFact]
    public void Two_Debian_domains_on_one_bridge_ping_each_other_and_a_file_sent_over_tcp_arrives_intact()
    {
        var outcome = PingAndSend("linux-net", iopms: "", strikes: "");
        Assert.True(outcome.Domains.Count == 2 && outcome.Domains.All(d => d.ExitReason == "poweroff"), "a domain did not power off");
        var iopm = Assert.Single(outcome.Iopms);
        Assert.True(iopm.DevicesServed == 2 && iopm.Requests > 0 && iopm.Errors == 0, $"IOPM figures: {iopm}");
        Assert.Empty(iopm.BackendRestarts);
    }

    [LinuxUserSpaceFact]
    public void Debian_netfront_keeps_its_tcp_stream_while_the_network_back_ends_are_crashed_again_and_again()
    {
        // A strike at both vifs every 200 ms of virtual time from 0.5 s to 60 s: each back-end is
        // restarted, re-attaches to the same rings and carries on; netfront is never told.
        string strikes = string.Join('\n', Enumerable.Range(0, 298).Select(i => FormattableString.Invariant($"    {{ at = {500 + (i * 200)}ms, action = inject, fault = \"net/vif-* crash\" }}")));
        var outcome = PingAndSend("linux-net-crash", "iopms { net { backends = [net], max-restarts = 1000, restart-window = 1s } }", strikes);

        // The back-ends were restarted while the domains talked, and each restart re-attached.
        var restarts = Assert.Single(outcome.Iopms).BackendRestarts;
        output.WriteLine($"back-end restarts: {string.Join(", ", restarts.Select(r => $"{r.Key} {r.Value}"))}");
        Assert.Equal(2, restarts.Count);
        Assert.All(restarts.Values, n => Assert.True(n >= 5, $"{n} restarts"));
        var recovered = outcome.Faults.Where(f => f.Step == "recover").ToList();
        Assert.Equal(restarts.Values.Sum(), recovered.Count);
        // A strike before netfront connected finds the handshake under way, which carries on; the others re-attach.
        Assert.All(recovered, f => Assert.Matches("^(re-attached to the same rings, [0-9]+ requests taken again|not connected \\(state [0-9]\\): the handshake carries on)$", f.Detail));
        Assert.All(restarts.Keys, vif => Assert.True(recovered.Count(f => f.Device == vif && f.Detail.StartsWith("re-attached", StringComparison.Ordinal)) >= 5, $"{vif} re-attached fewer than 5 times"));
    }

    /// <summary>
    /// Runs the two Debian domains a (10.0.0.1) and b (10.0.0.2) with the scenario's extra
    /// <paramref name="iopms"/> section and timeline <paramref name="strikes"/>, and checks what
    /// both tests need: each pinged the other without loss and a received b's file intact.
    /// </summary>
    private ScenarioOutcome PingAndSend(string name, string iopms, string strikes)
    {
        string text = $$"""
            actorvisor.machine.physical-cpus = 2
            scenario {
              name = {{name}}
              stop-at = 120s
              {{iopms}}
              domains {
                {{LinuxDomain("a", NetMode("net-a", "10.0.0.1", "10.0.0.2", LinuxTestModes.DefaultCount, 30), "00:16:3e:00:00:01")}}
                {{LinuxDomain("b", NetMode("net-b", "10.0.0.2", "10.0.0.1", LinuxTestModes.DefaultCount, 30), "00:16:3e:00:00:02")}}
              }
              timeline = [
                { at = 0ms, action = start, domain = a }
                { at = 0ms, action = start, domain = b }
            {{strikes}}
              ]
            }
            """;
        var loaded = ScenarioLoader.LoadString(text, $"<{name}>", Path.GetTempPath());
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(loaded.Value!, output: lines.Add);
        foreach (var line in lines.Where(l => l.Contains("actorvisor-net", StringComparison.Ordinal) || l.Contains("actorvisor-test", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        string tail = string.Join('\n', lines.Where(l => !l.StartsWith("[fault]", StringComparison.Ordinal) && !l.StartsWith("[toolstack]", StringComparison.Ordinal)).TakeLast(60));
        var a = Console(lines, "a");
        var b = Console(lines, "b");
        Assert.True(LinuxTestModes.Result(a, "net-a") == "PASS", tail);
        Assert.True(LinuxTestModes.Result(b, "net-b") == "PASS", tail);
        Assert.Contains("actorvisor-net: ping 10.0.0.2 3 packets transmitted, 3 packets received, 0% packet loss", a);
        Assert.Contains("actorvisor-net: ping 10.0.0.1 3 packets transmitted, 3 packets received, 0% packet loss", b);
        var sent = LinuxTestModes.Seq(LinuxTestModes.DefaultCount);
        Assert.Contains($"actorvisor-net: received {Convert.ToHexStringLower(SHA256.HashData(sent))} {sent.Length}", a);
        return outcome;
    }

    [LinuxUserSpaceFact]
    public void Our_netecho_guest_answers_the_ping_of_Debian_linux_on_the_same_bridge()
    {
        string text = $$"""
            actorvisor.machine.physical-cpus = 2
            scenario {
              name = linux-echo
              stop-at = 60s
              domains {
                echo {
                  kernel = "{{Repository.Kernel("x86_64", "netecho")}}"
                  memory = 16M
                  cmdline = "ip=10.0.0.1 echo-seconds=30"
                  vifs = [ { bridge = xenbr0, mac = "00:16:3e:00:00:01" } ]
                }
                {{LinuxDomain("linux", NetMode("net-b", "10.0.0.2", "10.0.0.1", 10, 5), "00:16:3e:00:00:02")}}
              }
              timeline = [
                { at = 0ms, action = start, domain = echo }
                { at = 0ms, action = start, domain = linux }
              ]
            }
            """;
        var loaded = ScenarioLoader.LoadString(text, "<linux-echo>", Path.GetTempPath());
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(loaded.Value!, output: lines.Add);
        foreach (var line in lines.Where(l => l.StartsWith("[echo]", StringComparison.Ordinal) || l.Contains("actorvisor-net", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        // net-b pings, then tries to send a file over TCP, which netecho (ARP and ICMP echo only) cannot take: only the ping is checked.
        string tail = string.Join('\n', lines.TakeLast(60));
        Assert.True(Console(lines, "linux").Contains("actorvisor-net: ping 10.0.0.1 3 packets transmitted, 3 packets received, 0% packet loss"), tail);
        var echo = Console(lines, "echo");
        Assert.Contains("PASS netecho", echo);
        Assert.Contains(echo, l => l.StartsWith("netecho: answered ", StringComparison.Ordinal) && !l.Contains(" 0 echo requests", StringComparison.Ordinal));
        Assert.Equal(2, outcome.Domains.Count);
    }

    /// <summary>A scenario domain of Debian's kernel and user space with one vif on xenbr0.</summary>
    private static string LinuxDomain(string name, string cmdline, string mac) => $$"""
        {{name}} {
          kernel = "{{LinuxModeBoot.KernelPath}}"
          ramdisk = "{{LinuxModeBoot.UserSpacePath}}"
          memory = {{LinuxTestModes.MemoryMiB}}M
          cmdline = "{{cmdline}}"
          vifs = [ { bridge = xenbr0, mac = "{{mac}}" } ]
        }
        """;

    /// <summary>The command line of a net mode: eth0 as <paramref name="ip"/>/24, pinging and talking to <paramref name="peer"/>.</summary>
    private static string NetMode(string mode, string ip, string peer, int count, int waitSeconds) =>
        FormattableString.Invariant($"{LinuxTestModes.BaseCommandLine} actorvisor.test={mode} actorvisor.ip={ip}/24 actorvisor.peer={peer} actorvisor.port=5001 actorvisor.count={count} actorvisor.wait={waitSeconds}");

    /// <summary>The console lines of one domain (the run prints them as "[name] line").</summary>
    private static List<string> Console(IEnumerable<string> lines, string domain)
    {
        string prefix = $"[{domain}] ";
        return [.. lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].TrimEnd('\r'))];
    }
}
