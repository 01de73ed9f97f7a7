using ActorVisor.Actors;
using Directive = ActorVisor.Actors.Directive;

namespace ActorVisor.Host.Demo;

/// <summary>
/// The supervision demo behind `actorvisor demo`: a small supervision tree on the deterministic
/// dispatcher. A hypervisor actor supervises three domain actors; dom2 crashes on a bad request and
/// is restarted one-for-one while its siblings keep their state. The same seed prints the same lines
/// every run.
/// </summary>
public static class SupervisionDemo
{
    /// <summary>Runs the demo with <paramref name="seed"/>, writing its lines to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(int seed, TextWriter output)
    {
        var options = ActorSystemOptions.Deterministic(seed) with { LogOutput = output, MinimumLogLevel = LogLevel.Warning };
        using var system = ActorSystem.Create("demo", options);
        var runtime = system.Deterministic!;
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
            var status = system.ActorSelection($"/user/hypervisor/{domain}").Resolve().Single().Ask<string>(new GetStatus(), TimeSpan.FromSeconds(1));
            runtime.RunUntil(() => status.IsCompleted, TimeSpan.FromSeconds(1));
            output.WriteLine($"  {status.Result}");
        }

        var stopped = hypervisor.GracefulStop(TimeSpan.FromSeconds(5));
        runtime.RunUntil(() => stopped.IsCompleted, TimeSpan.FromSeconds(5));
        output.WriteLine($"hypervisor stopped: {stopped.Result}; virtual time {runtime.Now.TotalMilliseconds} ms; {runtime.DeliveryCount} messages delivered; {system.DeadLetterCount} dead letters");
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
            => new OneForOneStrategy(3, TimeSpan.FromMinutes(1), e => e is InvalidOperationException ? Directive.Restart : Directive.Stop);
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
