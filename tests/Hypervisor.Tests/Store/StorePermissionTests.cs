using ActorVisor.Abi;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class StorePermissionTests
{
    [Fact]
    public void A_guest_cannot_read_or_write_the_control_domains_nodes()
    {
        var store = WithGuests();
        store.WriteString(Dom0, "/tool/secret", "s");

        Assert.Equal(StoreError.AccessDenied, store.Read(Guest, 0, "/tool/secret", out _));
        Assert.Equal(StoreError.AccessDenied, store.WriteString(Guest, "/tool/secret", "x"));
        Assert.Equal(StoreError.AccessDenied, store.WriteString(Guest, "/tool/new", "x"));
        Assert.Equal(StoreError.AccessDenied, store.Remove(Guest, 0, "/tool/secret"));
        Assert.Equal("s", store.ReadString(Dom0, "/tool/secret"));
    }

    [Fact]
    public void A_guest_cannot_touch_another_guests_home()
    {
        var store = WithGuests();
        store.WriteString(Other, "name", "other");

        Assert.Equal(StoreError.AccessDenied, store.Read(Guest, 0, "/local/domain/2/name", out _));
        Assert.Equal(StoreError.AccessDenied, store.WriteString(Guest, "/local/domain/2/x", "1"));
    }

    [Fact]
    public void A_node_a_guest_creates_inherits_the_parents_permissions_with_the_guest_as_owner()
    {
        var store = WithGuests();
        store.Mkdir(Dom0, 0, "/shared");
        store.SetPermissions(Dom0, 0, "/shared", [new StorePermission(Dom0, StoreAccess.Read), new StorePermission(Guest, StoreAccess.Write)]);

        Assert.Equal(StoreError.None, store.WriteString(Guest, "/shared/mine", "v"));

        Assert.Equal(StoreError.None, store.GetPermissions(Dom0, 0, "/shared/mine", out var permissions));
        Assert.Equal([new StorePermission(Guest, StoreAccess.Read), new StorePermission(Guest, StoreAccess.Write)], permissions.ToArray());
        Assert.Equal(StoreError.AccessDenied, store.Read(Guest, 0, "/shared", out _));
    }

    [Fact]
    public void A_listed_domain_gets_its_entry_and_others_the_default()
    {
        var store = WithGuests();
        store.WriteString(Guest, "frontend", "f");
        Assert.Equal(StoreError.None, store.SetPermissions(Guest, 0, "frontend", [new StorePermission(Guest, StoreAccess.None), new StorePermission(Other, StoreAccess.Read)]));

        Assert.Equal("f", store.ReadString(Other, "/local/domain/1/frontend"));
        Assert.Equal(StoreError.AccessDenied, store.WriteString(Other, "/local/domain/1/frontend", "x"));
        Assert.Equal(StoreError.AccessDenied, store.Read(new DomId(3), 0, "/local/domain/1/frontend", out _));
    }

    [Fact]
    public void Only_the_owner_or_the_control_domain_may_set_permissions()
    {
        var store = WithGuests();
        store.WriteString(Guest, "frontend", "f");
        store.SetPermissions(Guest, 0, "frontend", [new StorePermission(Guest, StoreAccess.None), new StorePermission(Other, StoreAccess.Both)]);

        Assert.Equal(StoreError.AccessDenied, store.SetPermissions(Other, 0, "/local/domain/1/frontend", [new StorePermission(Guest, StoreAccess.Both)]));
    }

    [Fact]
    public void A_guest_may_not_give_its_node_away()
    {
        var store = WithGuests();
        store.WriteString(Guest, "mine", "m");

        Assert.Equal(StoreError.NotPermitted, store.SetPermissions(Guest, 0, "mine", [new StorePermission(Other, StoreAccess.None)]));
        Assert.Equal(StoreError.None, store.SetPermissions(Dom0, 0, "/local/domain/1/mine", [new StorePermission(Other, StoreAccess.None)]));
    }

    [Theory]
    [InlineData("r5", 5, StoreAccess.Read)]
    [InlineData("w0", 0, StoreAccess.Write)]
    [InlineData("b32752", 32752, StoreAccess.Both)]
    [InlineData("n7", 7, StoreAccess.None)]
    public void Permissions_have_a_letter_and_domid_wire_form(string text, ushort domain, StoreAccess access)
    {
        Assert.True(StorePermission.TryParse(text, out var permission));
        Assert.Equal(new StorePermission(new DomId(domain), access), permission);
        Assert.Equal(text, permission.ToWire());
    }

    [Theory]
    [InlineData("")]
    [InlineData("r")]
    [InlineData("x1")]
    [InlineData("r-1")]
    [InlineData("r70000")]
    public void Malformed_permissions_do_not_parse(string text)
    {
        Assert.False(StorePermission.TryParse(text, out _));
    }

    [Fact]
    public void Node_quota_stops_a_guest_at_its_limit_but_not_the_control_domain()
    {
        var store = WithGuests(new StoreQuotas(MaxNodesPerDomain: 5));

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(StoreError.None, store.WriteString(Guest, $"n{i}", "v"));
        }

        Assert.Equal(StoreError.NoSpace, store.WriteString(Guest, "n4", "v"));
        Assert.Equal(StoreError.NoSpace, store.WriteString(Guest, "deep/er", "v"));
        Assert.Equal(StoreError.None, store.Remove(Guest, 0, "n0"));
        Assert.Equal(StoreError.None, store.WriteString(Guest, "n4", "v"));
        Assert.Equal(StoreError.None, store.WriteString(Dom0, "/tool/dom0made", "v"));
    }

    [Fact]
    public void Value_size_quota_applies_to_guests()
    {
        var store = WithGuests(new StoreQuotas(MaxValueBytes: 16));

        Assert.Equal(StoreError.None, store.WriteString(Guest, "v", new string('x', 16)));
        Assert.Equal(StoreError.NoSpace, store.WriteString(Guest, "v", new string('x', 17)));
    }

    [Fact]
    public void Nodes_owned_follows_creation_removal_and_owner_changes()
    {
        var store = WithGuests();
        int before = store.NodesOwned[Guest];
        store.WriteString(Guest, "a/b/c", "v");
        Assert.Equal(before + 3, store.NodesOwned[Guest]);

        store.Remove(Guest, 0, "a");

        Assert.Equal(before, store.NodesOwned[Guest]);
    }
}
