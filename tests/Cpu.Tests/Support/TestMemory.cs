using System.Runtime.InteropServices;

namespace ActorVisor.Cpu.Tests.Support;

/// <summary>A flat block of machine frames in native memory, as the hypervisor's machine memory will be.</summary>
public sealed unsafe class TestMemory : IPhysicalMemory, IDisposable
{
    private readonly byte* _base;

    public TestMemory(int frames)
    {
        Frames = frames;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)(frames * 4096), 4096);
        NativeMemory.Clear(_base, (nuint)(frames * 4096));
    }

    public int Frames { get; }

    public byte* TryGetFrame(ulong frameNumber) => frameNumber < (ulong)Frames ? _base + (frameNumber * 4096) : null;

    public Span<byte> Bytes(ulong address, int length) => new(_base + address, length);

    public ulong Read64(ulong address) => *(ulong*)(_base + address);

    public void Write64(ulong address, ulong value) => *(ulong*)(_base + address) = value;

    public void Dispose() => NativeMemory.AlignedFree(_base);
}
