using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

public sealed class MacAddressTests
{
    [Theory]
    [InlineData("00:16:3e:00:00:01", 0x00163E000001UL)]
    [InlineData("FF:ff:FF:ff:FF:ff", 0xFFFFFFFFFFFFUL)]
    public void Parses_and_prints_the_colon_form(string text, ulong value)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal(value, mac.Value);
        Assert.Equal(text.ToLowerInvariant(), mac.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00:16:3e:00:00")]
    [InlineData("00-16-3e-00-00-01")]
    [InlineData("00:16:3e:00:00:0g")]
    [InlineData("00:16:3e:00:00:001")]
    public void Refuses_malformed_text(string text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void The_toolstack_choice_is_xens_oui_then_domain_id_and_vif_index_and_always_unicast()
    {
        Assert.Equal("00:16:3e:00:07:02", MacAddress.ForVif(7, 2).ToString());
        Assert.Equal("00:16:3e:7f:f0:ff", MacAddress.ForVif(0x7FF0, 255).ToString());
        var all = new HashSet<MacAddress>();
        for (var dom = 0; dom < 40; dom++)
        {
            for (var vif = 0; vif < 4; vif++)
            {
                var mac = MacAddress.ForVif(dom, vif);
                Assert.True(mac.IsValidSource);
                Assert.Equal(mac, MacAddress.ForVif(dom, vif));
                Assert.True(all.Add(mac));
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => MacAddress.ForVif(1, 256));
    }

    [Fact]
    public void The_group_bit_is_bit_zero_of_the_first_octet()
    {
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.True(new MacAddress(0x01005E000001).IsMulticast);
        Assert.False(new MacAddress(0x02005E000001).IsMulticast);
        Assert.False(new MacAddress(0).IsValidSource);
        Assert.Throws<ArgumentException>(() => new NetBackend(new MacAddress(0x01005E000001)));
    }

    [Fact]
    public void A_spec_mac_wins_over_the_toolstack_choice()
    {
        Assert.Equal("00:16:3e:ab:cd:ef", MacAddress.FromSpecOrDefault("00:16:3E:AB:CD:EF", 4, 0).ToString());
        Assert.Equal(MacAddress.ForVif(4, 1), MacAddress.FromSpecOrDefault(null, 4, 1));
    }
}
