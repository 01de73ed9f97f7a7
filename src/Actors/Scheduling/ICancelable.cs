namespace ActorVisor.Actors;

/// <summary>A scheduled action that can be cancelled; cancelling twice is harmless.</summary>
public interface ICancelable
{
    bool IsCancellationRequested { get; }

    void Cancel();
}
