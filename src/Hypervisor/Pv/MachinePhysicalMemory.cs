using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Presents a machine's memory to the software CPU: a frame number is an MFN, and the host pointer
/// is the frame's place in <see cref="Memory.MachineMemory"/>, which never moves while the machine lives.
/// </summary>
public sealed unsafe class MachinePhysicalMemory : IPhysicalMemory
{
    private readonly Machine _machine;

    public MachinePhysicalMemory(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        _machine = machine;
    }

    public byte* TryGetFrame(ulong frameNumber) => _machine.Memory.FramePointer(frameNumber);
}
