using ActorVisor.Actors;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Domains;

/// <summary>
/// One virtual CPU. Guest instructions never pass through a mailbox: on <see cref="RunSlice"/> the
/// actor runs <see cref="PvVcpu.RunSlice"/>, drains the console, and answers the scheduler with
/// <see cref="SliceCompleted"/>. Without physical-CPU threads the slice runs synchronously on the
/// actor's own thread; in parallel mode it runs on the thread of the physical CPU the scheduler
/// chose and its result comes back as a message, while the domain's memory is held for it (see
/// <see cref="LiveDomain.TryBeginSlice"/>). A guest that stops is reported to the domain.
/// </summary>
public sealed class VcpuActor : ReceiveActor
{
    private readonly VcpuKey _key;
    private readonly PvVcpu _vcpu;
    private readonly LiveDomain _live;
    private readonly DomainCounters _counters;
    private readonly PhysicalCpus? _cpus;
    private bool _faultArmed;

    public VcpuActor(VcpuKey key, PvVcpu vcpu, LiveDomain live, DomainCounters counters, PhysicalCpus? cpus)
    {
        _key = key;
        _vcpu = vcpu;
        _live = live;
        _counters = counters;
        _cpus = cpus;
        Receive<RunSlice>(Run);
        Receive<SliceRan>(ran => Finish(ran.Result));
        Receive<SliceFailed>(failed => throw new HostFaultException(key.DomainId, $"host fault in {Self.Path}: {failed.Error.Message}", failed.Error));
        Receive<ArmHostFault>(_ => _faultArmed = true);
        Receive<PreemptSlice>(_ => _vcpu.Cpu.RequestStop());
    }

    private void Run(RunSlice slice)
    {
        if (_faultArmed)
        {
            throw new HostFaultException(_key.DomainId, $"host fault in {Self.Path} at guest rip {_vcpu.Cpu.Rip:x} ({(_vcpu.InKernelMode ? "kernel" : "user")} mode)");
        }

        if (_cpus is null)
        {
            SliceResult result;
            try
            {
                result = Execute(slice);
            }
            catch (Exception error) when (error is not HostFaultException)
            {
                throw new HostFaultException(_key.DomainId, $"host fault in {Self.Path}: {error.Message}", error);
            }

            _live.Console.Collect();
            Finish(result);
            return;
        }

        var self = Self;
        var scheduler = Sender;
        if (!_live.TryBeginSlice())
        {
            scheduler.Tell(new SliceCompleted(_key, SliceOutcome.Offline, 0, null), self);
            return;
        }

        _cpus.Run(slice.Pcpu, () =>
        {
            object outcome;
            try
            {
                outcome = new SliceRan(_live.RunSerialized(() =>
                {
                    var result = Execute(slice);
                    _live.Console.Collect();
                    return result;
                }));
            }
#pragma warning disable CA1031 // A host bug on a physical-CPU thread is handed to the actor, whose supervisor handles it.
            catch (Exception error)
#pragma warning restore CA1031
            {
                outcome = new SliceFailed(error);
            }
            finally
            {
                _live.EndSlice();
            }

            _cpus.Post(self, outcome, scheduler);
        });
    }

    private SliceResult Execute(RunSlice slice)
    {
        _vcpu.Domain.Clock.IdleUntil(slice.NowNs);
        return _vcpu.RunSlice(slice.Budget);
    }

    private void Finish(SliceResult result)
    {
        _live.Console.Emit();
        _counters.AddSlice(result.Retired, (long)(result.Retired * _vcpu.Domain.Clock.NanosecondsPerInstruction));
        Sender.Tell(new SliceCompleted(_key, result.Outcome, result.Retired, _vcpu.NextTimerDeadlineNs), Self);
        if (result.Outcome is SliceOutcome.ShutDown or SliceOutcome.Crashed)
        {
            bool crashed = result.Outcome == SliceOutcome.Crashed || result.Reason == Abi.ShutdownReason.Crash;
            Context.Parent.Tell(new GuestStopped(_key.DomainId, result.Reason, crashed, result.Detail), Self);
        }
    }

    /// <summary>A slice that ran on a physical-CPU thread finished.</summary>
    private sealed record SliceRan(SliceResult Result);

    /// <summary>A slice that ran on a physical-CPU thread threw (a host bug).</summary>
    private sealed record SliceFailed(Exception Error);
}
