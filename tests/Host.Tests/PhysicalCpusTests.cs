using ActorVisor.Actors.Deterministic;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;
using Akka.Actor;
using Akka.Dispatch;

namespace ActorVisor.Host.Tests;

/// <summary>Parallel mode's physical CPUs are Akka actors on Akka's pinned dispatcher: a dedicated thread each, not the loop's thread.</summary>
public sealed class PhysicalCpusTests
{
    [Fact]
    public void Each_physical_cpu_runs_its_slices_on_a_dedicated_thread_of_akkas_pinned_dispatcher()
    {
        var spec = Repository.LoadString("""
            scenario {
              name = pcpus
              stop-at = 1s
              domains { idle { kernel = "../../guests/build/x86_64/idle.elf", memory = 8M } }
            }
            """);
        var system = ScenarioRunner.CreateSystem(spec, seed: 1);
        var runtime = DeterministicRuntime.Of(system)!;
        try
        {
            Assert.IsType<PinnedDispatcher>(system.Dispatchers.Lookup(PhysicalCpus.DispatcherId));
            using var cpus = new PhysicalCpus(system, 2);
            runtime.RunUntilIdle();
            var threads = new int[4];
            var pooled = new bool[4];
            for (int i = 0; i < 4; i++)
            {
                int slot = i;
                cpus.Run(i % 2, () =>
                {
                    threads[slot] = Environment.CurrentManagedThreadId;
                    pooled[slot] = Thread.CurrentThread.IsThreadPoolThread;
                });
            }

            while (cpus.WaitForWork())
            {
            }

            Assert.Equal(0, cpus.Running);
            Assert.Equal(threads[0], threads[2]);
            Assert.Equal(threads[1], threads[3]);
            Assert.NotEqual(threads[0], threads[1]);
            Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
            Assert.All(pooled, p => Assert.False(p));
        }
        finally
        {
            runtime.Terminate(system, TimeSpan.FromSeconds(5));
        }
    }
}
