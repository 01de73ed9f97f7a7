using ActorVisor.Config.Faults;
using ActorVisor.Devices.Faults;
using ActorVisor.Host.Faults;
using ActorVisor.Host.Iopm;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The hypervisor as the IOPMs' supervisor. An IOPM that fails (an injected crash, a host exception
/// of its own, or a back-end of it past its budget) is restarted after a backoff in virtual time,
/// within its budget (max-restarts within restart-window); its back-ends restart with it and
/// re-attach to the same rings (<see cref="IopmActor"/>). An IOPM past its budget is replaced, as
/// the seed's cooperative VMM asks: it is retired (resumed, then given nothing more) and each of its
/// devices moves to the least loaded other IOPM that serves its class, by the same hand-over as
/// <see cref="MoveDevice"/>. When no other IOPM can take one of its devices it is restarted past its
/// budget instead, with the reason in the timeline: losing the devices is never the answer. Strikes
/// from the timeline (<see cref="InjectIopmFault"/>) are routed here to the IOPMs their name matches.
/// </summary>
public sealed partial class HypervisorActor
{
    private readonly Dictionary<IopmSlot, RestartWindow> _iopmWindows = [];
    private RestartBackoff _strategy = null!;

    private RestartBackoff NewStrategy()
    {
        var self = Self;
        var scheduler = Context.System.Scheduler;
        return new RestartBackoff(
            (child, failure) =>
            {
                var decision = _iopms.FirstOrDefault(i => ReferenceEquals(i.Actor, child) || i.Actor?.Path == child.Path) is { } iopm
                    ? DecideIopm(iopm, failure)
                    : (DecideDomain(failure), 0);
                _lane.FailureDecided(child, decision.Item1);
                return decision;
            },
            (restart, delayNs) => scheduler.ScheduleTellOnce(VirtualClock.Delay(delayNs), self, restart, ActorRefs.NoSender));
    }

    private IFaultSite IopmSite(IopmSlot iopm) => (_options.Faults ?? NoFaultSites.Instance).For(iopm.Context.Name, "");

    private (Directive, long) DecideIopm(IopmSlot iopm, Exception failure)
    {
        if (!_iopmWindows.TryGetValue(iopm, out var window))
        {
            window = new RestartWindow(iopm.Spec.MaxRestarts, iopm.Spec.RestartWindowNs);
            _iopmWindows[iopm] = window;
        }

        long now = VirtualClock.Nanoseconds(Context.System.Scheduler);
        if (window.TryRestart(now) is { } budgeted)
        {
            // In parallel runs a suspended IOPM would hold counted messages that the driver waits for before it moves time: no wait there.
            long backoff = _lane.Parallel ? 0 : budgeted;
            iopm.Restarts.IopmRestarted();
            IopmSite(iopm).Record("backoff", $"IOPM restart {window.Recent} of {iopm.Spec.MaxRestarts} in {Scenario.Checks.FormatNs(backoff)} ({failure.Message})");
            return (Directive.Restart, backoff);
        }

        if (Unplaceable(iopm) is { } reason)
        {
            iopm.Restarts.IopmRestarted();
            long wait = _lane.Parallel ? 0 : RestartWindow.MaxBackoffNs;
            IopmSite(iopm).Record("backoff", $"past its budget of {iopm.Spec.MaxRestarts} restarts but not replaced ({reason}): restarted in {Scenario.Checks.FormatNs(wait)}");
            return (Directive.Restart, wait);
        }

        // Retired at once, so that no device is placed on it meanwhile; the moves are made as a message of the hypervisor's own.
        iopm.Retired = true;
        iopm.Restarts.MarkReplaced();
        IopmSite(iopm).Record("replace", $"past its budget of {iopm.Spec.MaxRestarts} restarts within {Scenario.Checks.FormatNs(iopm.Spec.RestartWindowNs)}: its devices move to other IOPMs ({failure.Message})");
        _self.Tell(new ReplaceIopm(iopm), ActorRefs.NoSender);
        return (Directive.Resume, 0);
    }

    /// <summary>Why the IOPM's devices cannot all move elsewhere, or null when each has another IOPM of its class.</summary>
    private string? Unplaceable(IopmSlot iopm)
    {
        foreach (var (plan, _, _) in _devicesByDomain.Values.SelectMany(d => d).Where(d => ReferenceEquals(d.Iopm, iopm)))
        {
            var kind = IopmPlacement.KindOf(plan.Class);
            if (!_iopms.Any(i => !ReferenceEquals(i, iopm) && !i.Retired && i.Serves(kind)))
            {
                return $"no other IOPM serves {plan.Key.ClassName} devices";
            }
        }

        return null;
    }

    private void OnReplaceIopm(ReplaceIopm replace)
    {
        foreach (var devices in _devicesByDomain.Values)
        {
            for (int at = 0; at < devices.Count; at++)
            {
                if (!ReferenceEquals(devices[at].Iopm, replace.Iopm))
                {
                    continue;
                }

                var target = IopmPlacement.Choose(_iopms, devices[at].Plan.Class, null, out _);
                if (target is null || ReferenceEquals(target, replace.Iopm))
                {
                    IopmSite(replace.Iopm).Record("stranded", $"{devices[at].Plan.Key.Name}: no IOPM can take it");
                    continue;
                }

                IopmSite(replace.Iopm).Record("moved", $"{devices[at].Plan.Key.Name} to {target.Spec.Name}");
                MoveTo(devices, at, target);
            }
        }
    }

    private void OnRestartLater(RestartLater restart)
    {
        if (Context.Child(restart.Child.Path.Name).Equals(restart.Child))
        {
            _strategy.RestartNow(restart);
        }
    }

    /// <summary>A strike from the timeline: to each IOPM whose name the pattern matches (one that serves no device yet has no actor to strike).</summary>
    private void OnInjectIopmFault(InjectIopmFault inject)
    {
        var matching = _iopms.Where(i => Glob.Matches(inject.Iopm, i.Spec.Name)).ToList();
        foreach (var iopm in matching)
        {
            if (iopm.Actor is { } actor && !iopm.Retired)
            {
                _lane.Tell(actor, inject);
            }
            else
            {
                IopmSite(iopm).Record("missed", $"{inject.Rule}: the IOPM {(iopm.Retired ? "is retired" : "serves no device yet")}");
            }
        }

        if (matching.Count == 0)
        {
            _options.Log($"{inject.Rule}: no IOPM matches {inject.Iopm}");
        }
    }

    /// <summary>The hypervisor moves the devices of an IOPM that went past its restart budget.</summary>
    private sealed record ReplaceIopm(IopmSlot Iopm);
}
