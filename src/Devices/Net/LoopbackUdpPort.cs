using System.Net;
using System.Net.Sockets;

namespace ActorVisor.Devices.Net;

/// <summary>
/// A switch port on the host's loopback for tests and host tools: every frame the switch delivers
/// goes out as one UDP datagram to a peer on 127.0.0.1, and every datagram the port's socket
/// receives (one Ethernet frame each) goes into the switch. Both ends must be 127.0.0.1: the
/// virtual network is never bridged to any other address. Receiving is polled
/// (<see cref="Poll"/>, from the host's thread or a test), so the port starts no thread of its own.
/// </summary>
public sealed class LoopbackUdpPort : IFramePort, IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _peer;
    private readonly byte[] _buffer = new byte[NetifLayout.MaxTxPacketBytes];
    private SwitchPort? _uplink;
    private long _sent;
    private long _received;
    private long _refused;

    private LoopbackUdpPort(Socket socket, IPEndPoint peer, string name)
    {
        _socket = socket;
        _peer = peer;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Where the socket is bound (the port number is the system's choice when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public long FramesSent => Interlocked.Read(ref _sent);

    public long FramesReceived => Interlocked.Read(ref _received);

    /// <summary>Datagrams not taken: shorter than an Ethernet header, or from an address other than 127.0.0.1.</summary>
    public long DatagramsRefused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Binds a UDP socket to <paramref name="local"/> and sends to <paramref name="peer"/>; both must be
    /// 127.0.0.1 (any other address is refused with the reason in <paramref name="error"/>).
    /// </summary>
    public static bool TryOpen(IPEndPoint local, IPEndPoint peer, out LoopbackUdpPort? port, out string? error, string name = "loopback")
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(peer);
        port = null;
        if (!local.Address.Equals(IPAddress.Loopback) || !peer.Address.Equals(IPAddress.Loopback))
        {
            error = $"the host endpoint binds and sends to 127.0.0.1 only, not {local.Address} / {peer.Address}";
            return false;
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(local);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"cannot bind 127.0.0.1:{local.Port}: {e.SocketErrorCode}";
            return false;
        }
        socket.Blocking = false;
        error = null;
        port = new LoopbackUdpPort(socket, peer, name);
        return true;
    }

    public void Plug(VirtualSwitch bridge)
    {
        _uplink?.Detach();
        _uplink = bridge.Attach(this);
    }

    /// <summary>A frame from the switch, sent to the peer (any thread; a full socket buffer drops it, as a wire would).</summary>
    public void Deliver(EthernetFrame frame)
    {
        try
        {
            _socket.SendTo(frame.Bytes.Span, SocketFlags.None, _peer);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _refused);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Takes every datagram waiting on the socket into the switch without blocking; returns how many frames went in.</summary>
    public int Poll()
    {
        var taken = 0;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (_socket.Available > 0)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(_buffer, ref from);
            }
            catch (SocketException)
            {
                break;
            }
            if (length < NetifLayout.EthernetHeaderBytes || !((IPEndPoint)from).Address.Equals(IPAddress.Loopback))
            {
                Interlocked.Increment(ref _refused);
                continue;
            }
            Interlocked.Increment(ref _received);
            _uplink?.Send(new EthernetFrame(_buffer.AsSpan(0, length).ToArray()));
            taken++;
        }
        return taken;
    }

    public void Dispose()
    {
        _uplink?.Detach();
        _uplink = null;
        _socket.Dispose();
    }
}
