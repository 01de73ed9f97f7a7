using ActorVisor.Actors;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Domains;

/// <summary>
/// One virtual CPU. Guest instructions never pass through a mailbox: on <see cref="RunSlice"/> the
/// actor runs <see cref="PvVcpu.RunSlice"/> synchronously, drains the console, and answers the
/// scheduler with <see cref="SliceCompleted"/>. A guest that stops is reported to the domain.
/// </summary>
public sealed class VcpuActor : ReceiveActor
{
    private readonly VcpuKey _key;
    private readonly PvVcpu _vcpu;
    private readonly GuestConsole _console;
    private readonly DomainCounters _counters;
    private bool _faultArmed;

    public VcpuActor(VcpuKey key, PvVcpu vcpu, GuestConsole console, DomainCounters counters)
    {
        _key = key;
        _vcpu = vcpu;
        _console = console;
        _counters = counters;
        Receive<RunSlice>(Run);
        Receive<ArmHostFault>(_ => _faultArmed = true);
    }

    private void Run(RunSlice slice)
    {
        if (_faultArmed)
        {
            throw new HostFaultException($"host fault in {Self.Path} at guest rip {_vcpu.Cpu.Rip:x} ({(_vcpu.InKernelMode ? "kernel" : "user")} mode)");
        }

        var domain = _vcpu.Domain;
        domain.Clock.IdleUntil(slice.NowNs);
        var result = _vcpu.RunSlice(slice.Budget);
        _console.Drain();
        _counters.AddSlice(result.Retired, (long)(result.Retired * domain.Clock.NanosecondsPerInstruction));
        Sender.Tell(new SliceCompleted(_key, result.Outcome, result.Retired, _vcpu.NextTimerDeadlineNs), Self);
        if (result.Outcome is SliceOutcome.ShutDown or SliceOutcome.Crashed)
        {
            bool crashed = result.Outcome == SliceOutcome.Crashed || result.Reason == Abi.ShutdownReason.Crash;
            Context.Parent.Tell(new GuestStopped(_key.DomainId, result.Reason, crashed, result.Detail), Self);
        }
    }
}
