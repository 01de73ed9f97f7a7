namespace ActorVisor.Actors.Deterministic;

using Akka.Dispatch;

/// <summary>
/// An executor that starts no thread: each run is queued on the <see cref="DeterministicRuntime"/>
/// with the path of the actor it belongs to (empty for runs that belong to no actor) and runs
/// when the loop's driver reaches it.
/// </summary>
public sealed class DeterministicExecutor(string id, DeterministicRuntime runtime) : ExecutorService(id)
{
    /// <summary>Gets the loop the runs are queued on.</summary>
    public DeterministicRuntime Runtime => runtime;

    public override void Execute(IRunnable run) => runtime.Enqueue(run, "");

    /// <summary>Queues <paramref name="run"/> as a run of the actor at <paramref name="path"/>, which orders it against the other runs of its step.</summary>
    public void Execute(IRunnable run, string path) => runtime.Enqueue(run, path);

    public override void Shutdown()
    {
    }
}
