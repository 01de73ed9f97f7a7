namespace ActorVisor.Host.Domains;

/// <summary>
/// Counts the machine memory the host holds for live domains: added when a domain is built,
/// removed when its memory is freed. Updates are atomic (memory may be freed on a physical-CPU
/// thread that finishes the domain's last slice).
/// </summary>
public sealed class HostMemoryLedger
{
    private long _machineBytes;
    private long _frames;
    private int _domains;

    /// <summary>Bytes of machine memory held by domains whose memory has not been freed yet.</summary>
    public long MachineBytes => Interlocked.Read(ref _machineBytes);

    /// <summary>Machine frames allocated in those domains when they were built.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>How many domains still hold machine memory.</summary>
    public int Domains => Volatile.Read(ref _domains);

    /// <summary>
    /// Frames of the host's machine in use beyond the hypervisor's own when <see cref="RecordMachine"/>
    /// looked (at the end of a run: 0 when every destroyed domain gave all its frames back).
    /// </summary>
    public long MachineFramesBeyondReserved { get; private set; } = -1;

    /// <summary>Looks at the host's machine: how many frames are in use beyond those it reserved at start.</summary>
    public void RecordMachine(Hypervisor.Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        MachineFramesBeyondReserved = (long)(machine.FramesInUse - machine.ReservedFrames);
    }

    internal void Add(LiveDomain live)
    {
        long bytes = live.MachineBytes;
        long frames = live.FramesInUse;
        Interlocked.Add(ref _machineBytes, bytes);
        Interlocked.Add(ref _frames, frames);
        Interlocked.Increment(ref _domains);
        live.Disposed += () =>
        {
            Interlocked.Add(ref _machineBytes, -bytes);
            Interlocked.Add(ref _frames, -frames);
            Interlocked.Decrement(ref _domains);
        };
    }
}
