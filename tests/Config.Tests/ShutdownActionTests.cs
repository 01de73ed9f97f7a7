using ActorVisor.Config.Scenario;

namespace ActorVisor.Config.Tests;

public sealed class ShutdownActionTests
{
    [Fact]
    public void Shutdown_and_reboot_actions_become_shutdown_requests_for_their_domain()
    {
        var result = ScenarioLoader.LoadString("""
            scenario {
              name = s
              stop-at = 1s
              domains { a { kernel = "a.elf" } }
              timeline = [
                { at = 0s, action = start, domain = a }
                { at = 10ms, action = shutdown, domain = a }
                { at = 20ms, action = reboot, domain = a }
              ]
            }
            """, "<test>", "/tmp");

        Assert.True(result.IsSuccess, result.ErrorText);
        var requests = result.Value!.Timeline.OfType<ShutdownDomain>().ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(("a", false, 10_000_000L), (requests[0].Domain, requests[0].Reboot, requests[0].AtNs));
        Assert.True(requests[1].Reboot);
    }

    [Fact]
    public void A_shutdown_of_an_unknown_domain_is_an_error_naming_the_key()
    {
        var result = ScenarioLoader.LoadString("""
            scenario {
              name = s
              stop-at = 1s
              domains { a { kernel = "a.elf" } }
              timeline = [ { at = 10ms, action = shutdown, domain = b } ]
            }
            """, "<test>", "/tmp");

        Assert.False(result.IsSuccess);
        Assert.Contains("domain", result.ErrorText, StringComparison.Ordinal);
    }
}
