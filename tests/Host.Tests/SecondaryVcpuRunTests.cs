using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Secondary vCPUs in the actor tree: VCPUOP_up makes the scheduler give the new vCPU slices.</summary>
public sealed class SecondaryVcpuRunTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Both_guests_bring_up_their_second_vcpu_and_power_off(bool parallel)
    {
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("smp.conf"), output: lines.Add, parallel: parallel);

        Assert.True(outcome.Passed, string.Join('\n', lines));
        Assert.DoesNotContain(outcome.Console, l => l.Text.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.All(outcome.Domains, d => Assert.Equal("poweroff", d.ExitReason));
        foreach (var domain in new[] { "smp64", "smp32" })
        {
            Assert.Contains(outcome.Console, l => l.Domain == domain && l.Text == "PASS secondary_took_itself_down");
        }
    }
}
