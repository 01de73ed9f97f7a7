using ActorVisor.Config;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>The no-io-lost check on the back-ends' counts of requests left unanswered as connections ended.</summary>
public sealed class NoIoLostCheckTests
{
    private static readonly DomainInfo[] Domains =
    [
        new("a", 2, DomainState.Destroyed, "poweroff", 0, 0, 0, 0),
        new("b", 3, DomainState.Running, null, 0, 0, 0, 0),
        new("c", 4, DomainState.Running, null, 0, 0, 0, 0),
    ];

    private static CheckOutcome Evaluate(string? domain, Dictionary<int, long> unanswered) =>
        Checks.Evaluate(new NoIoLostCheck(new ConfigOrigin("t.conf", 1, 1), domain), Domains, unanswered);

    [Fact]
    public void Every_domain_passes_when_every_request_was_answered()
    {
        var outcome = Evaluate(null, new() { [2] = 0, [3] = 0 });
        Assert.Equal(new CheckOutcome("no I/O is lost", true, "every block request was answered"), outcome);
    }

    [Fact]
    public void Unanswered_requests_fail_the_check_and_name_their_domains()
    {
        var outcome = Evaluate(null, new() { [3] = 2, [2] = 0, [9] = 1 });
        Assert.Equal(new CheckOutcome("no I/O is lost", false, "b: 2 requests unanswered, domain 9: 1 requests unanswered"), outcome);
    }

    [Fact]
    public void A_named_domain_is_judged_on_its_own_requests()
    {
        var unanswered = new Dictionary<int, long> { [2] = 0, [3] = 2 };
        Assert.True(Evaluate("a", unanswered).Passed);
        Assert.Equal("b: 2 requests unanswered", Evaluate("b", unanswered).Detail);
        Assert.Equal(new CheckOutcome("no I/O of c is lost", true, "no block device was connected"), Evaluate("c", unanswered));
    }
}
