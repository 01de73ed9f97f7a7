using System.Buffers.Binary;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Builds a PV domain from a parsed kernel: allocates its RAM, copies the kernel and the boot module
/// (an initrd: start_info's mod_start is its virtual address, mod_len its length), writes the P2M
/// list, start_info, the XenStore and console pages, the hypercall page and the bootstrap page
/// tables (page-table pages mapped read-only), pins and installs the root table through the same
/// validation a guest is subject to, and returns vCPU 0's entry state.
/// </summary>
public static partial class DomainBuilder
{
    /// <summary>Offset of the console ring's connection byte (1 = back-end not yet connected).</summary>
    private const int ConsoleConnectionOffset = 3088;

    /// <summary>Builds the domain holding the machine's frame lock (other domains may be running on it).</summary>
    public static DomainBuildResult Build(Machine machine, XenElfImage image, DomainConfig config)
    {
        ArgumentNullException.ThrowIfNull(machine);
        lock (machine.FrameLock)
        {
            return BuildLocked(machine, image, config);
        }
    }

    private static DomainBuildResult BuildLocked(Machine machine, XenElfImage image, DomainConfig config)
    {
        if (!config.Id.IsRealDomain || machine.Find(config.Id) is not null)
        {
            return DomainBuildResult.Fail(DomainBuildError.BadDomainId, $"{config.Id} is reserved or already exists");
        }

        var commandLine = Encoding.UTF8.GetBytes(config.CommandLine);
        if (commandLine.Length >= StartInfoLayout.CmdLineLength)
        {
            return DomainBuildResult.Fail(DomainBuildError.CommandLineTooLong, $"command line of {commandLine.Length} bytes exceeds 1023");
        }

        if (BadUnboundPort(config, image.Width) is { } portDetail)
        {
            return DomainBuildResult.Fail(DomainBuildError.BadUnboundPort, portDetail);
        }

        var error = ComputeLayout(image, config.MemoryPages, out var layout, (ulong)(config.Module?.Length ?? 0));
        if (error != DomainBuildError.None)
        {
            var detail = error == DomainBuildError.LargerThanMemory
                ? $"kernel [{image.KernelStart:x}, {image.KernelEnd:x}){(config.Module is { Length: > 0 } m ? $", a module of {m.Length} bytes" : "")} plus boot structures needs more than {config.MemoryPages} pages"
                : "the bootstrap mapping leaves the guest's address space";
            return DomainBuildResult.Fail(error, detail);
        }

        if ((ulong)machine.Frames.FreeFrames < config.MemoryPages + 1)
        {
            return DomainBuildResult.Fail(DomainBuildError.OutOfMachineMemory, $"{config.MemoryPages + 1} frames needed, {machine.Frames.FreeFrames} free");
        }

        var domain = new PvDomainMemory(config.Id, image.Width, config.IsPrivileged);
        machine.Register(domain);
        var p2m = new ulong[config.MemoryPages];
        for (ulong pfn = 0; pfn < config.MemoryPages; pfn++)
        {
            if (!machine.TryAllocateFrame(config.Id, out p2m[pfn]))
            {
                throw new InvalidOperationException("free frames vanished while building a domain");
            }

            machine.MachineToPhys[p2m[pfn]] = pfn;
        }

        if (!machine.TryAllocateSharedPage(config.Id, out var sharedInfoMfn))
        {
            throw new InvalidOperationException("free frames vanished while building a domain");
        }

        var writer = new GuestWriter(machine.Memory, p2m, layout!.VirtBase);
        CopySegments(writer, image);
        if (config.Module is { Length: > 0 } module)
        {
            writer.Write(layout.ModuleVa, module);
        }

        WriteP2m(writer, layout, p2m, image.Width);
        if (layout.HypercallPagePfn is { } hypercallPfn)
        {
            HypercallPageWriter.Write(machine.Memory.Frame(p2m[hypercallPfn]), image.Width);
        }

        machine.Memory.Frame(p2m[layout.ConsolePfn])[ConsoleConnectionOffset] = 1;
        MaskAllEvents(machine.Memory.Frame(sharedInfoMfn));
        ulong startInfoMfn = p2m[layout.PfnOf(layout.StartInfoVa)];
        WriteStartInfo(machine.Memory.Frame(startInfoMfn), image.Width, config, layout, p2m, sharedInfoMfn, commandLine);
        ulong rootMfn = WritePageTables(machine.Memory, image.Width, layout, p2m);

        var vcpu = new PvVcpuMmu();
        var flush = new TlbFlushRequests();
        var pin = machine.PageTables.Pin(rootMfn, domain.RootType, domain);
        var install = pin == PageTableError.None ? machine.PageTables.NewBaseptr(domain, vcpu, rootMfn, flush) : pin;
        if (install != PageTableError.None)
        {
            throw new InvalidOperationException($"the builder's own bootstrap tables failed validation: {install}");
        }

        var state = InitialState(image, layout, rootMfn);
        return new DomainBuildResult(
            new BuiltDomain(config, image, domain, vcpu, p2m, sharedInfoMfn, startInfoMfn, layout, state),
            DomainBuildError.None,
            "");
    }

    /// <summary>Why the unbound ports asked for cannot be allocated, or null when they can.</summary>
    private static string? BadUnboundPort(DomainConfig config, GuestWidth width)
    {
        var seen = new HashSet<uint> { config.StoreEvtchn, config.ConsoleEvtchn };
        foreach (var unbound in config.UnboundPorts ?? [])
        {
            if (unbound.Port == 0 || unbound.Port >= (uint)width.EventChannelPorts() || !seen.Add(unbound.Port))
            {
                return $"port {unbound.Port} cannot be allocated unbound for {unbound.RemoteDom}";
            }
        }

        return null;
    }

    private static InitialVcpuState InitialState(XenElfImage image, BootLayout layout, ulong rootMfn)
    {
        ulong rsp = layout.StackVa + PageGeometry.PageSize;
        const ulong Flags = VcpuGuestContextFlags.InKernel | VcpuGuestContextFlags.Online;
        return image.Width == GuestWidth.Bits64
            ? new InitialVcpuState(image.Entry, rsp, layout.StartInfoVa, Selectors.KernelCs64, Selectors.KernelSs64, Selectors.KernelDs64,
                Cpl: 3, Cr3: rootMfn << 12, rootMfn, Rflags: 0x200, Flags, Dr6: 0xFFFF0FF0, Dr7: 0x400)
            : new InitialVcpuState(image.Entry, rsp, layout.StartInfoVa, Selectors.KernelCs32, Selectors.KernelDs32, Selectors.KernelDs32,
                Cpl: 1, Cr3: (uint)((rootMfn << 12) | (rootMfn >> 20)), rootMfn, Rflags: 0x200, Flags, Dr6: 0xFFFF0FF0, Dr7: 0x400);
    }

    private static void CopySegments(GuestWriter writer, XenElfImage image)
    {
        var file = image.File.Span;
        foreach (var segment in image.Segments)
        {
            ulong va = image.LoadAddress(segment);
            writer.Write(va, file.Slice((int)segment.FileOffset, (int)segment.FileSize));
            // The rest up to p_memsz is already zero: every frame was cleared when allocated.
        }
    }

    private static void WriteP2m(GuestWriter writer, BootLayout layout, ulong[] p2m, GuestWidth width)
    {
        int size = width.LongSize();
        var bytes = new byte[p2m.Length * size];
        for (int i = 0; i < p2m.Length; i++)
        {
            if (size == 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), p2m[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), (uint)p2m[i]);
            }
        }

        writer.Write(layout.P2mVa, bytes);
    }

    private static void MaskAllEvents(Span<byte> sharedInfo)
    {
        for (int vcpu = 0; vcpu < SharedInfoLayout.LegacyVcpuSlots; vcpu++)
        {
            sharedInfo[SharedInfoLayout.VcpuInfo(vcpu) + VcpuInfoLayout.EvtchnUpcallMask] = 1;
        }
    }

    private static void WriteStartInfo(Span<byte> page, GuestWidth width, DomainConfig config, BootLayout layout, ulong[] p2m, ulong sharedInfoMfn, byte[] commandLine)
    {
        var l = StartInfoLayout.For(width);
        Encoding.ASCII.GetBytes(width.Magic()).CopyTo(page[StartInfoLayout.Magic..]);

        WriteLong(page, l, l.NrPages, config.MemoryPages);
        WriteLong(page, l, l.SharedInfo, sharedInfoMfn << PageGeometry.PageShift);
        BinaryPrimitives.WriteUInt32LittleEndian(page[l.Flags..], config.IsPrivileged ? StartInfoFlags.Privileged | StartInfoFlags.InitDomain : 0);
        WriteLong(page, l, l.StoreMfn, p2m[layout.StorePfn]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[l.StoreEvtchn..], config.StoreEvtchn);
        WriteLong(page, l, l.ConsoleMfn, p2m[layout.ConsolePfn]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[l.ConsoleEvtchn..], config.ConsoleEvtchn);
        WriteLong(page, l, l.PtBase, layout.PageTablesVa);
        WriteLong(page, l, l.NrPtFrames, layout.PageTableFrames);
        WriteLong(page, l, l.MfnList, layout.P2mVa);
        WriteLong(page, l, l.ModStart, layout.ModuleVa);
        WriteLong(page, l, l.ModLen, layout.ModuleLength);
        commandLine.CopyTo(page[l.CmdLine..]);
    }

    private static void WriteLong(Span<byte> page, StartInfoLayout layout, int offset, ulong value)
    {
        if (layout.LongSize == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(page[offset..], value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(page[offset..], (uint)value);
        }
    }

    /// <summary>Writes the bootstrap tables (top level first, then L3s, L2s, L1s) and returns the root's MFN.</summary>
    private static ulong WritePageTables(MachineMemory memory, GuestWidth width, BootLayout layout, ulong[] p2m)
    {
        ulong virtBase = layout.VirtBase;
        ulong last = layout.MappedEnd - 1;
        ulong next = layout.PageTablesPfn;
        ulong root = p2m[next++];

        // Lower levels, each a list of (covered base, mfn), ascending.
        var levels = new List<(ulong Base, ulong Mfn)>[5];
        int[] bitsOf = [0, 21, 30, 39, 48];
        int lowestUpper = width == GuestWidth.Bits64 ? 3 : 2;
        for (int level = lowestUpper; level >= 1; level--)
        {
            levels[level] = [];
            if (width == GuestWidth.Bits32Pae && level == 2)
            {
                for (ulong i = 0; i < 4; i++)
                {
                    levels[level].Add((i << 30, p2m[next++]));
                }

                continue;
            }

            ulong span = 1ul << bitsOf[level];
            for (ulong b = virtBase & ~(span - 1); b <= last && b >= (virtBase & ~(span - 1)); b += span)
            {
                levels[level].Add((b, p2m[next++]));
                if (b + span == 0)
                {
                    break;
                }
            }
        }

        int topLevel = lowestUpper + 1;
        ulong topFlags = width == GuestWidth.Bits64 ? PteFlags.BuilderUpperLevel : PteFlags.Present;
        foreach (var (b, mfn) in levels[lowestUpper])
        {
            int slot = width == GuestWidth.Bits64 ? (int)((b >> 39) & 511) : (int)((b >> 30) & 3);
            memory.WriteEntry(root, slot, (mfn << 12) | topFlags);
        }

        for (int level = lowestUpper; level >= 2; level--)
        {
            ulong span = 1ul << bitsOf[level];
            foreach (var (b, mfn) in levels[level])
            {
                foreach (var (childBase, childMfn) in levels[level - 1])
                {
                    if (childBase >= b && childBase - b < span)
                    {
                        memory.WriteEntry(mfn, (int)((childBase >> bitsOf[level - 1]) & 511), (childMfn << 12) | PteFlags.BuilderUpperLevel);
                    }
                }
            }
        }

        ulong tablesFirst = layout.PageTablesPfn;
        ulong tablesEnd = tablesFirst + layout.PageTableFrames;
        foreach (var (b, mfn) in levels[1])
        {
            for (ulong va = Math.Max(b, virtBase); va - b < (1ul << 21) && va <= last; va += PageGeometry.PageSize)
            {
                ulong pfn = (va - virtBase) >> PageGeometry.PageShift;
                bool isTable = pfn >= tablesFirst && pfn < tablesEnd;
                memory.WriteEntry(mfn, (int)((va >> 12) & 511), (p2m[pfn] << 12) | (isTable ? PteFlags.BuilderL1ReadOnly : PteFlags.BuilderL1Writable));
                if (va + PageGeometry.PageSize == 0)
                {
                    break;
                }
            }
        }

        if (next != tablesEnd || topLevel < 3)
        {
            throw new InvalidOperationException($"page-table count mismatch: wrote {next - tablesFirst}, planned {layout.PageTableFrames}");
        }

        return root;
    }

    /// <summary>Writes bytes at bootstrap-mapped guest virtual addresses (VA = virt_base + pfn * 4 KiB).</summary>
    private sealed class GuestWriter(MachineMemory memory, ulong[] p2m, ulong virtBase)
    {
        public void Write(ulong va, ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                ulong pfn = (va - virtBase) >> PageGeometry.PageShift;
                int offset = (int)(va & 0xFFF);
                int chunk = Math.Min(bytes.Length, PageGeometry.PageSize - offset);
                bytes[..chunk].CopyTo(memory.Frame(p2m[pfn])[offset..]);
                bytes = bytes[chunk..];
                va += (ulong)chunk;
            }
        }
    }
}
