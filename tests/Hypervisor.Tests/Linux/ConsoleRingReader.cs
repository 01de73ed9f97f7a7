using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// The back end's side of a domain's console ring (xencons_interface: in[1024], out[2048], then the
/// in_cons, in_prod, out_cons and out_prod indices), reduced to what a test needs: take what the
/// guest wrote and free the space, so that a guest waiting for room (Linux's hvc driver yields
/// until the ring drains) can go on.
/// </summary>
internal sealed class ConsoleRingReader(Machine machine, ulong ringMfn)
{
    private const int OutOffset = 1024;
    private const int OutSize = 2048;
    private const int OutConsOffset = 3080;
    private const int OutProdOffset = 3084;

    private readonly StringBuilder _text = new();

    /// <summary>Everything taken from the ring so far.</summary>
    public string Text => _text.ToString();

    public void Drain()
    {
        var page = machine.Memory.Frame(ringMfn);
        uint consumer = BinaryPrimitives.ReadUInt32LittleEndian(page[OutConsOffset..]);
        uint producer = BinaryPrimitives.ReadUInt32LittleEndian(page[OutProdOffset..]);
        if (producer - consumer > OutSize)
        {
            consumer = producer - OutSize;
        }

        for (; consumer != producer; consumer++)
        {
            _text.Append((char)page[OutOffset + (int)(consumer % OutSize)]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(page[OutConsOffset..], consumer);
    }
}
