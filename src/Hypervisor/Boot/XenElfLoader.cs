using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Parses and checks a Xen PV kernel (ELF32 or ELF64) the way Xen's libelf does: Xen metadata
/// from notes or the legacy string, the kernel range from PT_LOAD p_paddr values, and the
/// acceptance checks (loader, Xen version, features, addresses, overlapping segments).
/// </summary>
public static class XenElfLoader
{
    private static readonly Dictionary<string, XenFeature> FeatureNames = new(StringComparer.Ordinal)
    {
        ["writable_page_tables"] = XenFeature.WritablePageTables,
        ["writable_descriptor_tables"] = XenFeature.WritableDescriptorTables,
        ["auto_translated_physmap"] = XenFeature.AutoTranslatedPhysmap,
        ["supervisor_mode_kernel"] = XenFeature.SupervisorModeKernel,
        ["pae_pgdir_above_4gb"] = XenFeature.PaePgdirAbove4Gb,
        ["hvm_callback_vector"] = XenFeature.HvmCallbackVector,
        ["dom0"] = XenFeature.Dom0,
    };

    /// <summary>Features a PV guest may require here: everything named except auto_translated_physmap and supervisor_mode_kernel.</summary>
    private const uint AcceptableRequired = (1u << (int)XenFeature.WritablePageTables) | (1u << (int)XenFeature.WritableDescriptorTables)
        | (1u << (int)XenFeature.PaePgdirAbove4Gb) | (1u << (int)XenFeature.HvmCallbackVector) | (1u << (int)XenFeature.Dom0);

    /// <summary>Parses an ELF kernel, or a bzImage whose payload is one (which is unwrapped first).</summary>
    public static ElfParseResult Parse(ReadOnlyMemory<byte> file)
    {
        if (BzImage.IsBzImage(file.Span))
        {
            var unwrapped = BzImage.Unwrap(file.Span);
            if (!unwrapped.Succeeded)
            {
                return ElfParseResult.Fail(ElfLoadError.BadBzImage, $"bzImage: {unwrapped.Detail}");
            }

            file = unwrapped.Elf;
        }

        var error = ElfFile.TryOpen(file, out var elf);
        if (error != ElfLoadError.None)
        {
            return ElfParseResult.Fail(error, error == ElfLoadError.NotElf ? "the file does not start with the ELF magic" : "not a little-endian ELF executable");
        }

        GuestWidth width;
        if (elf!.Machine == ElfFile.MachineX8664 && elf.Is64)
        {
            width = GuestWidth.Bits64;
        }
        else if (elf.Machine == ElfFile.MachineI386 && !elf.Is64)
        {
            width = GuestWidth.Bits32Pae;
        }
        else
        {
            return ElfParseResult.Fail(ElfLoadError.WrongMachine, $"ELF machine {elf.Machine} is neither x86-64 nor i386 (or does not match the ELF class)");
        }

        error = XenNoteReader.Read(elf, out var info, out var detail);
        if (error != ElfLoadError.None)
        {
            return ElfParseResult.Fail(error, detail);
        }

        bool loaderOk = (info.Loader?.StartsWith("generic", StringComparison.Ordinal) ?? false)
            || (info.GuestOs?.StartsWith("linux", StringComparison.Ordinal) ?? false);
        if (!loaderOk || !(info.XenVersion?.StartsWith("xen-3.0", StringComparison.Ordinal) ?? false))
        {
            return ElfParseResult.Fail(ElfLoadError.NotAXenImage, $"LOADER '{info.Loader}' / GUEST_OS '{info.GuestOs}' / XEN_VERSION '{info.XenVersion}' do not describe a Xen PV kernel");
        }

        if (width == GuestWidth.Bits32Pae && !(info.PaeMode?.StartsWith("yes", StringComparison.Ordinal) == true || info.PaeMode == "bimodal"))
        {
            return ElfParseResult.Fail(ElfLoadError.NonPaeGuest, $"32-bit kernel with PAE mode '{info.PaeMode}': only PAE guests are supported");
        }

        error = ParseFeatures(info.Features, out var required, out var offered, out detail);
        if (error != ElfLoadError.None)
        {
            return ElfParseResult.Fail(error, detail);
        }

        offered |= info.SupportedFeatures;
        return Layout(elf, width, info, required, offered, file);
    }

    private static ElfParseResult Layout(ElfFile elf, GuestWidth width, XenGuestInfo info, uint required, uint offered, ReadOnlyMemory<byte> file)
    {
        var segments = new List<ElfSegment>();
        for (int i = 0; i < elf.ProgramHeaderCount; i++)
        {
            var ph = elf.ProgramHeader(i);
            if (ph.Type != ElfFile.PtLoad || (ph.Flags & 7) == 0)
            {
                continue;
            }

            if (!ElfFile.InFile(elf.Bytes, ph.Offset, ph.FileSize) || ph.FileSize > ph.MemSize)
            {
                return ElfParseResult.Fail(ElfLoadError.Truncated, $"PT_LOAD {i} lies beyond the end of the file");
            }

            segments.Add(new ElfSegment(ph.PAddr, ph.VAddr, ph.Offset, ph.FileSize, ph.MemSize, ph.Flags));
        }

        if (segments.Count == 0)
        {
            return ElfParseResult.Fail(ElfLoadError.NoLoadableSegments, "no PT_LOAD segment with R, W or X");
        }

        segments.Sort((a, b) => a.PhysicalAddress.CompareTo(b.PhysicalAddress));
        for (int i = 1; i < segments.Count; i++)
        {
            if (segments[i - 1].PhysicalAddress + segments[i - 1].MemorySize > segments[i].PhysicalAddress)
            {
                return ElfParseResult.Fail(ElfLoadError.OverlappingSegments, $"segments at paddr {segments[i - 1].PhysicalAddress:x} and {segments[i].PhysicalAddress:x} overlap");
            }
        }

        ulong pstart = segments[0].PhysicalAddress;
        ulong pend = segments.Max(s => s.PhysicalAddress + s.MemorySize);
        if (info.PaddrOffset is not null && info.VirtBase is null)
        {
            return ElfParseResult.Fail(ElfLoadError.PaddrOffsetWithoutVirtBase, "PADDR_OFFSET given without VIRT_BASE");
        }

        ulong virtBase = info.VirtBase ?? 0;
        ulong paddrOffset = info.PaddrOffset ?? (info.Source == XenInfoSource.LegacyString ? virtBase : 0);
        ulong virtOffset = virtBase - paddrOffset;
        ulong kstart = pstart + virtOffset;
        ulong kend = pend + virtOffset;
        ulong entry = info.Entry ?? elf.Entry;
        if (kstart > kend || entry < kstart || entry > kend || virtBase > kstart)
        {
            return ElfParseResult.Fail(ElfLoadError.BadAddresses, $"kernel [{kstart:x}, {kend:x}) entry {entry:x} virt_base {virtBase:x} are inconsistent");
        }

        if (info.InitP2m is { } p2m && p2m >= kstart && p2m < kend)
        {
            return ElfParseResult.Fail(ElfLoadError.BadAddresses, $"INIT_P2M {p2m:x} lies inside the kernel");
        }

        bool fits = width == GuestWidth.Bits64
            ? HypervisorLayout.IsCanonical(kstart) && HypervisorLayout.IsCanonical(kend - 1)
                && !(kstart < HypervisorLayout.VirtEnd64 && kend > HypervisorLayout.VirtStart64)
            : kend <= HypervisorLayout.CompatVirtStart32;
        if (!fits)
        {
            return ElfParseResult.Fail(ElfLoadError.AddressOutsideGuestSpace, $"kernel [{kstart:x}, {kend:x}) is not in guest address space");
        }

        if (info.HypercallPage is { } hp && (hp < virtBase || hp < kstart || hp >= kend))
        {
            return ElfParseResult.Fail(ElfLoadError.BadAddresses, $"hypercall page {hp:x} lies outside the kernel");
        }

        var image = new XenElfImage(width, entry, virtBase, virtOffset, kstart, kend, info.HypercallPage, required, offered, info, segments, file);
        return new ElfParseResult(image, ElfLoadError.None, "");
    }

    private static ElfLoadError ParseFeatures(string? features, out uint required, out uint offered, out string detail)
    {
        required = 0;
        offered = 0;
        detail = "";
        if (string.IsNullOrEmpty(features))
        {
            return ElfLoadError.None;
        }

        foreach (var raw in features.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool isRequired = raw.StartsWith('!');
            var name = isRequired ? raw[1..] : raw;
            if (!FeatureNames.TryGetValue(name, out var feature))
            {
                if (isRequired)
                {
                    detail = $"required feature '{name}' is unknown";
                    return ElfLoadError.UnsupportedRequiredFeature;
                }

                continue;
            }

            uint bit = 1u << (int)feature;
            offered |= bit;
            if (isRequired)
            {
                if ((AcceptableRequired & bit) == 0)
                {
                    detail = $"required feature '{name}' is not available to PV guests here";
                    return ElfLoadError.UnsupportedRequiredFeature;
                }

                required |= bit;
            }
        }

        return ElfLoadError.None;
    }
}
