namespace ActorVisor.Actors;

/// <summary>A named dispatcher: its kind and its throughput (user messages per mailbox run, at least 1).</summary>
public sealed record DispatcherOptions(DispatcherKind Kind, int Throughput);
