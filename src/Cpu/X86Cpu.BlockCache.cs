using System.Runtime.CompilerServices;
using Iced.Intel;

namespace ActorVisor.Cpu;

/// <summary>
/// The decoded-block cache. A block is found through a direct-mapped table keyed by linear RIP and
/// checked against (RIP, physical address, mode), so a page mapped at two addresses or run in two modes
/// gets separate blocks; when the table's slot holds another block, the frame's list of blocks is
/// searched before decoding again (a large kernel otherwise re-decodes its hot code on every conflict). Every cached block is listed under its physical frame; a write into the frame
/// invalidates all of them (see the TLB invariant). A block whose last instruction crosses into the next
/// page is executed once and not cached.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const int BlockCacheSize = 4096;
    private const int MaxBlockOps = 48;

    private readonly DecodedBlock?[] _blockCache = new DecodedBlock?[BlockCacheSize];
    private readonly Dictionary<ulong, List<DecodedBlock>> _codeFrames = [];
    private readonly byte[] _fetchBuffer = new byte[0x1000 + 16];
    private readonly DecodedOp[] _decodeScratch = GC.AllocateArray<DecodedOp>(MaxBlockOps, pinned: true);
    private DecodedOp* _currentOps;
    private long _chainEpoch = 1;

    /// <summary>Number of blocks decoded so far; a measure of decode cost and of invalidation churn.</summary>
    public long BlocksDecoded { get; private set; }

    /// <summary>
    /// Invalidates the decoded code of one machine frame. The hypervisor calls it after writing guest
    /// memory itself (loading a kernel, emulating a write), so the next fetch decodes the new bytes.
    /// </summary>
    public void InvalidateCodeFrame(ulong frameNumber)
    {
        if (!_codeFrames.Remove(frameNumber, out var blocks))
        {
            return;
        }
        foreach (var block in blocks)
        {
            block.Valid = false;
            if (block.First == _currentOps)
            {
                StopRemainingOps(block);
            }
        }
    }

    /// <summary>Invalidates every decoded block (for example after the hypervisor rewrote memory wholesale).</summary>
    public void InvalidateAllCode()
    {
        foreach (var frame in _codeFrames.Keys.ToArray())
        {
            InvalidateCodeFrame(frame);
        }
        Array.Clear(_blockCache);
    }

    private static void StopRemainingOps(DecodedBlock block)
    {
        fixed (DecodedOp* ops = block.Ops)
        {
            for (var i = 0; i < block.Count; i++)
            {
                ops[i].Handler = &StopBeforeOp;
            }
        }
    }

    /// <summary>Finds the block at RIP, first through the previous block's links, then through the cache.</summary>
    private DecodedBlock? NextBlock(DecodedBlock? previous)
    {
        if (previous is not null)
        {
            var link = previous.Link0;
            if (link is not null && link.Rip == _rip && previous.LinkEpoch0 == _chainEpoch && link.Valid)
            {
                return link;
            }
            link = previous.Link1;
            if (link is not null && link.Rip == _rip && previous.LinkEpoch1 == _chainEpoch && link.Valid)
            {
                return link;
            }
        }
        var found = FindBlock();
        if (previous is not null && found is not null && found.Valid && previous.Valid)
        {
            if (previous.Link0 is null || previous.LinkEpoch0 != _chainEpoch)
            {
                previous.Link0 = found;
                previous.LinkEpoch0 = _chainEpoch;
            }
            else
            {
                previous.Link1 = found;
                previous.LinkEpoch1 = _chainEpoch;
            }
        }
        return found;
    }

    /// <summary>Stands in for the rest of a block whose code was just overwritten: leaves RIP at this instruction.</summary>
    private static bool StopBeforeOp(X86Cpu c, DecodedOp* op)
    {
        c._opRetired = false;
        return false;
    }

    private DecodedBlock? FindBlock()
    {
        var rip = _rip;
        if (!WithinLimit(1, rip))
        {
            RaiseGp();
            return null;
        }
        var linear = (rip + _segBase[1]) & _linearMask;
        var e = _tlbBase + TlbIndex(linear);
        if (e->ExecTag != ((linear & PageMask) | _tlbKey))
        {
            if (TranslateSlow(linear, Access.Execute) == null)
            {
                return null;
            }
            e = _tlbBase + TlbIndex(linear);
        }
        var physical = (e->Frame << 12) | (linear & 0xFFF);
        var slot = (int)((linear ^ (linear >> 12)) & (BlockCacheSize - 1));
        var block = _blockCache[slot];
        if (block is not null && block.Rip == rip && block.PhysicalAddress == physical && block.ModeKey == _modeKey && block.Valid)
        {
            block.Executions++;
            return block;
        }
        // A conflict in the direct-mapped table: the block may still be valid in its frame's list.
        if (_codeFrames.TryGetValue(physical >> 12, out var known))
        {
            foreach (var candidate in known)
            {
                if (candidate.Rip == rip && candidate.PhysicalAddress == physical && candidate.ModeKey == _modeKey && candidate.Valid)
                {
                    candidate.Executions++;
                    _blockCache[slot] = candidate;
                    return candidate;
                }
            }
        }
        block = DecodeBlock(rip, linear, physical, (byte*)((long)linear + e->Addend), out var cacheable);
        if (block is null)
        {
            return null;
        }
        if (cacheable)
        {
            _blockCache[slot] = block;
            RegisterCode(physical >> 12, block);
        }
        else
        {
            // Runs once and is never found or linked again, since its second page is not tracked.
            block.Valid = false;
        }
        return block;
    }

    private void RegisterCode(ulong frame, DecodedBlock block)
    {
        if (!_codeFrames.TryGetValue(frame, out var list))
        {
            list = [];
            _codeFrames[frame] = list;
            for (var i = 0; i < TlbSize; i++)
            {
                if (_tlbBase[i].Frame == frame)
                {
                    _tlbBase[i].WriteTag = EmptyTag;
                }
            }
        }
        list.Add(block);
    }

    private DecodedBlock? DecodeBlock(ulong rip, ulong linear, ulong physical, byte* host, out bool cacheable)
    {
        cacheable = true;
        var inPage = (int)(0x1000 - (linear & 0xFFF));
        new ReadOnlySpan<byte>(host, inPage).CopyTo(_fetchBuffer);
        var available = inPage;
        var nextPageChecked = false;
        var bitness = _mode switch
        {
            CpuMode.Long64 => 64,
            CpuMode.Protected32 or CpuMode.Compatibility => 32,
            _ => 16,
        };
        var ops = _decodeScratch;
        var count = 0;
        var offset = 0;
        while (count < MaxBlockOps)
        {
            var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(_fetchBuffer, offset, available - offset), rip + (ulong)offset);
            decoder.Decode(out var instruction);
            if (decoder.LastError == DecoderError.NoMoreBytes)
            {
                if (count > 0)
                {
                    break;
                }
                if (nextPageChecked || available > inPage)
                {
                    break;
                }
                nextPageChecked = true;
                var next = TranslateSlow((linear + (ulong)inPage) & _linearMask, Access.Execute);
                if (next == null)
                {
                    return null;
                }
                new ReadOnlySpan<byte>(next, 16).CopyTo(_fetchBuffer.AsSpan(inPage));
                available = inPage + 16;
                cacheable = false;
                continue;
            }
            if (offset + instruction.Length > inPage && count > 0)
            {
                break;
            }
            fixed (DecodedOp* op = &ops[count])
            {
                var ends = Translate(in instruction, op);
                count++;
                offset += instruction.Length;
                if (ends || offset >= inPage)
                {
                    break;
                }
            }
        }
        if (count == 0)
        {
            return null;
        }
        BlocksDecoded++;
        var exact = GC.AllocateArray<DecodedOp>(count, pinned: true);
        Array.Copy(ops, exact, count);
        return new DecodedBlock(rip, physical, _modeKey, exact, count) { First = (DecodedOp*)Unsafe.AsPointer(ref exact[0]) };
    }
}
