using System.Runtime.InteropServices;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// The host's "physical" memory: one native allocation of 4 KiB machine frames, zeroed at start.
/// On Linux the range is an anonymous MAP_NORESERVE mapping, so frames cost host memory only once
/// touched; elsewhere it is an ordinary zeroed allocation.
/// Every guest frame, page table and hypervisor page lives here; the CPU reads guest page tables
/// and guest memory through <see cref="FramePointer"/>. Frame numbers are MFNs.
/// </summary>
public sealed unsafe partial class MachineMemory : IDisposable
{
    private const int ProtReadWrite = 3;
    private const int MapPrivateAnonymousNoReserve = 0x02 | 0x20 | 0x4000;

    private byte* _base;
    private bool _mapped;

    /// <summary>Allocates <paramref name="frameCount"/> zeroed frames.</summary>
    public MachineMemory(ulong frameCount)
    {
        ArgumentOutOfRangeException.ThrowIfZero(frameCount);
        FrameCount = frameCount;
        var bytes = (nuint)(frameCount * PageGeometry.PageSize);
        if (OperatingSystem.IsLinux())
        {
            var p = Mmap(0, bytes, ProtReadWrite, MapPrivateAnonymousNoReserve, -1, 0);
            if (p == -1)
            {
                throw new OutOfMemoryException($"cannot reserve {bytes} bytes of machine memory");
            }

            _base = (byte*)p;
            _mapped = true;
        }
        else
        {
            _base = (byte*)NativeMemory.AlignedAlloc(bytes, PageGeometry.PageSize);
            NativeMemory.Clear(_base, bytes);
        }
    }

    /// <summary>Number of machine frames.</summary>
    public ulong FrameCount { get; }

    /// <summary>Total size in bytes.</summary>
    public ulong SizeBytes => FrameCount * PageGeometry.PageSize;

    /// <summary>Returns the host address of frame <paramref name="mfn"/>, or null when the frame does not exist.</summary>
    public byte* FramePointer(ulong mfn)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return mfn < FrameCount ? _base + (mfn << PageGeometry.PageShift) : null;
    }

    /// <summary>True when <paramref name="mfn"/> names an existing frame.</summary>
    public bool Contains(ulong mfn) => mfn < FrameCount;

    /// <summary>The bytes of one existing frame.</summary>
    public Span<byte> Frame(ulong mfn)
    {
        var p = FramePointer(mfn);
        if (p == null)
        {
            throw new ArgumentOutOfRangeException(nameof(mfn), mfn, "no such machine frame");
        }

        return new Span<byte>(p, PageGeometry.PageSize);
    }

    /// <summary>Reads the 8-byte page-table entry <paramref name="index"/> of frame <paramref name="mfn"/>.</summary>
    public ulong ReadEntry(ulong mfn, int index) => ((ulong*)FramePointerChecked(mfn))[index];

    /// <summary>Writes the 8-byte page-table entry <paramref name="index"/> of frame <paramref name="mfn"/>.</summary>
    public void WriteEntry(ulong mfn, int index, ulong value) => ((ulong*)FramePointerChecked(mfn))[index] = value;

    /// <summary>Zeroes one frame.</summary>
    public void ClearFrame(ulong mfn) => Frame(mfn).Clear();

    private byte* FramePointerChecked(ulong mfn)
    {
        var p = FramePointer(mfn);
        if (p == null)
        {
            throw new ArgumentOutOfRangeException(nameof(mfn), mfn, "no such machine frame");
        }

        return p;
    }

    public void Dispose()
    {
        if (_base != null)
        {
            if (_mapped)
            {
                _ = Munmap((nint)_base, (nuint)SizeBytes);
            }
            else
            {
                NativeMemory.AlignedFree(_base);
            }

            _base = null;
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
