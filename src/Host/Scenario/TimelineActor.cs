using System.Globalization;
using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Domains;
using Akka.Actor;

namespace ActorVisor.Host.Scenario;

/// <summary>
/// The scenario's toolstack: receives each timeline action when virtual time reaches it, turns it
/// into messages to the hypervisor, and reports refusals and actions it cannot take yet. It also
/// takes the domain list at the times the state checks name.
/// </summary>
public sealed class TimelineActor : ReceiveActor
{
    private readonly IActorRef _hypervisor;
    private readonly IReadOnlyDictionary<string, (DomainSpec Spec, ReadOnlyMemory<byte> Kernel, byte[]? Ramdisk)> _domains;
    private readonly Action<string> _log;
    private readonly Queue<DomainStateCheck> _probes = new();
    private readonly List<CheckOutcome> _outcomes;

    public TimelineActor(IActorRef hypervisor, IReadOnlyDictionary<string, (DomainSpec Spec, ReadOnlyMemory<byte> Kernel, byte[]? Ramdisk)> domains, Action<string> log, List<CheckOutcome> outcomes)
    {
        _hypervisor = hypervisor;
        _domains = domains;
        _log = log;
        _outcomes = outcomes;
        Receive<TimelineAction>(Take);
        Receive<DomainStateCheck>(check =>
        {
            _probes.Enqueue(check);
            _hypervisor.Tell(new ListDomains(), Self);
        });
        Receive<DomainsListed>(listed =>
        {
            if (_probes.TryDequeue(out var check))
            {
                _outcomes.Add(Checks.Evaluate(check, listed.Domains));
            }
        });
        Receive<Created>(created => _hypervisor.Tell(new Unpause(created.Domain), Self));
        Receive<NotAllowed>(refused => _log($"{Now}: refused: {refused.Reason}"));
        Receive<Unpaused>(_ => { });
        Receive<Paused>(_ => { });
        Receive<Destroyed>(_ => { });
        Receive<ShutdownRequested>(requested => _log($"{Now}: asked {requested.Domain} to shut down (control/shutdown in XenStore)"));
        Receive<HostFaultArmed>(armed => _log($"{Now}: host fault armed in {armed.Domain}"));
    }

    private string Now => Checks.FormatNs(VirtualClock.Nanoseconds(Context.System.Scheduler));

    private void Take(TimelineAction action)
    {
        switch (action)
        {
            case StartDomain start when _domains.TryGetValue(start.Domain, out var domain):
                _hypervisor.Tell(new Create(domain.Spec, domain.Kernel, domain.Ramdisk), Self);
                break;
            case StartDomain start:
                _log($"{Now}: refused: start {start.Domain}: no such domain in the scenario");
                break;
            case PauseDomain pause:
                _hypervisor.Tell(new Pause(pause.Domain), Self);
                break;
            case UnpauseDomain unpause:
                _hypervisor.Tell(new Unpause(unpause.Domain), Self);
                break;
            case DestroyDomain destroy:
                _hypervisor.Tell(new Destroy(destroy.Domain), Self);
                break;
            case ShutdownDomain shutdown:
                _hypervisor.Tell(new RequestShutdown(shutdown.Domain, shutdown.Reboot), Self);
                break;
            case InjectFault { Target: FaultTarget.Guest, Kind: FaultKind.HostException } fault:
                _hypervisor.Tell(new InjectHostFault(fault.Name), Self);
                break;
            case InjectFault { Target: FaultTarget.Iopm, Kind: FaultKind.Crash or FaultKind.Hang } fault:
                _hypervisor.Tell(new Iopm.InjectIopmFault(fault.Name, null, fault.Kind == FaultKind.Crash ? Devices.Faults.FaultEffect.Crash : Devices.Faults.FaultEffect.Hang, $"inject-fault at {fault.Origin}"), Self);
                break;
            case InjectRule { Rule.IsStrike: true } inject:
                _log($"{Now}: {inject.Rule.Name}: {inject.Rule.Text}");
                _hypervisor.Tell(new Iopm.InjectIopmFault(inject.Rule.IopmPattern, inject.Rule.DevicePattern, Faults.FaultWords.Effect(inject.Rule.Effect), inject.Rule.Name), Self);
                break;
            case InjectRule inject:
                _log($"{Now}: {inject.Rule.Name} armed: {inject.Rule.Text}");
                break;
            default:
                _log(string.Create(CultureInfo.InvariantCulture, $"{Now}: not supported yet: {Describe(action)} ({action.Origin})"));
                break;
        }
    }

    private static string Describe(TimelineAction action) => action switch
    {
        SaveDomain save => $"save {save.Domain}",
        RestoreDomain restore => $"restore {restore.Domain}",
        MigrateDomain migrate => $"migrate {migrate.Domain} to {migrate.TargetHost}",
        InjectFault fault => $"inject-fault {fault.Kind} into {fault.Target} {fault.Name}",
        _ => action.GetType().Name,
    };
}
