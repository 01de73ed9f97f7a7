using ActorVisor.Devices.Block;
using ActorVisor.Devices.Faults;
using Xunit;
using static ActorVisor.Devices.Tests.Block.TestBlockFrontend;

namespace ActorVisor.Devices.Tests.Block;

/// <summary>
/// Issue 13, the device side: a block back-end that crashes, hangs or is held back at any point of
/// a request, then re-attaches to the same ring, answers every request exactly once with the right
/// data on disk and in the read buffers; host I/O faults are error responses; a gone image closes.
/// </summary>
public sealed class BlockBackendRecoveryTests : IDisposable
{
    private const long DiskSectors = 256;
    private const int Requests = 4;

    private readonly TempImage _file = new(DiskSectors * 512);
    private readonly ScriptedFaults _faults = new();
    private readonly BlockBackend _backend;
    private readonly TestBlockFrontend _front = new();

    public BlockBackendRecoveryTests()
    {
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(_file.Path, readOnly: false, out var image));
        _backend = new BlockBackend(image!) { Faults = _faults };
        Assert.Null(_backend.Connect(_front.Link));
    }

    public void Dispose()
    {
        _backend.Dispose();
        _file.Dispose();
    }

    [Theory]
    [InlineData(FaultPoint.RequestTaken, 2, 3)]
    [InlineData(FaultPoint.BeforeData, 2, 3)]
    [InlineData(FaultPoint.AfterData, 2, 3)]
    [InlineData(FaultPoint.ResponsePushed, 2, 2)]
    [InlineData(FaultPoint.AfterData, 4, 1)]
    public void Writes_crashed_at_any_point_are_answered_once_after_reattach_and_on_disk(FaultPoint point, int crashAt, int replayed)
    {
        _faults.At(point, crashAt, FaultEffect.Crash);
        var pages = SendWrites();

        var crash = Assert.Throws<InjectedCrashException>(() => _backend.Service());
        Assert.Equal(point, crash.Point);
        var before = _front.TakeResponses();
        Assert.Equal(crashAt - (point == FaultPoint.ResponsePushed ? 0 : 1), before.Count);

        var result = _backend.Reattach(_front.Link);

        Assert.True(result.Recovered);
        Assert.Equal(replayed, result.Replayed);
        var all = before.Concat(_front.TakeResponses()).ToList();
        Assert.Equal(Enumerable.Range(1, Requests).Select(i => (ulong)i), all.Select(r => r.Id).Order());
        Assert.All(all, r => Assert.Equal(Okay, r.Status));
        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(_front.Grants.Page(pages[i]), _file.ReadBytes(SectorOf(i) * 512, 4096));
        }

        Assert.Equal(["crash", "reattach", "replay"], _faults.Steps.Select(s => s.Step));
        Assert.StartsWith($"{replayed} requests", _faults.Detail("replay"), StringComparison.Ordinal);
        Assert.True(_front.Channel.Notifications > 0);
        Assert.False(_backend.HasUnansweredWork);
    }

    [Theory]
    [InlineData(FaultPoint.RequestTaken)]
    [InlineData(FaultPoint.HostRead)]
    [InlineData(FaultPoint.AfterData)]
    [InlineData(FaultPoint.ResponsePushed)]
    public void Reads_crashed_at_any_point_are_read_again_into_their_buffers_once(FaultPoint point)
    {
        var expected = new byte[Requests][];
        for (var i = 0; i < Requests; i++)
        {
            expected[i] = Pattern(i + 40);
            _file.WriteBytes(SectorOf(i) * 512, expected[i]);
        }

        _faults.At(point, 3, FaultEffect.Crash);
        var buffers = new uint[Requests];
        for (var i = 0; i < Requests; i++)
        {
            buffers[i] = _front.Grants.Grant();
            _front.Queue(_front.ReadWrite(OpRead, (ulong)(i + 1), (ulong)SectorOf(i), (buffers[i], 0, 7)));
        }

        _front.Push();
        Assert.Throws<InjectedCrashException>(() => _backend.Service());
        var before = _front.TakeResponses();
        Assert.True(_backend.Reattach(_front.Link).Recovered);

        var all = before.Concat(_front.TakeResponses()).ToList();
        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, all.Select(r => r.Id).Order());
        Assert.All(all, r => Assert.Equal(Okay, r.Status));
        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(expected[i], _front.Grants.Page(buffers[i]));
        }
    }

    [Fact]
    public void Repeated_crashes_during_replay_still_answer_each_request_once()
    {
        _faults.At(FaultPoint.AfterData, 1, FaultEffect.Crash)
            .At(FaultPoint.AfterData, 2, FaultEffect.Crash)
            .At(FaultPoint.ResponsePushed, 2, FaultEffect.Crash);
        var pages = SendWrites();

        Assert.Throws<InjectedCrashException>(() => _backend.Service());
        Assert.Throws<InjectedCrashException>(() => _backend.Reattach(_front.Link));
        Assert.Throws<InjectedCrashException>(() => _backend.Reattach(_front.Link));
        Assert.True(_backend.Reattach(_front.Link).Recovered);

        var all = _front.TakeResponses();
        Assert.Equal([1UL, 2, 3, 4], all.Select(r => r.Id));
        Assert.Equal(_front.Grants.Page(pages[3]), _file.ReadBytes(SectorOf(3) * 512, 4096));
        Assert.Equal(3, _faults.Steps.Count(s => s.Step == "crash"));
        Assert.Equal(1, _front.Grants.MappedPages);
    }

    [Fact]
    public void A_hang_stops_all_progress_without_blocking_until_reattached()
    {
        _faults.At(FaultPoint.HostWrite, 2, FaultEffect.Hang);
        SendWrites();

        Assert.Equal(1, _backend.Service());
        Assert.True(_backend.Hung);
        Assert.True(_backend.HasUnansweredWork);
        Assert.Equal(Requests - 1, _backend.UnansweredRequests);
        Assert.Equal(0, _backend.Service());
        Assert.Single(_front.TakeResponses());
        var progress = _backend.Progress;

        var result = _backend.Reattach(_front.Link);

        Assert.Equal(3, result.Replayed);
        Assert.Equal([2UL, 3, 4], _front.TakeResponses().Select(r => r.Id));
        Assert.Equal(progress + 3, _backend.Progress);
        Assert.False(_backend.Hung);
    }

    [Theory]
    [InlineData(FaultPoint.RequestTaken)]
    [InlineData(FaultPoint.HostWrite)]
    [InlineData(FaultPoint.HostFlush)]
    public void A_delay_holds_the_request_back_until_resumed_then_answers_it_once(FaultPoint point)
    {
        _faults.At(point, 1, FaultEffect.Delay, delayNs: 5_000);
        var page = _front.Grants.Grant(Pattern(7));
        _front.Send(_front.ReadWrite(OpFlushDiskCache, 9, 16, (page, 0, 7)));

        Assert.Equal(0, _backend.Service());
        Assert.Equal(5_000, _backend.TakeHoldBackNs());
        Assert.Equal(0, _backend.TakeHoldBackNs());
        Assert.Empty(_front.TakeResponses());
        Assert.True(_backend.HasUnansweredWork);
        Assert.Equal(0, _backend.Service());

        Assert.Equal(1, _backend.ResumeHeld());

        Assert.Equal(new Response(9, OpFlushDiskCache, Okay), _front.TakeOnlyResponse());
        Assert.Equal(Pattern(7), _file.ReadBytes(16 * 512, 4096));
        Assert.Equal(1, _faults.Asked(point));
    }

    [Theory]
    [InlineData(FaultEffect.IoError)]
    [InlineData(FaultEffect.NoSpace)]
    public void Failed_host_writes_answer_an_error_and_leave_the_disk_alone(FaultEffect effect)
    {
        _faults.At(FaultPoint.HostWrite, 1, effect);
        var page = _front.Grants.Grant(Pattern(3));
        _front.Send(_front.ReadWrite(OpWrite, 5, 8, (page, 0, 7)));
        _backend.Service();

        Assert.Equal(new Response(5, OpWrite, Error), _front.TakeOnlyResponse());
        Assert.Equal(new byte[4096], _file.ReadBytes(8 * 512, 4096));
        Assert.Empty(_faults.Steps);
    }

    [Fact]
    public void A_short_write_stores_the_first_half_then_answers_an_error()
    {
        _faults.At(FaultPoint.HostWrite, 1, FaultEffect.ShortWrite);
        var data = Pattern(4);
        _front.Send(_front.ReadWrite(OpWrite, 6, 8, (_front.Grants.Grant(data), 0, 7)));
        _backend.Service();

        Assert.Equal(Error, _front.TakeOnlyResponse().Status);
        Assert.Equal(data.AsSpan(0, 2048).ToArray(), _file.ReadBytes(8 * 512, 2048));
        Assert.Equal(new byte[2048], _file.ReadBytes(8 * 512 + 2048, 2048));
    }

    [Fact]
    public void A_failed_host_read_answers_an_error()
    {
        _faults.At(FaultPoint.HostRead, 1, FaultEffect.IoError);
        _front.Send(_front.ReadWrite(OpRead, 2, 0, (_front.Grants.Grant(), 0, 7)));
        _backend.Service();

        Assert.Equal(new Response(2, OpRead, Error), _front.TakeOnlyResponse());
    }

    [Fact]
    public void A_dropped_notification_leaves_the_response_on_the_ring_unannounced()
    {
        _faults.At(FaultPoint.NotifyFrontend, 1, FaultEffect.Drop);
        _front.Send(_front.ReadWrite(OpRead, 2, 0, (_front.Grants.Grant(), 0, 7)));
        _backend.Service();

        Assert.Equal(0, _front.Channel.Notifications);
        Assert.Equal(Okay, _front.TakeOnlyResponse().Status);
    }

    [Fact]
    public void An_image_gone_at_reattach_answers_pending_requests_with_errors_and_refuses()
    {
        _faults.At(FaultPoint.AfterData, 2, FaultEffect.Crash);
        SendWrites();
        Assert.Throws<InjectedCrashException>(() => _backend.Service());
        File.Delete(_file.Path);

        var result = _backend.Reattach(_front.Link);

        Assert.False(result.Recovered);
        Assert.Contains(_file.Path, result.Failure, StringComparison.Ordinal);
        var responses = _front.TakeResponses();
        Assert.Equal([1UL, 2, 3, 4], responses.Select(r => r.Id));
        Assert.Equal([Okay, Error, Error, Error], responses.Select(r => r.Status));
        Assert.False(_backend.Connected);
        Assert.Equal(0, _front.Grants.MappedPages);
    }

    private static long SectorOf(int request) => 8 * (request + 1);

    private static byte[] Pattern(int seed)
    {
        var page = new byte[4096];
        new Random(seed).NextBytes(page);
        return page;
    }

    /// <summary>Queues <see cref="Requests"/> one-page writes (ids 1..n) of distinct data to distinct sectors and pushes them.</summary>
    private uint[] SendWrites()
    {
        var pages = new uint[Requests];
        for (var i = 0; i < Requests; i++)
        {
            pages[i] = _front.Grants.Grant(Pattern(i + 1));
            _front.Queue(_front.ReadWrite(OpWrite, (ulong)(i + 1), (ulong)SectorOf(i), (pages[i], 0, 7)));
        }

        _front.Push();
        return pages;
    }
}
