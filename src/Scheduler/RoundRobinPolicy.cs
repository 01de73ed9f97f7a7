namespace ActorVisor.Scheduler;

/// <summary>
/// Round robin: runnable vCPUs wait in one FIFO queue and each gets the same fixed slice.
/// Weights and caps are ignored; a vCPU that yields or is preempted goes to the back.
/// </summary>
public sealed class RoundRobinPolicy(long timesliceNs) : SchedulerPolicyBase<RoundRobinPolicy.RoundRobinEntry>
{
    private readonly LinkedList<RoundRobinEntry> _queue = new();

    public override string Name => "round-robin";

    public long TimesliceNs { get; } = timesliceNs > 0
        ? timesliceNs
        : throw new ArgumentOutOfRangeException(nameof(timesliceNs), "a timeslice must be positive");

    protected override RoundRobinEntry CreateEntry(VcpuKey vcpu, SchedulingParameters parameters) => new(vcpu, parameters);

    protected override void OnWoken(RoundRobinEntry entry, long nowNs) => _queue.AddLast(entry.Node);

    protected override RoundRobinEntry? OnPick(int pcpu, long nowNs, out long sliceNs)
    {
        sliceNs = TimesliceNs;
        var first = _queue.First;
        if (first is null)
        {
            return null;
        }
        _queue.Remove(first);
        return first.Value;
    }

    protected override void OnSliceFinished(RoundRobinEntry entry, long ranNs, SliceEnd reason, long nowNs)
    {
        if (entry.State == VcpuState.Runnable)
        {
            _queue.AddLast(entry.Node);
        }
    }

    protected override void OnDequeued(RoundRobinEntry entry) => _queue.Remove(entry.Node);

    public sealed class RoundRobinEntry : Entry
    {
        public RoundRobinEntry(VcpuKey key, SchedulingParameters parameters)
            : base(key, parameters) => Node = new LinkedListNode<RoundRobinEntry>(this);

        public LinkedListNode<RoundRobinEntry> Node { get; }
    }
}
