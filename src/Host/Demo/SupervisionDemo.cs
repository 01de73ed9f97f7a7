using ActorVisor.Actors.Deterministic;
using Akka.Actor;
using Akka.Configuration;
using Directive = Akka.Actor.Directive;

namespace ActorVisor.Host.Demo;

/// <summary>
/// The supervision demo behind `actorvisor demo`: a small Akka.NET supervision tree on src/Actors' deterministic dispatcher and
/// virtual-time scheduler. A hypervisor actor supervises three domain actors; dom2 crashes on a
/// bad request and is restarted one-for-one by Akka while its siblings keep their state. The same
/// seed prints the same lines every run (Akka's own failure log is off: its lines carry the
/// host's clock; the demo prints the restart itself).
/// </summary>
public static class SupervisionDemo
{
    /// <summary>Runs the demo with <paramref name="seed"/>, writing its lines to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(int seed, TextWriter output)
    {
        var system = ActorSystem.Create("demo", DeterministicConfig.Apply(seed, ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));
        var runtime = DeterministicRuntime.Of(system)!;
        try
        {
            return Run(system, runtime, seed, output);
        }
        finally
        {
            runtime.Terminate(system, TimeSpan.FromSeconds(5));
        }
    }

    private static int Run(ActorSystem system, DeterministicRuntime runtime, int seed, TextWriter output)
    {
        output.WriteLine($"actor system 'demo' on the deterministic dispatcher, seed {seed}");

        var hypervisor = system.ActorOf(Props.Create(() => new Hypervisor(output)), "hypervisor");
        runtime.RunUntilIdle();

        foreach (var domain in new[] { "dom1", "dom2", "dom3" })
        {
            system.ActorSelection($"/user/hypervisor/{domain}").Tell(new Work(3), ActorRefs.NoSender);
        }
        runtime.RunUntilIdle();

        output.WriteLine("sending a bad request to dom2 ...");
        system.ActorSelection("/user/hypervisor/dom2").Tell(new BadRequest(), ActorRefs.NoSender);
        runtime.Advance(TimeSpan.FromMilliseconds(10));

        foreach (var domain in new[] { "dom1", "dom2", "dom3" })
        {
            var status = system.ActorSelection($"/user/hypervisor/{domain}").Ask<string>(new GetStatus(), TimeSpan.FromSeconds(1));
            runtime.RunUntil(() => status.IsCompleted, TimeSpan.FromSeconds(1));
            output.WriteLine($"  {status.Result}");
        }

        system.Stop(hypervisor);
        runtime.RunUntilIdle();
        output.WriteLine($"hypervisor stopped; virtual time {runtime.Now.TotalMilliseconds} ms; {runtime.DeliveryCount} messages delivered");
        return 0;
    }

    private sealed record Work(int Units);

    private sealed record BadRequest;

    private sealed record GetStatus;

    private sealed class Hypervisor : ReceiveActor
    {
        private readonly TextWriter _output;

        public Hypervisor(TextWriter output)
        {
            _output = output;
            ReceiveAny(_ => { });
        }

        protected override void PreStart()
        {
            foreach (var name in new[] { "dom1", "dom2", "dom3" })
            {
                Context.ActorOf(Props.Create(() => new Domain(_output)), name);
            }
        }

        protected override void PostStop() => _output.WriteLine($"{Self.Path.ToStringWithoutAddress()} stopped after its children");

        protected override SupervisorStrategy SupervisorStrategy()
            => new OneForOneStrategy(3, 60_000, e => e is InvalidOperationException ? Directive.Restart : Directive.Stop, loggingEnabled: false);
    }

    private sealed class Domain : ReceiveActor
    {
        private readonly TextWriter _output;
        private int _unitsDone;

        public Domain(TextWriter output)
        {
            _output = output;
            Receive<Work>(w => _unitsDone += w.Units);
            Receive<BadRequest>(_ => throw new InvalidOperationException($"{Self.Path.Name} cannot serve this request"));
            Receive<GetStatus>(_ => Sender.Tell($"{Self.Path.ToStringWithoutAddress()}: {_unitsDone} units done"));
        }

        protected override void PreStart() => _output.WriteLine($"{Self.Path.ToStringWithoutAddress()} started");

        protected override void PreRestart(Exception reason, object? message)
        {
            _output.WriteLine($"{Self.Path.ToStringWithoutAddress()} restarting after: {reason.Message}");
            base.PreRestart(reason, message);
        }

        protected override void PostStop() => _output.WriteLine($"{Self.Path.ToStringWithoutAddress()} stopped");
    }
}
