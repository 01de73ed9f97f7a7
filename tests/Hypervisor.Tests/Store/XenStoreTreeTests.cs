using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class XenStoreTreeTests
{
    [Fact]
    public void A_written_value_reads_back_through_absolute_and_relative_paths()
    {
        var store = WithGuests();

        Assert.Equal(StoreError.None, store.WriteString(Guest, "device/vif/0/mac", "00:16:3e:00:00:01"));

        Assert.Equal("00:16:3e:00:00:01", store.ReadString(Guest, "/local/domain/1/device/vif/0/mac"));
        Assert.Equal("00:16:3e:00:00:01", store.ReadString(Guest, "device/vif/0/mac"));
    }

    [Fact]
    public void Writing_creates_the_missing_ancestors_with_empty_values()
    {
        var store = WithGuests();

        store.WriteString(Guest, "a/b/c", "x");

        Assert.Equal("", store.ReadString(Guest, "a/b"));
        Assert.Equal(StoreError.None, store.Directory(Guest, 0, "a", out var names));
        Assert.Equal(["b"], names);
    }

    [Fact]
    public void Directory_lists_the_children_by_name()
    {
        var store = WithGuests();
        store.Mkdir(Guest, 0, "d/zeta");
        store.Mkdir(Guest, 0, "d/alpha");
        store.WriteString(Guest, "d/mid", "v");

        Assert.Equal(StoreError.None, store.Directory(Guest, 0, "d", out var names));
        Assert.Equal(["alpha", "mid", "zeta"], names);
    }

    [Fact]
    public void Mkdir_of_an_existing_node_keeps_its_value()
    {
        var store = WithGuests();
        store.WriteString(Guest, "k", "kept");

        Assert.Equal(StoreError.None, store.Mkdir(Guest, 0, "k"));

        Assert.Equal("kept", store.ReadString(Guest, "k"));
    }

    [Fact]
    public void Remove_takes_the_whole_subtree()
    {
        var store = WithGuests();
        store.WriteString(Guest, "t/a/b", "1");
        store.WriteString(Guest, "t/c", "2");

        Assert.Equal(StoreError.None, store.Remove(Guest, 0, "t"));

        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "t/a/b", out _));
        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "t", out _));
    }

    [Fact]
    public void Removing_an_absent_node_is_fine_when_its_parent_exists_and_ENOENT_otherwise()
    {
        var store = WithGuests();

        Assert.Equal(StoreError.None, store.Remove(Guest, 0, "never"));
        Assert.Equal(StoreError.NoEntry, store.Remove(Guest, 0, "never/below"));
    }

    [Fact]
    public void The_root_cannot_be_removed()
    {
        Assert.Equal(StoreError.Invalid, new XenStore().Remove(Dom0, 0, "/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/a//b")]
    [InlineData("/a/")]
    [InlineData("/a b")]
    [InlineData("/a/ü")]
    [InlineData("@introduceDomain")]
    public void Malformed_paths_are_EINVAL(string path)
    {
        var store = WithGuests();

        Assert.Equal(StoreError.Invalid, store.WriteString(Dom0, path, "v"));
        Assert.Equal(StoreError.Invalid, store.Read(Dom0, 0, path, out _));
    }

    [Fact]
    public void A_path_longer_than_the_limit_is_EINVAL()
    {
        var store = WithGuests();
        string relative = string.Concat(Enumerable.Repeat("abcdefg/", 300)) + "x";

        Assert.Equal(StoreError.Invalid, store.WriteString(Guest, relative, "v"));
    }

    [Fact]
    public void Reading_an_absent_node_is_ENOENT()
    {
        Assert.Equal(StoreError.NoEntry, WithGuests().Read(Guest, 0, "nothing", out _));
    }

    [Fact]
    public void A_value_may_hold_any_bytes_including_NUL()
    {
        var store = WithGuests();
        byte[] value = [0, 1, 2, 0, 255];

        store.Write(Guest, 0, "bin", value);

        Assert.Equal(StoreError.None, store.Read(Guest, 0, "bin", out var back));
        Assert.Equal(value, back);
    }
}
