using System.Runtime.InteropServices;

namespace ActorVisor.Cpu.Tests.Support;

/// <summary>
/// Runs one instruction on the host processor: an executable page holds a stub that loads RAX..R15
/// (except RSP) and RFLAGS from a buffer, executes the instruction, and stores them back.
/// Buffer layout: 16 GPR slots in encoding order (slot 4 unused), RFLAGS at slot 16, the MXCSR loaded
/// before the instruction at slot 20 and stored after it at slot 21 (the host's own MXCSR is saved in
/// slot 22 and restored), XMM0-15 at slots 32-63.
/// </summary>
public sealed unsafe partial class NativeExecutor : IDisposable
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int ProtExec = 4;
    private const int MapPrivate = 2;
    private const int MapAnonymous = 0x20;

    private const int MxcsrInSlot = 20;
    private const int MxcsrOutSlot = 21;
    private const int HostMxcsrSlot = 22;

    private readonly byte* _page;
    private readonly ulong* _buffer;
    private readonly int _instructionOffset;

    public NativeExecutor()
    {
        _page = (byte*)Mmap(0, 8192, ProtRead | ProtWrite | ProtExec, MapPrivate | MapAnonymous, -1, 0);
        if ((nint)_page == -1)
        {
            throw new InvalidOperationException("mmap of an executable page failed");
        }
        _buffer = (ulong*)(_page + 4096);
        _buffer[MxcsrInSlot] = 0x1F80;
        var code = new List<byte>();
        code.AddRange([0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57]);
        code.Add(0x57);
        code.AddRange([0xFF, 0xB7, 0x80, 0x00, 0x00, 0x00]);
        code.Add(0x9D);
        for (var x = 0; x < 16; x++)
        {
            code.AddRange(MovdquXmm(x, load: true));
        }
        code.AddRange(MxcsrAccess(HostMxcsrSlot, load: false));
        code.AddRange(MxcsrAccess(MxcsrInSlot, load: true));
        foreach (var r in new[] { 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15 })
        {
            code.AddRange(MovRegFromRdi(r));
        }
        code.AddRange(MovRegFromRdi(7));
        _instructionOffset = code.Count;
        Marshal.Copy(code.ToArray(), 0, (nint)_page, code.Count);
        Epilogue = BuildEpilogue();
    }

    private byte[] Epilogue { get; }

    /// <summary>The GPR and flag slots the stub loads and stores.</summary>
    public Span<ulong> Slots => new(_buffer, 17);

    /// <summary>The MXCSR the instruction runs under (0x1F80 unless set; keep the exception masks set, an unmasked exception would kill the process).</summary>
    public uint Mxcsr
    {
        get => (uint)_buffer[MxcsrInSlot];
        set => _buffer[MxcsrInSlot] = value;
    }

    /// <summary>The MXCSR after the instruction.</summary>
    public uint MxcsrAfter => (uint)_buffer[MxcsrOutSlot];

    /// <summary>XMM0-15 as (low, high) pairs, loaded before and stored after the instruction.</summary>
    public Span<ulong> Xmm => new(_buffer + 32, 32);

    /// <summary>A 256-byte scratch area next to the slots, for memory operands.</summary>
    public ulong DataAddress => (ulong)(_buffer + 64);

    public Span<byte> Data => new(_buffer + 64, 256);

    /// <summary>Executes <paramref name="instruction"/> with the slots as input and output.</summary>
    public void Execute(ReadOnlySpan<byte> instruction)
    {
        instruction.CopyTo(new Span<byte>(_page + _instructionOffset, instruction.Length));
        Epilogue.CopyTo(new Span<byte>(_page + _instructionOffset + instruction.Length, Epilogue.Length));
        ((delegate* unmanaged<ulong*, void>)_page)(_buffer);
    }

    /// <summary>MOVDQU xmm, [rdi + 256 + 16x] (load) or MOVDQU [rdi + 256 + 16x], xmm (store).</summary>
    private static byte[] MovdquXmm(int x, bool load)
    {
        var bytes = new List<byte> { 0xF3 };
        if (x >= 8)
        {
            bytes.Add(0x44);
        }
        var disp = 256 + (16 * x);
        bytes.AddRange([0x0F, (byte)(load ? 0x6F : 0x7F), (byte)(0x87 | ((x & 7) << 3)), (byte)disp, (byte)(disp >> 8), 0, 0]);
        return [.. bytes];
    }

    /// <summary>LDMXCSR [rdi + 8 * slot] (load) or STMXCSR [rdi + 8 * slot].</summary>
    private static byte[] MxcsrAccess(int slot, bool load) => [0x0F, 0xAE, (byte)(load ? 0x97 : 0x9F), (byte)(8 * slot), 0, 0, 0];

    private static byte[] MovRegFromRdi(int r)
    {
        var rex = (byte)(0x48 | (r >= 8 ? 4 : 0));
        return [rex, 0x8B, (byte)(0x87 | ((r & 7) << 3)), (byte)(r * 8), 0, 0, 0];
    }

    private static byte[] MovRegToRdi(int r)
    {
        var rex = (byte)(0x48 | (r >= 8 ? 4 : 0));
        return [rex, 0x89, (byte)(0x87 | ((r & 7) << 3)), (byte)(r * 8), 0, 0, 0];
    }

    private static byte[] BuildEpilogue()
    {
        var code = new List<byte>();
        code.Add(0x57);
        code.AddRange([0x48, 0x8B, 0x7C, 0x24, 0x08]);
        for (var x = 0; x < 16; x++)
        {
            code.AddRange(MovdquXmm(x, load: false));
        }
        code.AddRange(MxcsrAccess(MxcsrOutSlot, load: false));
        code.AddRange(MxcsrAccess(HostMxcsrSlot, load: true));
        foreach (var r in new[] { 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15 })
        {
            code.AddRange(MovRegToRdi(r));
        }
        code.Add(0x58);
        code.AddRange(MovRegToRdi(0).AsSpan(0, 3).ToArray());
        code.AddRange([0x38, 0, 0, 0]);
        code.Add(0x9C);
        code.Add(0x58);
        code.AddRange([0x48, 0x89, 0x87, 0x80, 0, 0, 0]);
        code.Add(0x5F);
        code.AddRange([0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B]);
        code.Add(0xC3);
        return [.. code];
    }

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);

    public void Dispose() => Munmap((nint)_page, 8192);
}
