using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv.Events;

/// <summary>
/// One port of a domain. Lifecycle:
/// <code>
/// Closed --AllocUnbound--> Unbound --BindInterdomain (peer)--> Interdomain --Close--> Closed
/// Closed --BindVirq--> Virq --Close--> Closed
/// Closed --BindIpi--> Ipi --Close--> Closed
/// Interdomain --peer Close--> Unbound
/// </code>
/// Port 0 is <see cref="EvtchnStatus.Closed"/> but reserved for ever.
/// </summary>
/// <param name="State">The port's state, with Xen's status codes.</param>
/// <param name="RemoteDom">Unbound: who may bind; Interdomain: the peer domain.</param>
/// <param name="RemotePort">Interdomain: the peer's port.</param>
/// <param name="Virq">Virq: the VIRQ number.</param>
/// <param name="NotifyVcpu">The vCPU whose vcpu_info is raised when the port becomes pending.</param>
/// <param name="HostBackend">Interdomain with a back-end inside the host (console, XenStore) rather than another domain.</param>
public readonly record struct EventPort(EvtchnStatus State, DomId RemoteDom, uint RemotePort, uint Virq, int NotifyVcpu, bool HostBackend)
{
    public static EventPort Closed => new(EvtchnStatus.Closed, default, 0, 0, 0, false);
}
