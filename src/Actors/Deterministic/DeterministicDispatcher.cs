namespace ActorVisor.Actors.Deterministic;

using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Dispatch;

/// <summary>
/// A dispatcher that starts no thread: a mailbox that becomes runnable is queued on the
/// <see cref="DeterministicRuntime"/> under its actor's path, and the loop's driver runs it (up
/// to <c>throughput</c> messages per run). It also reports every user message handed to one of
/// its mailboxes to the loop's delivery trace.
/// </summary>
public sealed class DeterministicDispatcher : MessageDispatcher
{
    private readonly DeterministicExecutor _executor;
    private readonly ConditionalWeakTable<Mailbox, string> _paths = [];

    internal DeterministicDispatcher(MessageDispatcherConfigurator configurator, string id, int throughput, DeterministicExecutor executor)
        : base(configurator)
    {
        Id = id;
        Throughput = throughput;
        ThroughputDeadlineTime = null;
        ShutdownTimeout = TimeSpan.FromSeconds(1);
        _executor = executor;
    }

    /// <summary>Gets the loop this dispatcher queues on.</summary>
    public DeterministicRuntime Runtime => _executor.Runtime;

    public override void Attach(ActorCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (cell.Mailbox is { } mailbox)
        {
            _paths.AddOrUpdate(mailbox, cell.Self.Path.ToStringWithoutAddress());
        }

        base.Attach(cell);
    }

    public override void Dispatch(ActorCell cell, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(cell);
        _executor.Runtime.OnDelivered(cell.Self, envelope.Message);
        base.Dispatch(cell, envelope);
    }

    protected override void ExecuteTask(IRunnable run)
    {
        string path = run is Mailbox mailbox && _paths.TryGetValue(mailbox, out var p) ? p : "";
        _executor.Execute(run, path);
    }

    protected override void Shutdown()
    {
    }
}
