using System.Diagnostics;
using System.Globalization;
using ActorVisor.Devices.Block;
using ActorVisor.Devices.Tests;
using ActorVisor.Devices.Tests.Block;
using Microsoft.Win32.SafeHandles;

namespace ActorVisor.Devices.Bench;

/// <summary>
/// Block back-end throughput against the host file it serves, in one run: 64 KiB sequential write
/// and read (MB/s) and 4 KiB random read and write (IOPS), each pattern once through BlockBackend
/// (a front-end in test memory puts a full ring of requests, the back-end services it, the
/// front-end takes the responses; 64 KiB requests are indirect with 16 segments, as Linux's
/// blkfront sends them) and once directly with RandomAccess on the same file, same offsets, same
/// sizes. No fsync in either (page cache warm on both sides), so the ratio is the back-end's own
/// cost: ring, grant copies and bookkeeping.
/// Usage: ActorVisor.Devices.Bench [--size-mib 256] [--random-ops 40000] [--runs 3] [--dir DIR].
/// </summary>
public static class Program
{
    private const int SmallBytes = 4096;
    private const int LargeBytes = 64 * 1024;
    private const int LargeSegments = LargeBytes / 4096;

    /// <summary>Requests in one run of the flushed pattern, and how often a flush comes (fsync costs milliseconds, so few).</summary>
    private const int FlushedOps = 1024;
    private const int FlushEvery = 32;

    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var sizeMib = Option(args, "--size-mib", 256);
        var randomOps = Option(args, "--random-ops", 40_000);
        var runs = Option(args, "--runs", 3);
        var directory = OptionText(args, "--dir") ?? Path.GetTempPath();
        var path = Path.Combine(directory, $"actorvisor-blk-bench-{Environment.ProcessId}.img");
        var sizeBytes = (long)sizeMib << 20;
        try
        {
            using (var create = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                create.SetLength(sizeBytes);
            }

            if (RawDiskImage.Open(path, readOnly: false, out var image) != DiskImageError.None)
            {
                System.Console.Error.WriteLine($"cannot open {path}");
                return 1;
            }

            using var backend = new BlockBackend(image!);
            using var native = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var bench = new Runner(backend, native, sizeBytes, randomOps);
            System.Console.WriteLine($"image {sizeMib} MiB at {path}; {randomOps} random ops per run; {runs} runs, median shown; load {File.ReadAllText("/proc/loadavg").Trim()}");
            System.Console.WriteLine($"{"pattern",-24} {"back-end",12} {"direct",12} {"ratio",7}");
            bench.Report("64 KiB seq write MB/s", runs, bench.SequentialBackend(write: true), bench.SequentialNative(write: true), perSecond: false);
            bench.Report("64 KiB seq read MB/s", runs, bench.SequentialBackend(write: false), bench.SequentialNative(write: false), perSecond: false);
            bench.Report("4 KiB random read IOPS", runs, bench.RandomBackend(write: false), bench.RandomNative(write: false), perSecond: true);
            bench.Report("4 KiB random write IOPS", runs, bench.RandomBackend(write: true), bench.RandomNative(write: true), perSecond: true);
            bench.Report("4 KiB write+fsync/32 IOPS", runs, bench.FlushedBackend(), bench.FlushedNative(), perSecond: true);
            System.Console.WriteLine($"back-end counters: {backend.Counters.Requests} requests, {backend.Counters.Errors} errors, {backend.Counters.Bytes >> 20} MiB");
            return backend.Counters.Errors == 0 ? 0 : 1;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>One pattern's work: runs it and returns (units done, seconds).</summary>
    private delegate (double Units, double Seconds) Pattern();

    private sealed class Runner
    {
        private readonly BlockBackend _backend;
        private readonly SafeFileHandle _native;
        private readonly long _sizeBytes;
        private readonly long[] _randomOffsets;
        private readonly TestBlockFrontend _front = new();
        private readonly uint[] _smallPages;
        private readonly uint[] _largeIndirect;
        private readonly byte[] _nativeBuffer = new byte[LargeBytes];

        public Runner(BlockBackend backend, SafeFileHandle native, long sizeBytes, int randomOps)
        {
            _backend = backend;
            _native = native;
            _sizeBytes = sizeBytes;
            var random = new Random(12);
            _randomOffsets = Enumerable.Range(0, randomOps).Select(_ => random.NextInt64(sizeBytes / SmallBytes) * SmallBytes).ToArray();
            if (backend.Connect(_front.Link) is { } refusal)
            {
                throw new InvalidOperationException(refusal);
            }

            var ring = (int)_front.RingSize;
            _smallPages = Enumerable.Range(0, ring).Select(_ => Fill(_front.Grants.Grant())).ToArray();
            _largeIndirect = new uint[ring];
            for (var slot = 0; slot < ring; slot++)
            {
                var pages = Enumerable.Range(0, LargeSegments).Select(_ => (Fill(_front.Grants.Grant()), (byte)0, (byte)7)).ToList();
                _largeIndirect[slot] = _front.GrantIndirectPage(pages);
            }

            new Random(5).NextBytes(_nativeBuffer);
        }

        public Pattern SequentialBackend(bool write) => () =>
        {
            var count = (int)(_sizeBytes / LargeBytes);
            var op = write ? TestBlockFrontend.OpWrite : TestBlockFrontend.OpRead;
            var entries = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                entries[i] = _front.Indirect(op, (ulong)i, (ulong)(i * (LargeBytes / 512)), LargeSegments, _largeIndirect[i % _largeIndirect.Length]);
            }

            return (count * (double)LargeBytes / 1e6, Drive(entries));
        };

        public Pattern SequentialNative(bool write) => () =>
        {
            var count = (int)(_sizeBytes / LargeBytes);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                Native(write, _nativeBuffer, (long)i * LargeBytes);
            }

            return (count * (double)LargeBytes / 1e6, watch.Elapsed.TotalSeconds);
        };

        public Pattern RandomBackend(bool write) => () =>
        {
            var op = write ? TestBlockFrontend.OpWrite : TestBlockFrontend.OpRead;
            var entries = new byte[_randomOffsets.Length][];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = _front.ReadWrite(op, (ulong)i, (ulong)(_randomOffsets[i] / 512), (_smallPages[i % _smallPages.Length], 0, 7));
            }

            return (entries.Length, Drive(entries));
        };

        public Pattern RandomNative(bool write) => () =>
        {
            var buffer = _nativeBuffer.AsSpan(0, SmallBytes);
            var watch = Stopwatch.StartNew();
            foreach (var offset in _randomOffsets)
            {
                Native(write, buffer, offset);
            }

            return (_randomOffsets.Length, watch.Elapsed.TotalSeconds);
        };

        /// <summary>Random 4 KiB writes, every 32nd slot a flush (FLUSH_DISKCACHE, no segments): the durable path.</summary>
        public Pattern FlushedBackend() => () =>
        {
            var entries = new byte[FlushedOps][];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = i % FlushEvery == FlushEvery - 1
                    ? _front.ReadWrite(TestBlockFrontend.OpFlushDiskCache, (ulong)i, 0)
                    : _front.ReadWrite(TestBlockFrontend.OpWrite, (ulong)i, (ulong)(_randomOffsets[i] / 512), (_smallPages[i % _smallPages.Length], 0, 7));
            }

            return (entries.Length, Drive(entries));
        };

        public Pattern FlushedNative() => () =>
        {
            var buffer = _nativeBuffer.AsSpan(0, SmallBytes);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < FlushedOps; i++)
            {
                if (i % FlushEvery == FlushEvery - 1)
                {
                    RandomAccess.FlushToDisk(_native);
                }
                else
                {
                    RandomAccess.Write(_native, buffer, _randomOffsets[i]);
                }
            }

            return (FlushedOps, watch.Elapsed.TotalSeconds);
        };

        public void Report(string name, int runs, Pattern backend, Pattern native, bool perSecond)
        {
            // One warm-up of each, then alternate so both sides see the same machine.
            backend();
            native();
            var backendRates = new List<double>();
            var nativeRates = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (units, seconds) = backend();
                backendRates.Add(units / seconds);
                (units, seconds) = native();
                nativeRates.Add(units / seconds);
            }

            var b = Median(backendRates);
            var n = Median(nativeRates);
            var format = perSecond ? "F0" : "F1";
            System.Console.WriteLine($"{name,-24} {b.ToString(format, CultureInfo.InvariantCulture),12} {n.ToString(format, CultureInfo.InvariantCulture),12} {b / n,7:F2}");
        }

        /// <summary>Puts the requests on the ring a ring at a time, services each batch and checks every response.</summary>
        private double Drive(byte[][] entries)
        {
            var batch = (int)_front.RingSize;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < entries.Length; i += batch)
            {
                var end = Math.Min(entries.Length, i + batch);
                for (var j = i; j < end; j++)
                {
                    _front.Queue(entries[j]);
                }

                _front.Push();
                _backend.Service();
                foreach (var response in _front.TakeResponses())
                {
                    if (response.Status != TestBlockFrontend.Okay)
                    {
                        throw new InvalidOperationException($"request {response.Id} failed with {response.Status}");
                    }
                }
            }

            return watch.Elapsed.TotalSeconds;
        }

        private void Native(bool write, Span<byte> buffer, long offset)
        {
            if (write)
            {
                RandomAccess.Write(_native, buffer, offset);
            }
            else
            {
                RandomAccess.Read(_native, buffer, offset);
            }
        }

        private uint Fill(uint grant)
        {
            new Random((int)grant).NextBytes(_front.Grants.Page(grant));
            return grant;
        }

        private static double Median(List<double> values)
        {
            values.Sort();
            return values[values.Count / 2];
        }
    }
}
