using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

public sealed class ScenarioRunTests
{
    [Fact]
    public void Eight_guests_run_to_completion_on_two_cpus_and_every_check_holds()
    {
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(Repository.LoadFile("eight-guests.conf"), output: lines.Add);

        Assert.Null(outcome.Error);
        Assert.All(outcome.Checks, c => Assert.True(c.Passed, $"{c.Check}: {c.Detail}"));
        Assert.Equal(8, outcome.Checks.Count);
        Assert.Equal(8, outcome.Domains.Count);
        Assert.Contains("[d1] PASS hello", lines);
        Assert.Contains("[d4] PASS busy", lines);
        var d8 = outcome.Domains.Single(d => d.Name == "d8");
        Assert.Equal(DomainState.Crashed, d8.State);
        Assert.StartsWith("crash:", d8.ExitReason, StringComparison.Ordinal);
        Assert.All(outcome.Domains.Where(d => d.Name != "d8"), d => Assert.Equal("poweroff", d.ExitReason));

        // Two CPU-bound guests on two physical CPUs: each ran about 9 ms of its own, and the run
        // took longer than either because d4 was paused from 4 ms to 10 ms.
        var d3 = outcome.Domains.Single(d => d.Name == "d3");
        var d4 = outcome.Domains.Single(d => d.Name == "d4");
        Assert.InRange(d3.Instructions, 8_000_000, 10_000_000);
        Assert.InRange(d4.Instructions, 8_000_000, 10_000_000);
        Assert.True(outcome.EndNs >= d4.CpuNs + 6_000_000, $"the run ended at {outcome.EndNs} ns, d4 ran {d4.CpuNs} ns");
    }

    [Fact]
    public void Two_runs_with_the_same_seed_print_identical_output()
    {
        var spec = Repository.LoadFile("eight-guests.conf");
        string Run(long seed)
        {
            var lines = new List<string>();
            var outcome = ScenarioRunner.Run(spec, seed, lines.Add);
            lines.Add(SummaryTable.Render(outcome));
            return string.Join("\n", lines);
        }

        string first = Run(7);
        string second = Run(7);

        Assert.Equal(first, second);
        Assert.Contains("[d3] busy: round 5 of 5", first, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crashing_guest_is_restarted_by_its_on_crash_policy_while_the_others_run_on()
    {
        var spec = Repository.LoadString("""
            actorvisor.machine.physical-cpus = 1
            actorvisor.scheduler.timeslice = 1ms
            scenario {
              name = crash-restart
              stop-at = 1s
              domains {
                good { kernel = "../../guests/build/x86_64/busy.elf", memory = 16M }
                bad { kernel = "../../guests/build/x86_32/crash.elf", cmdline = "crash", memory = 16M, on-crash = restart }
              }
              timeline = [
                { at = 0ms, action = start, domain = good }
                { at = 0ms, action = start, domain = bad }
              ]
              checks = [
                { type = console, domain = good, contains = "PASS busy", within = 1s }
                { type = state, domain = good, state = destroyed }
              ]
            }
            """);
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(spec, output: lines.Add);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        var bad = outcome.Domains.Single(d => d.Name == "bad");
        Assert.Equal(3, bad.Restarts);
        Assert.Equal(DomainState.Crashed, bad.State);
        Assert.Equal(4, lines.Count(l => l == "[bad] crash: about to fault"));
        Assert.Contains(lines, l => l.StartsWith("[hypervisor] bad crash:", StringComparison.Ordinal) && l.EndsWith("restarted as dom3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_host_exception_in_one_vcpu_crashes_only_that_domain_and_is_logged_with_its_actor_path(bool parallel)
    {
        var spec = Repository.LoadString("""
            actorvisor.machine.physical-cpus = 2
            actorvisor.scheduler.timeslice = 1ms
            scenario {
              name = host-fault
              stop-at = 1s
              domains {
                victim { kernel = "../../guests/build/x86_64/busy.elf", memory = 16M, on-crash = preserve }
                bystander { kernel = "../../guests/build/x86_32/busy.elf", memory = 16M }
              }
              timeline = [
                { at = 0ms, action = start, domain = victim }
                { at = 0ms, action = start, domain = bystander }
                { at = 2ms, action = inject-fault, domain = victim, fault = host-exception }
              ]
              checks = [
                { type = console, domain = bystander, contains = "PASS busy", within = 1s }
                { type = state, domain = victim, state = crashed }
              ]
            }
            """);
        var lines = new List<string>();
        var memory = new HostMemoryLedger();

        var outcome = ScenarioRunner.Run(spec, output: lines.Add, parallel: parallel, memory: memory);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        var victim = outcome.Domains.Single(d => d.Name == "victim");
        Assert.StartsWith("host fault: host fault in akka://actorvisor/user/hypervisor/dom1/vcpu0 at guest rip", victim.ExitReason, StringComparison.Ordinal);
        if (!parallel)
        {
            Assert.InRange(victim.Instructions, 1_000_000, 3_000_000);
        }

        Assert.Equal((0, 0L), (memory.Domains, memory.MachineBytes));
        Assert.DoesNotContain("[victim] PASS busy", lines);
        Assert.Contains(lines, l => l.StartsWith("[hypervisor] akka://actorvisor/user/hypervisor/dom1 failed and was stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void Timeline_actions_that_are_not_supported_yet_are_reported_and_a_failed_check_fails_the_run()
    {
        var spec = Repository.LoadString("""
            scenario {
              name = unsupported
              stop-at = 1s
              domains { h { kernel = "../../guests/build/x86_64/hello.elf", memory = 16M } }
              timeline = [
                { at = 0ms, action = start, domain = h }
                { at = 1ms, action = save, domain = h, snapshot = s1 }
              ]
              checks = [ { type = console, domain = h, contains = "never printed", within = 1s } ]
            }
            """);
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(spec, output: lines.Add);

        Assert.False(outcome.Passed);
        Assert.Contains(lines, l => l.StartsWith("[toolstack] 1.000 ms: not supported yet: save h", StringComparison.Ordinal));
        Assert.Equal("never printed", Assert.Single(outcome.Checks).Detail);
    }
}
