using ActorVisor.Config.Domain;
using ActorVisor.Config.Xl;

namespace ActorVisor.Config.Tests;

public class XlConfigTests
{
    private static XlDomainConfig Load(string name)
    {
        var result = XlConfigLoader.LoadFile(TestData.Data("xl", name));
        Assert.True(result.IsSuccess, result.ErrorText);
        return result.Value!;
    }

    [Fact]
    public void Minimal_file_takes_the_rest_from_reference_conf()
    {
        var d = Load("minimal.cfg").Domain;
        Assert.Equal("minimal", d.Name);
        Assert.Equal(DomainType.Pv, d.Type);
        Assert.Equal(128L << 20, d.MemoryBytes);
        Assert.Equal(d.MemoryBytes, d.MaxMemoryBytes);
        Assert.Equal(1, d.Vcpus);
        Assert.Equal(new SchedulerParameters(256, 0), d.Scheduler);
        Assert.Equal(LifecycleAction.Restart, d.OnReboot);
        Assert.Empty(d.Disks);
    }

    [Fact]
    public void Debian_style_file_with_legacy_disks_root_and_extra()
    {
        var d = Load("debian.cfg").Domain;
        Assert.Equal("deb", d.Name);
        Assert.Equal(2, d.Vcpus);
        Assert.Equal(512L << 20, d.MemoryBytes);
        Assert.Equal(1024L << 20, d.MaxMemoryBytes);
        Assert.Equal("root=/dev/xvda2 ro elevator=noop", d.Cmdline);
        Assert.Equal("/boot/initrd.img-6.1.0-13-amd64", d.Ramdisk);
        Assert.Equal(new DiskSpec("/srv/xen/domains/deb/disk.img", DiskFormat.Raw, "xvda2", DiskAccess.ReadWrite, DiskDeviceType.Disk, null), d.Disks[0]);
        Assert.Equal("xvda1", d.Disks[1].Vdev);
        Assert.Equal("00:16:3E:AB:CD:EF", d.Vifs[0].Mac);
        Assert.Equal("10.0.0.5", d.Vifs[0].Ip);
        Assert.Equal(LifecycleAction.Restart, d.OnCrash);
    }

    [Fact]
    public void Modern_file_with_keyed_disks_cdrom_and_ignored_settings_as_warnings()
    {
        var loaded = Load("modern.cfg");
        var d = loaded.Domain;
        Assert.Equal("web", d.Name);
        Assert.Equal(4, d.Vcpus);
        Assert.Equal(new SchedulerParameters(512, 150), d.Scheduler);
        Assert.Equal(3, d.Disks.Count);
        Assert.Equal(new DiskSpec("disk.img", DiskFormat.Raw, "xvda", DiskAccess.ReadWrite, DiskDeviceType.Disk, null), d.Disks[0]);
        Assert.Equal(new DiskSpec("/root/image.iso", DiskFormat.Raw, "hdc", DiskAccess.ReadOnly, DiskDeviceType.Cdrom, null), d.Disks[1]);
        Assert.Equal("/images/with,comma.qcow2", d.Disks[2].Target);
        Assert.Equal(DiskFormat.Qcow2, d.Disks[2].Format);
        Assert.Equal(2, d.Vifs.Count);
        Assert.Null(d.Vifs[1].Mac);
        Assert.Equal(LifecycleAction.Preserve, d.OnCrash);
        Assert.Equal(["uuid", "serial"], loaded.Warnings.Select(w => w.Path));
        Assert.Equal(15, loaded.Warnings[0].Origin.Line);
    }

    [Theory]
    [InlineData("/dev/vg/guest-volume,,hda")]
    [InlineData("/dev/vg/guest-volume,raw,hda,rw")]
    [InlineData("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume")]
    [InlineData("raw:/dev/vg/guest-volume,hda,w")]
    public void Equivalent_disk_specs_from_the_xl_manual_parse_the_same(string spec)
    {
        Assert.True(DiskSpecParser.TryParse(spec, out var disk, out var problem), problem?.ToString());
        Assert.Equal(new DiskSpec("/dev/vg/guest-volume", DiskFormat.Raw, "hda", DiskAccess.ReadWrite, DiskDeviceType.Disk, null), disk);
    }

    [Theory]
    [InlineData("/root/image.iso,,hdc,cdrom")]
    [InlineData("/root/image.iso,,hdc,,cdrom")]
    [InlineData("/root/image.iso,raw,hdc,devtype=cdrom")]
    [InlineData("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso")]
    [InlineData("raw:/root/image.iso,hdc:cdrom,ro")]
    public void Equivalent_cdrom_specs_from_the_xl_manual_parse_the_same(string spec)
    {
        Assert.True(DiskSpecParser.TryParse(spec, out var disk, out var problem), problem?.ToString());
        Assert.Equal(new DiskSpec("/root/image.iso", DiskFormat.Raw, "hdc", DiskAccess.ReadOnly, DiskDeviceType.Cdrom, null), disk);
    }

    [Fact]
    public void A_parameter_given_twice_is_rejected()
    {
        Assert.False(DiskSpecParser.TryParse("vdev=xvda, vdev=xvdb, target=x", out _, out var problem));
        Assert.Contains("twice", problem!.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void Vif_spec_reads_every_key()
    {
        Assert.True(VifSpecParser.TryParse("mac=00:16:3e:00:00:01, bridge=xenbr0, ip=10.0.0.1, backend=net0, vifname=v1, model=e1000, rate=10Mb/s, script=vif-bridge", out var vif, out _));
        Assert.Equal(new VifSpec("00:16:3e:00:00:01", "xenbr0", "10.0.0.1", "net0", "v1", "e1000", "10Mb/s", "vif-bridge"), vif);
    }

    [Theory]
    [InlineData("mac=01:16:3e:00:00:01", "multicast")]
    [InlineData("mac=ff:ff:ff:ff:ff:ff", "multicast")]
    [InlineData("mac=00:00:00:00:00:00", "00:00:00:00:00:00")]
    [InlineData("mac=00:16:3e:00:00", "00:16:3e:00:00")]
    [InlineData("mac=00-16-3e-00-00-01", "00-16-3e-00-00-01")]
    public void A_vif_mac_that_no_station_may_use_or_that_is_malformed_is_refused(string spec, string found)
    {
        Assert.False(VifSpecParser.TryParse(spec, out _, out var problem));
        Assert.Contains(found, problem!.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multicast_vif_mac_in_an_xl_file_is_a_located_error()
    {
        var result = XlConfigLoader.LoadString("name = \"web\"\nkernel = \"k\"\nvif = [ 'bridge=xenbr0', 'mac=03:00:00:00:00:01' ]\n", "web.cfg");
        var error = Assert.Single(result.Errors).ToString();
        Assert.StartsWith("web.cfg:3:", error, StringComparison.Ordinal);
        Assert.Contains("unicast MAC", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Xl_errors_are_located_and_worded_like_hocon_errors()
    {
        var result = XlConfigLoader.LoadString("name = \"web\"\nkernel = \"k\"\nmemory = 'lots'\n", "web.cfg");
        Assert.Equal("web.cfg:3:10: memory: expected a whole number, found \"lots\"", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Semicolons_separate_settings_and_hex_numbers_are_read()
    {
        var d = XlConfigLoader.LoadString("name = 'x'; kernel = 'k'; memory = 0x40", "x.cfg").Value!.Domain;
        Assert.Equal(64L << 20, d.MemoryBytes);
    }

    [Fact]
    public void Settings_of_an_xl_file_can_be_read_as_written_for_display()
    {
        var settings = XlConfigLoader.ReadSettings(TestData.Data("xl", "modern.cfg"));
        Assert.True(settings.IsSuccess, settings.ErrorText);
        Assert.Equal(256, settings.Value!.GetInt("memory"));
        Assert.Equal(3, settings.Value.GetStringList("disk").Count);
    }
}
