using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The SDK's front-end guests (guests/tests/disk.c over blkfront, guests/tests/netecho.c over
/// netfront) in domains that were given no disk and no vif: they find no device under device/vbd
/// or device/vif in XenStore, say so in one line, and power off rather than hang or crash.
/// </summary>
public sealed class FrontEndGuestTests
{
    [Fact]
    public void Front_end_guests_without_a_device_say_so_and_power_off()
    {
        var spec = Repository.LoadString("""
            scenario {
              name = front-ends-without-devices
              stop-at = 2s
              domains {
                disk64 { kernel = "../../guests/build/x86_64/disk.elf", memory = 16M }
                disk32 { kernel = "../../guests/build/x86_32/disk.elf", memory = 16M }
                net64 { kernel = "../../guests/build/x86_64/netecho.elf", memory = 16M }
                net32 { kernel = "../../guests/build/x86_32/netecho.elf", memory = 16M }
              }
              timeline = [
                { at = 0ms, action = start, domain = disk64 }
                { at = 0ms, action = start, domain = disk32 }
                { at = 0ms, action = start, domain = net64 }
                { at = 0ms, action = start, domain = net32 }
              ]
              checks = [
                { type = console, domain = disk64, contains = "disk: no vbd device", within = 1s }
                { type = console, domain = disk32, contains = "disk: no vbd device", within = 1s }
                { type = console, domain = net64, contains = "netecho: no vif device", within = 1s }
                { type = console, domain = net32, contains = "netecho: no vif device", within = 1s }
              ]
            }
            """);
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(spec, output: lines.Add);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        foreach (var domain in outcome.Domains)
        {
            Assert.Equal(DomainState.Destroyed, domain.State);
            Assert.Equal("poweroff", domain.ExitReason);
        }
    }
}
