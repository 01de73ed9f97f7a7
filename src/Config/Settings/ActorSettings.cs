namespace ActorVisor.Config.Settings;

public enum MailboxOverflow
{
    DropNew,
    Fail,
}

/// <summary>actorvisor.actor: dispatcher throughput and mailbox behaviour of the actor kernel.</summary>
public sealed record ActorSettings(int DispatcherThroughput, int MailboxCapacity, MailboxOverflow MailboxOverflow, long StopTimeoutNs);
