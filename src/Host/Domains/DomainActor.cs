using ActorVisor.Actors;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Domains;

/// <summary>
/// One domain: owns its built PV domain and one <see cref="VcpuActor"/> child per vCPU
/// (vcpu0, vcpu1, ...), registers them with the scheduler, and suspends or resumes them there
/// when the hypervisor pauses or unpauses it. It also turns the domain's event-channel kicks into
/// <see cref="WakeVcpu"/> messages to the scheduler. A failing vCPU fails the whole domain (all for
/// one, escalated), so the hypervisor sees the domain crash. Lifecycle decisions are the
/// hypervisor's; this actor only carries them out.
/// </summary>
public sealed class DomainActor : ReceiveActor
{
    private readonly LiveDomain _live;
    private readonly IActorRef _scheduler;
    private readonly List<VcpuKey> _vcpus = [];

    public DomainActor(LiveDomain live, IActorRef scheduler, DomainCounters counters, SchedulingParameters parameters, PhysicalCpus? cpus)
    {
        _live = live;
        _scheduler = scheduler;
        int id = live.Domain.Id.Value;

        // An event that becomes deliverable wakes the vCPU; it may be raised by a slice of another domain on a physical-CPU thread.
        void Kick(int vcpu)
        {
            var wake = new WakeVcpu(new VcpuKey(id, vcpu));
            if (cpus is null)
            {
                scheduler.Tell(wake, ActorRefs.NoSender);
            }
            else
            {
                cpus.Post(scheduler, wake, ActorRefs.NoSender);
            }
        }

        // The host's seam calls it for a kick and for a secondary vCPU brought up with VCPUOP_up, which starts getting slices.
        live.ConnectWake(Kick);
        foreach (var vcpu in live.Domain.Vcpus)
        {
            var key = new VcpuKey(id, vcpu.Id);
            var actor = Context.ActorOf(Props.Create(() => new VcpuActor(key, vcpu, live, counters, cpus)), $"vcpu{vcpu.Id}");
            _vcpus.Add(key);
            scheduler.Tell(new AddVcpu(key, actor, parameters), Self);
        }

        Receive<Unpause>(_ => Tell(key => new ResumeVcpu(key)));
        Receive<Pause>(_ => Tell(key => new SuspendVcpu(key)));
        Receive<GuestStopped>(stopped =>
        {
            Tell(key => new SuspendVcpu(key));
            _live.Console.Flush();
            Context.Parent.Tell(stopped, Self);
        });
        Receive<InjectHostFault>(_ => Context.Child("vcpu0").Tell(new ArmHostFault(), Self));
    }

    protected override SupervisorStrategy SupervisorStrategy() => new AllForOneStrategy(_ => Directive.Escalate);

    protected override void PostStop()
    {
        Tell(key => new RemoveVcpu(key));
        _live.Console.Flush();
        _live.Dispose();
    }

    private void Tell(Func<VcpuKey, object> message)
    {
        foreach (var key in _vcpus)
        {
            _scheduler.Tell(message(key), Self);
        }
    }
}
