using Akka.Actor;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// One IOPM, a driver domain with a domain id of its own (/user/hypervisor/iopm-&lt;name&gt;): its
/// children are the <see cref="DeviceActor"/>s of the devices it serves. The hypervisor hands it
/// devices to serve and to let go; the store's watch events for its domain (the front-ends' state
/// nodes its back-ends watch) are taken here and passed to the device each token names. In
/// parallel runs it and its children run on threads of their own (<see cref="IopmLane"/>), apart
/// from the physical CPUs. Its strategy restarts a failing back-end actor one-for-one, within the
/// IOPM's restart budget, and stops it after that.
/// </summary>
public sealed class IopmActor : IopmSideActor
{
    private readonly IopmContext _iopm;
    private readonly int _maxRestarts;
    private readonly TimeSpan _window;

    public IopmActor(IopmContext iopm, IopmLane lane, int maxRestarts, TimeSpan restartWindow)
        : base(lane)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        _iopm = iopm;
        _maxRestarts = maxRestarts;
        _window = restartWindow;
        Receive<AttachDevice>(OnAttach);
        Receive<DetachDevice>(detach =>
        {
            var child = Context.Child(detach.Key.Name);
            if (!child.IsNobody())
            {
                Context.Stop(child);
            }
        });
        Receive<StoreEventsQueued>(_ => OnStoreEvents());
        Receive<HandOverDevice>(handOver =>
        {
            var child = Context.Child(handOver.Key.Name);
            if (child.IsNobody())
            {
                Lane.Tell(handOver.To, handOver.Attach);
            }
            else
            {
                Lane.Tell(child, handOver);
            }
        });
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_maxRestarts, (int)Math.Min(int.MaxValue, _window.TotalMilliseconds), _ => Directive.Restart, loggingEnabled: false);

    private void OnAttach(AttachDevice attach)
    {
        var iopm = _iopm;
        var lane = Lane;
        var key = attach.Plan.Key;
        var backend = attach.Backend;
        bool takenOver = attach.TakenOver;
        var child = Context.ActorOf(lane.Place(Props.Create(() => new DeviceActor(iopm, key, backend, takenOver, lane))), key.Name);
        lane.Tell(child, StartDevice.Instance);
    }

    private void OnStoreEvents()
    {
        var tokens = _iopm.Store.Use(store =>
        {
            var taken = new List<string>();
            while (store.TryTakeEvent(_iopm.DomId, out var watchEvent))
            {
                taken.Add(watchEvent.Token);
            }

            return taken;
        });
        foreach (var token in tokens)
        {
            var child = Context.Child(token);
            if (!child.IsNobody())
            {
                Lane.Tell(child, FrontendStateChanged.Instance);
            }
        }
    }
}
