using ActorVisor.Actors.Deterministic;
using Akka.Actor;
using Akka.Configuration;
using Xunit.Abstractions;

namespace ActorVisor.TestKit;

/// <summary>
/// Akka.TestKit.Xunit2's <c>TestKit</c> on a deterministic system (src/Actors): the virtual-time
/// scheduler and the deterministic dispatcher, driven by the test through <see cref="Runtime"/>.
/// What it adds to Akka's kit: the loop is pumped while the kit starts its test actor (Akka waits
/// for it on the host clock, and only the loop can start it), and the system is terminated by
/// driving the loop instead of blocking on it. The test actor runs on Akka's calling-thread
/// dispatcher, so after <c>Runtime.RunUntilIdle()</c> every reply is already in its queue and
/// <c>ExpectMsg</c> returns at once.
/// </summary>
public abstract class DeterministicTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected DeterministicTestKit(long seed = 1, string? hocon = null, ITestOutputHelper? output = null)
        : base(CreateSystem(seed, hocon), output)
    {
        Runtime = DeterministicRuntime.Of(Sys)!;
    }

    /// <summary>Gets the loop of <c>Sys</c>.</summary>
    public DeterministicRuntime Runtime { get; }

    /// <summary>Creates a deterministic system with <paramref name="seed"/> and the extra settings in <paramref name="hocon"/>.</summary>
    public static ActorSystem CreateSystem(long seed, string? hocon = null)
        => ActorSystem.Create("test", DeterministicConfig.Apply(seed, ConfigurationFactory.ParseString(hocon ?? "akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));

    protected override void InitializeTest(ActorSystem system, Akka.Actor.Setup.ActorSystemSetup config, string actorSystemName, string testActorName)
    {
        var runtime = DeterministicRuntime.Of(system!) ?? throw new InvalidOperationException("DeterministicTestKit needs a system made by CreateSystem");
        using var stop = new CancellationTokenSource();
        var pump = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                runtime.RunUntilIdle();
                runtime.WaitForExternalWork(TimeSpan.FromMilliseconds(1));
            }
        })
        { IsBackground = true, Name = "deterministic-testkit-start" };
        pump.Start();
        try
        {
            base.InitializeTest(system, config, actorSystemName, testActorName);
        }
        finally
        {
            stop.Cancel();
            pump.Join();
        }

        runtime.RunUntilIdle();
    }

    protected override void Shutdown(ActorSystem system, TimeSpan? duration = null, bool verifySystemShutdown = false)
    {
        system ??= Sys;
        if (DeterministicRuntime.Of(system) is { } runtime)
        {
            bool terminated = runtime.Terminate(system, duration ?? TimeSpan.FromSeconds(5));
            if (!terminated && verifySystemShutdown)
            {
                throw new TimeoutException($"{system.Name} did not terminate");
            }

            return;
        }

        base.Shutdown(system, duration, verifySystemShutdown);
    }
}
