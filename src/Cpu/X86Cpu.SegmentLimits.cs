using System.Runtime.CompilerServices;

namespace ActorVisor.Cpu;

/// <summary>
/// Segment limit checks in protected mode (16- and 32-bit code, not long or compatibility mode's flat
/// segments, not real mode): each segment register has a valid offset range [low, low + span], limit
/// for expand-up segments and (limit, 0xFFFF or 0xFFFFFFFF] for expand-down data segments. An offset
/// outside the range turns the effective address into a sentinel above 4 GiB that no TLB entry holds,
/// so the access takes the slow path, where the fill raises #GP(0), or #SS(0) for SS. Invariant: in
/// 64-bit mode every range is the whole address space, so the check never fires and costs one compare.
/// The first byte of an access is checked; an access that starts inside and runs past the limit is
/// not caught. Code fetch checks RIP against CS's limit when a block is looked up.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ulong LimitSentinel = 1UL << 40;

    /// <summary>Valid offset ranges: [0..7] the low end per segment register, [8..15] the span above it.</summary>
    private readonly ulong[] _segRangeStore = InitialRanges();

    private static ulong[] InitialRanges()
    {
        var ranges = new ulong[16];
        ranges.AsSpan(8).Fill(ulong.MaxValue);
        return ranges;
    }

    /// <summary>Recomputes the valid offset ranges after a segment register or the mode changed.</summary>
    private void UpdateSegmentLimits()
    {
        var checkedMode = _mode is CpuMode.Protected32 or CpuMode.Protected16;
        for (var i = 0; i < 8; i++)
        {
            _segRangeStore[i] = 0;
            _segRangeStore[8 + i] = ulong.MaxValue;
            if (!checkedMode || i >= 6)
            {
                continue;
            }
            var s = _segments[i];
            if (((s.Selector & 0xFFFC) == 0 && i != 1) || !s.Present)
            {
                continue;
            }
            var expandDown = (s.Attributes & 0x1C) == 0x14;
            if (expandDown)
            {
                var upper = s.DefaultBig ? 0xFFFFFFFFUL : 0xFFFFUL;
                _segRangeStore[i] = (ulong)s.Limit + 1;
                _segRangeStore[8 + i] = upper - ((ulong)s.Limit + 1);
            }
            else
            {
                _segRangeStore[8 + i] = s.Limit;
            }
        }
        _codeLimited = checkedMode && _segRangeStore[9] < 0xFFFFFFFF;
    }

    /// <summary>True in protected mode when CS does not span 4 GiB: blocks are then cut at its limit.</summary>
    private bool _codeLimited;

    /// <summary>How many of a block's first <paramref name="count"/> instructions end within CS's limit (the next one faults when fetched).</summary>
    private int InstructionsWithinCodeLimit(DecodedOp* first, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!WithinLimit(1, first[i].NextRip - 1))
            {
                return i;
            }
        }
        return count;
    }

    /// <summary>Whether an offset lies in the segment's valid range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool WithinLimit(int segment, ulong offset) => offset - _segRangeStore[segment] <= _segRangeStore[8 + segment];

    /// <summary>The sentinel linear address for an offset outside segment <paramref name="segment"/>'s limit.</summary>
    private static ulong LimitViolation(byte segment) => LimitSentinel | segment;

    /// <summary>In the TLB fill: a sentinel address raises #SS(0) for SS and #GP(0) otherwise.</summary>
    private bool RaiseLimitFault(ulong linear) =>
        (linear & 7) == 2 ? RaiseFault(ExceptionVector.StackFault, 0) : RaiseGp();
}
