using System.Buffers.Binary;
using System.Text;
using ActorVisor.Devices.Console;
using ActorVisor.Devices.Rings;
using Xunit;

namespace ActorVisor.Devices.Tests;

public sealed class ConsoleBackendTests
{
    // Writes as a guest would: bytes into out[], then out_prod.
    private static void GuestWrite(byte[] page, string text)
    {
        var prod = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutProducerOffset));
        foreach (var b in Encoding.ASCII.GetBytes(text))
        {
            page[ConsoleRingLayout.OutOffset + (int)(prod++ & (ConsoleRingLayout.OutBytes - 1))] = b;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutProducerOffset), prod);
    }

    [Fact]
    public void Complete_lines_come_out_and_a_partial_line_waits_for_its_newline()
    {
        var page = new byte[4096];
        var backend = new ConsoleBackend();
        var lines = new List<string>();
        GuestWrite(page, "hello\r\nwor");
        Assert.Equal(ConsoleDrainError.None, backend.Drain(page, lines, out var consumed));
        Assert.Equal(["hello"], lines);
        Assert.Equal(10, consumed);
        GuestWrite(page, "ld\n");
        backend.Drain(page, lines, out _);
        Assert.Equal(["hello", "world"], lines);
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutConsumerOffset)));
    }

    [Fact]
    public void Output_that_wraps_around_the_ring_and_the_32_bit_index_is_read_in_order()
    {
        var page = new byte[4096];
        // Start both indices just below 2^32 so the free-running counters wrap mid-line.
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutProducerOffset), uint.MaxValue - 2);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutConsumerOffset), uint.MaxValue - 2);
        var backend = new ConsoleBackend();
        var lines = new List<string>();
        GuestWrite(page, "wrapping line\n");
        backend.Drain(page, lines, out _);
        Assert.Equal(["wrapping line"], lines);
    }

    [Fact]
    public void A_guest_that_overruns_the_ring_is_reported_and_nothing_outside_the_ring_is_read()
    {
        var page = new byte[4096];
        page.AsSpan(ConsoleRingLayout.OutOffset, ConsoleRingLayout.OutBytes).Fill((byte)'x');
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutProducerOffset), 1_000_000);
        var backend = new ConsoleBackend();
        var lines = new List<string>();
        Assert.Equal(ConsoleDrainError.ProducerOverran, backend.Drain(page, lines, out var consumed));
        Assert.Equal(ConsoleRingLayout.OutBytes, consumed);
        Assert.Equal(1_000_000u, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(ConsoleRingLayout.OutConsumerOffset)));
    }

    [Fact]
    public void A_line_without_newline_is_cut_at_the_limit()
    {
        var page = new byte[4096];
        var backend = new ConsoleBackend();
        var lines = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            GuestWrite(page, new string('a', 2000));
            backend.Drain(page, lines, out _);
        }
        Assert.Single(lines);
        Assert.Equal(ConsoleBackend.MaxLineChars, lines[0].Length);
        Assert.Equal(6000 - ConsoleBackend.MaxLineChars, backend.FlushPartialLine()!.Length);
    }

    [Fact]
    public void Input_fills_the_in_ring_up_to_its_free_space()
    {
        var page = new byte[4096];
        Assert.Equal(3, ConsoleBackend.Feed(page, "ls\n"u8));
        Assert.Equal((byte)'l', page[ConsoleRingLayout.InOffset]);
        Assert.Equal(ConsoleRingLayout.InBytes - 3, ConsoleBackend.Feed(page, new byte[5000]));
        Assert.Equal(0, ConsoleBackend.Feed(page, "more"u8));
    }
}

public sealed class SharedRingTests
{
    [Theory]
    [InlineData(112, 32)]
    [InlineData(108, 32)]
    [InlineData(12, 256)]
    [InlineData(8, 256)]
    public void Entry_count_is_the_space_after_the_header_rounded_down_to_a_power_of_two(int entryBytes, int expected) =>
        Assert.Equal(expected, SharedRingHeader.EntryCount(4096, entryBytes));

    [Theory]
    [InlineData(0u, 1u, 1u, true)]
    [InlineData(0u, 5u, 3u, true)]
    [InlineData(3u, 5u, 3u, false)]
    [InlineData(5u, 9u, 10u, false)]
    [InlineData(uint.MaxValue - 1, 2u, 0u, true)]
    [InlineData(uint.MaxValue - 1, 2u, 5u, false)]
    public void Producer_notifies_only_when_the_consumer_event_lies_in_the_published_range(uint oldProd, uint newProd, uint evt, bool notify) =>
        Assert.Equal(notify, RingNotification.ShouldNotify(oldProd, newProd, evt));

    [Fact]
    public void Initialising_a_ring_sets_producers_to_zero_and_event_indices_to_one()
    {
        var page = new byte[4096];
        page.AsSpan().Fill(0xAA);
        var header = new SharedRingHeader(page);
        header.Initialise();
        Assert.Equal(0u, header.RequestProducer);
        Assert.Equal(1u, header.RequestEvent);
        Assert.Equal(0u, header.ResponseProducer);
        Assert.Equal(1u, header.ResponseEvent);
        Assert.Equal(0xAA, page[64]);
    }
}
