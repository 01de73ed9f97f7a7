using ActorVisor.Abi;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The one seam between a PV domain and whoever hosts it: everything a domain tells its host, and
/// every effect a domain has on another domain, passes through here. A domain never holds another
/// domain's objects for writing; it names the target by id and the host applies the effect where
/// the target's state may be touched.
///
/// Where effects land (the contract an implementation keeps):
/// - Port-table effects (<see cref="BindPeerPort"/>, <see cref="ClosePeerPort"/>) are answered at
///   once: they change only the target's port table, which is hypervisor state the guest never
///   reads, guarded by the target's own port lock (<see cref="EventChannels.AcceptInterdomainBind"/>,
///   <see cref="EventChannels.PeerClosed"/>). A bind needs its answer inside the hypercall.
/// - A page transfer's receiving half (<see cref="TransferPage"/>) is answered at once, called
///   holding the machine's frame lock: it changes the frame table and the target's reservation
///   count, which that lock guards, and the target's shared grant entry, which its guest shares and
///   which is changed only by compare-exchange (<see cref="GrantTable.AcceptTransfer"/>), as a
///   grantee's map marks a granter's entry. The status belongs in the sender's hypercall.
/// - Effects on guest-visible state (<see cref="SendToPeer"/>: pending bits, selectors and the
///   upcall flag in the target's shared_info) are applied while none of the target's slices runs;
///   a host running domains on several threads defers them to the end of the target's slice.
/// - The notifications (console text, log lines, kicks, back-end sends) are made on the thread
///   that runs the domain, possibly in the middle of its slice; the host must not run the domain's
///   vCPUs from inside them.
/// Every method takes the calling domain's id first or names the target explicitly, so that one
/// host object serves every domain of a machine.
/// </summary>
public interface IDomainHost
{
    /// <summary>The guest wrote text with CONSOLEIO_write (already decoded).</summary>
    void ConsoleWritten(DomId domain, string text);

    /// <summary>One line about something noteworthy the guest did (an unimplemented instruction, a crash).</summary>
    void Logged(DomId domain, string line);

    /// <summary>True when every hypercall should be reported to <see cref="HypercallMade"/> (the <c>--trace</c> view).</summary>
    bool TracesHypercalls { get; }

    /// <summary>A hypercall the guest made, when <see cref="TracesHypercalls"/> is on.</summary>
    void HypercallMade(DomId domain, HypercallTraceEntry entry);

    /// <summary>An event became deliverable to vCPU <paramref name="vcpu"/> of <paramref name="domain"/>: wake it if it blocks.</summary>
    void VcpuKicked(DomId domain, int vcpu);

    /// <summary>VCPUOP_up brought vCPU <paramref name="vcpu"/> online: give it slices from now on.</summary>
    void VcpuCameUp(DomId domain, int vcpu);

    /// <summary>The guest sent on <paramref name="port"/>, a channel whose other end is a back-end inside the host (console, XenStore).</summary>
    void BackendNotified(DomId domain, uint port);

    /// <summary>Another domain of this machine, for looking at it (a grant table to map from, a port's status); null when there is none.</summary>
    PvDomain? FindPeer(DomId domain);

    /// <summary>
    /// EVTCHNOP_bind_interdomain's other half: port <paramref name="targetPort"/> of
    /// <paramref name="target"/>, unbound for <paramref name="binder"/>, is joined to
    /// <paramref name="binderPort"/> of the binder. Answers at once.
    /// </summary>
    EventChannelError BindPeerPort(DomId target, uint targetPort, DomId binder, uint binderPort);

    /// <summary>EVTCHNOP_close's other half: the target's end of the channel returns to unbound (if it still names the closer's port).</summary>
    void ClosePeerPort(DomId target, uint targetPort, DomId closer, uint closerPort);

    /// <summary>EVTCHNOP_send to another domain: raise <paramref name="targetPort"/> of <paramref name="target"/> while none of its slices runs.</summary>
    void SendToPeer(DomId target, uint targetPort, DomId sender, uint senderPort);

    /// <summary>
    /// GNTTABOP_transfer's other half: frame <paramref name="mfn"/>, which <paramref name="sender"/>
    /// has given up and which is owned by no one, goes to <paramref name="target"/> through its
    /// grant entry <paramref name="gref"/> (<see cref="PvDomain.AcceptTransferredPage"/>). Answers at
    /// once, under the frame lock the caller holds: Okay when the target owns the frame now,
    /// BadDomain when there is no such domain, GeneralError when the target refused it; on a
    /// refusal the frame is still the caller's to dispose of.
    /// </summary>
    GrantStatus TransferPage(DomId target, uint gref, DomId sender, ulong mfn);
}
