using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;

namespace ActorVisor.Hypervisor.Tests.Boot;

public class XenElfLoaderTests
{
    private static TestElfBuilder Kernel64(ulong entry = 0x100000, ulong hypercall = 0x101000) =>
        new TestElfBuilder(true, 62) { Entry = entry }
            .Load(0x100000, 0x3000, 0x5000)
            .NoteSegment(TestElfBuilder.StandardNotes(entry, hypercall, is64: true));

    [Fact]
    public void A_well_formed_64_bit_kernel_is_accepted_with_its_notes()
    {
        var result = XenElfLoader.Parse(Kernel64(entry: 0x100010).Build());

        Assert.True(result.Succeeded, result.Detail);
        var image = result.Image!;
        Assert.Equal(GuestWidth.Bits64, image.Width);
        Assert.Equal(0x100010ul, image.Entry);
        Assert.Equal(0x101000ul, image.HypercallPage);
        Assert.Equal((0x100000ul, 0x105000ul), (image.KernelStart, image.KernelEnd));
        Assert.Equal(XenInfoSource.ProgramNotes, image.Info.Source);
        Assert.Equal("generic", image.Info.Loader);
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused()
    {
        var result = XenElfLoader.Parse(Encoding.ASCII.GetBytes("#!/bin/sh\necho not a kernel\n"));

        Assert.Equal(ElfLoadError.NotElf, result.Error);
        Assert.Null(result.Image);
    }

    [Fact]
    public void An_ELF_for_another_machine_is_refused()
    {
        var arm = new TestElfBuilder(true, 183).Load(0x100000, 16, 16).NoteSegment(TestElfBuilder.StandardNotes(0x100000, 0x100000, true));

        Assert.Equal(ElfLoadError.WrongMachine, XenElfLoader.Parse(arm.Build()).Error);
    }

    [Fact]
    public void An_ELF_without_Xen_notes_is_refused()
    {
        var plain = new TestElfBuilder(true, 62) { Entry = 0x100000 }.Load(0x100000, 16, 16);

        Assert.Equal(ElfLoadError.NoXenNotes, XenElfLoader.Parse(plain.Build()).Error);
    }

    [Fact]
    public void Overlapping_segments_are_refused()
    {
        var elf = Kernel64().Load(0x102000, 0x100, 0x100);

        Assert.Equal(ElfLoadError.OverlappingSegments, XenElfLoader.Parse(elf.Build()).Error);
    }

    [Fact]
    public void A_kernel_whose_loader_is_not_generic_is_refused()
    {
        var notes = TestElfBuilder.StringNote(5, "xen-3.0").Concat(TestElfBuilder.StringNote(8, "elsewhere")).ToArray();
        var elf = new TestElfBuilder(true, 62) { Entry = 0x100000 }.Load(0x100000, 16, 16).NoteSegment(notes);

        Assert.Equal(ElfLoadError.NotAXenImage, XenElfLoader.Parse(elf.Build()).Error);
    }

    [Fact]
    public void A_required_auto_translated_physmap_is_refused_for_PV()
    {
        var notes = TestElfBuilder.StandardNotes(0x100000, 0x100000, true).Concat(TestElfBuilder.StringNote(10, "!auto_translated_physmap")).ToArray();
        var elf = new TestElfBuilder(true, 62) { Entry = 0x100000 }.Load(0x100000, 16, 16).NoteSegment(notes);

        Assert.Equal(ElfLoadError.UnsupportedRequiredFeature, XenElfLoader.Parse(elf.Build()).Error);
    }

    [Fact]
    public void An_entry_outside_the_kernel_is_refused()
    {
        Assert.Equal(ElfLoadError.BadAddresses, XenElfLoader.Parse(Kernel64(entry: 0x900000).Build()).Error);
    }

    [Fact]
    public void Notes_only_in_a_SHT_NOTE_section_are_found()
    {
        var elf = new TestElfBuilder(true, 62) { Entry = 0x100000 }
            .Load(0x100000, 0x2000, 0x2000)
            .Section(".note.Xen", 7, TestElfBuilder.StandardNotes(0x100000, 0x101000, true));

        var result = XenElfLoader.Parse(elf.Build());

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(XenInfoSource.SectionNotes, result.Image!.Info.Source);
        Assert.Equal(0x101000ul, result.Image.HypercallPage);
    }

    [Fact]
    public void The_legacy_xen_guest_string_gives_a_hypercall_page_number_relative_to_virt_base()
    {
        var legacy = Encoding.ASCII.GetBytes("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,ELF_PADDR_OFFSET=0xC0000000,HYPERCALL_PAGE=0x102,LOADER=generic,PAE=yes\0");
        var elf = new TestElfBuilder(false, 3) { Entry = 0xC0100000 }
            .Load(0xC0100000, 0x3000, 0x3000)
            .Section("__xen_guest", 1, legacy);

        var result = XenElfLoader.Parse(elf.Build());

        Assert.True(result.Succeeded, result.Detail);
        var image = result.Image!;
        Assert.Equal(XenInfoSource.LegacyString, image.Info.Source);
        Assert.Equal(GuestWidth.Bits32Pae, image.Width);
        Assert.Equal(0xC0102000ul, image.HypercallPage);
        Assert.Equal(0xC0100000ul, image.KernelStart);
    }

    [Fact]
    public void A_32_bit_kernel_without_PAE_is_refused()
    {
        var elf = new TestElfBuilder(false, 3) { Entry = 0x100000 }
            .Load(0x100000, 16, 16)
            .NoteSegment(TestElfBuilder.StandardNotes(0x100000, 0x100000, is64: false, pae: "no"));

        Assert.Equal(ElfLoadError.NonPaeGuest, XenElfLoader.Parse(elf.Build()).Error);
    }

    [Fact]
    public void A_truncated_segment_is_refused()
    {
        var bytes = Kernel64().Build();

        Assert.Equal(ElfLoadError.Truncated, XenElfLoader.Parse(bytes.AsMemory(0, bytes.Length - 0x200)).Error);
    }

    [Theory]
    [InlineData("x86_64", GuestWidth.Bits64)]
    [InlineData("x86_32", GuestWidth.Bits32Pae)]
    public void The_built_hello_guest_carries_the_SDK_notes(string arch, GuestWidth width)
    {
        var result = XenElfLoader.Parse(GuestImages.Load(arch, "hello"));

        Assert.True(result.Succeeded, result.Detail);
        var image = result.Image!;
        Assert.Equal(width, image.Width);
        Assert.Equal(XenInfoSource.ProgramNotes, image.Info.Source);
        Assert.Equal(("xen-3.0", "generic", "ActorVisor-test"), (image.Info.XenVersion, image.Info.Loader, image.Info.GuestOs));
        Assert.Equal(0x100000ul, image.KernelStart);
        Assert.Equal(0x100000ul, image.Entry);
        Assert.Equal(0x101000ul, image.HypercallPage);
        Assert.Contains((int)ElfNoteType.Features, image.Info.NoteTypes);
    }
}
