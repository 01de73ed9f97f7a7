using System.Text;
using ActorVisor.Devices.Console;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The console back-end of one domain: line-buffers console_io text and drains the console ring
/// page (notifying the guest when room was made). Complete lines are kept until they are emitted,
/// so that a slice running on a physical-CPU thread never calls the emitter: in parallel mode the
/// thread that ran the slice collects the lines (<see cref="Collect"/>, which touches the guest's
/// memory) and the vCPU actor emits them (<see cref="Emit"/>); <see cref="Drain"/> does both.
/// The host's seam hands it the guest's console_io text (<see cref="Write"/>) and makes it the
/// owner of the console port (sends on it call <see cref="Collect"/>).
/// </summary>
public sealed class GuestConsole
{
    private readonly Machine _machine;
    private readonly PvDomain _domain;
    private readonly ulong _ringMfn;
    private readonly uint _port;
    private readonly Action<string> _emit;
    private readonly ConsoleBackend _backend = new();
    private readonly List<string> _ringLines = [];
    private readonly StringBuilder _partial = new();
    private readonly List<string> _written = [];
    private readonly Lock _readyLock = new();
    private List<string> _ready = [];

    public GuestConsole(Machine machine, BuiltDomain built, PvDomain domain, Action<string> emit)
    {
        _machine = machine;
        _domain = domain;
        _ringMfn = built.P2m[(int)built.Layout.ConsolePfn];
        _port = built.Config.ConsoleEvtchn;
        _emit = emit;
        ConsoleBackend.Connect(machine.Memory.Frame(_ringMfn));
    }

    /// <summary>Reads every complete line waiting in the console ring and emits every complete line.</summary>
    public void Drain()
    {
        Collect();
        Emit();
    }

    /// <summary>Takes the complete console_io lines and the lines waiting in the ring, for <see cref="Emit"/>; runs where the guest's slices run.</summary>
    public void Collect()
    {
        _backend.Drain(_machine.Memory.Frame(_ringMfn), _ringLines, out int consumed);
        lock (_readyLock)
        {
            _ready.AddRange(_written);
            _ready.AddRange(_ringLines);
        }

        _written.Clear();
        _ringLines.Clear();
        if (consumed > 0)
        {
            _domain.Events.NotifyFromBackend(_port);
        }
    }

    /// <summary>Hands the collected lines to the emitter, in the order they were printed.</summary>
    public void Emit()
    {
        List<string> lines;
        lock (_readyLock)
        {
            lines = _ready;
            _ready = [];
        }

        foreach (var line in lines)
        {
            _emit(line);
        }
    }

    /// <summary>Emits what is left of unfinished lines (when the domain stops).</summary>
    public void Flush()
    {
        Drain();
        if (_partial.Length > 0)
        {
            _emit(_partial.ToString());
            _partial.Clear();
        }

        if (_backend.FlushPartialLine() is { } line)
        {
            _emit(line);
        }
    }

    /// <summary>Takes console_io text; complete lines wait for <see cref="Collect"/>. Runs where the guest's slices run.</summary>
    public void Write(string text)
    {
        foreach (char c in text)
        {
            if (c == '\n')
            {
                _written.Add(_partial.ToString());
                _partial.Clear();
            }
            else if (c != '\r')
            {
                _partial.Append(c);
            }
        }
    }
}
