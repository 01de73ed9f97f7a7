namespace ActorVisor.Devices.Net;

/// <summary>
/// One port's attachment to a <see cref="VirtualSwitch"/>: the port sends through it and leaves
/// with <see cref="Detach"/>. Sending after detaching does nothing.
/// </summary>
public sealed class SwitchPort
{
    private readonly VirtualSwitch _switch;

    internal SwitchPort(VirtualSwitch owner, IFramePort port)
    {
        _switch = owner;
        Port = port;
    }

    public IFramePort Port { get; }

    public string BridgeName => _switch.Name;

    /// <summary>Gives the switch a frame this port received (from its guest or host socket); callable from the port's thread.</summary>
    public void Send(EthernetFrame frame) => _switch.Forward(this, frame);

    public void Detach() => _switch.Detach(this);
}
