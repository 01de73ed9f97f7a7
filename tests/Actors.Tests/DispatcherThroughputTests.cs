using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class DispatcherThroughputTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void One_mailbox_run_processes_at_most_throughput_messages(int throughput)
    {
        using var kit = new ActorTestKit(ActorSystemOptions.Deterministic(5) with { Throughput = throughput });
        var a = kit.ActorOf(Props.Create(() => new Silent()), "a");
        var b = kit.ActorOf(Props.Create(() => new Silent()), "b");
        kit.RunUntilIdle();
        var trace = new List<string>();
        kit.Runtime.Delivered += (recipient, _) => trace.Add(recipient.Path.Name);

        for (var i = 0; i < 12; i++)
        {
            a.Tell(i, ActorRefs.NoSender);
            b.Tell(i, ActorRefs.NoSender);
        }
        kit.RunUntilIdle();

        var runs = Runs(trace);
        Assert.Equal(24, trace.Count);
        Assert.All(runs, run => Assert.Equal(0, run % throughput));
        Assert.Contains(runs, run => run == throughput);
    }

    private static List<int> Runs(List<string> trace)
    {
        var runs = new List<int>();
        for (var i = 0; i < trace.Count;)
        {
            var j = i;
            while (j < trace.Count && trace[j] == trace[i])
            {
                j++;
            }
            runs.Add(j - i);
            i = j;
        }
        return runs;
    }
}
