namespace ActorVisor.Config.Tests;

public class FallbackAndRenderingTests
{
    [Fact]
    public void WithFallback_fills_missing_keys_and_merges_objects_with_this_side_winning()
    {
        var app = Parse.Text("a { x = 1 }\nc = here");
        var fallback = Parse.Text("a { x = 0, y = 2 }\nb = 3\nc = there");
        var c = app.WithFallback(fallback);
        Assert.Equal(1, c.GetInt("a.x"));
        Assert.Equal(2, c.GetInt("a.y"));
        Assert.Equal(3, c.GetInt("b"));
        Assert.Equal("here", c.GetString("c"));
        Assert.False(app.HasPath("b"));
        Assert.False(fallback.HasPath("a.z"));
    }

    [Fact]
    public void WithFallback_chains_and_leaves_both_sides_unchanged()
    {
        var a = Parse.Text("k = a");
        var b = Parse.Text("k = b\nm = b");
        var c = Parse.Text("k = c\nm = c\nn = c");
        var chained = a.WithFallback(b).WithFallback(c);
        Assert.Equal("a", chained.GetString("k"));
        Assert.Equal("b", chained.GetString("m"));
        Assert.Equal("c", chained.GetString("n"));
        Assert.Equal("b", b.GetString("k"));
    }

    [Fact]
    public void Default_is_reference_conf_and_a_parsed_file_can_fall_back_to_it()
    {
        var user = Parse.Text("actorvisor.machine.physical-cpus = 16");
        var c = user.WithFallback(ConfigFactory.Default());
        Assert.Equal(16, c.GetInt("actorvisor.machine.physical-cpus"));
        Assert.Equal(2L << 30, c.GetByteSize("actorvisor.machine.memory"));
        Assert.Equal(2, ConfigFactory.Default().GetInt("actorvisor.machine.physical-cpus"));
    }

    [Fact]
    public void LoadString_resolves_the_file_together_with_reference_conf()
    {
        var c = ConfigFactory.LoadString("slice = ${actorvisor.scheduler.timeslice}\nactorvisor.scheduler.timeslice = 20ms", "t.conf", Parse.NoEnvironment);
        Assert.Equal(TimeSpan.FromMilliseconds(20), c.GetDuration("slice"));
    }

    [Fact]
    public void Hocon_rendering_parses_back_to_the_same_tree()
    {
        var original = Parse.Text("a { b = [1, \"two\", { c = null }], \"d.e\" = \"q\\\"uote\" }\nempty {}\nlist = []\nf = 1.5\ng = true");
        var again = Parse.Text(original.ToHocon());
        Assert.Equal(original.ToJson(), again.ToJson());
        Assert.Contains("\"d.e\" = \"q\\\"uote\"", original.ToHocon(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_rendering_is_exact()
    {
        var c = Parse.Text("a = 1\nb { c = [x, 2.5, true, null] }\nd = \"tab\\t\"");
        var expected = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [\n      \"x\",\n      2.5,\n      true,\n      null\n    ]\n  },\n  \"d\": \"tab\\t\"\n}\n";
        Assert.Equal(expected, c.ToJson());
    }

    [Fact]
    public void Origin_comments_name_the_file_and_line_of_each_value()
    {
        var c = Parse.Text("a = 1\nb {\n  c = 2\n}");
        var text = c.ToHocon(originComments: true);
        Assert.Contains("# test.conf:1:5\na = 1", text, StringComparison.Ordinal);
        Assert.Contains("# test.conf:3:7\n    c = 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loaded_file_can_extend_a_default_with_a_self_reference()
    {
        var c = ConfigFactory.LoadString("actorvisor.domain-defaults.cmdline = ${actorvisor.domain-defaults.cmdline}\"quiet\"\nactorvisor.persistence.connection-string = ${actorvisor.persistence.connection-string}\";Cache=Shared\"", "t.conf", _ => null);
        Assert.Equal("quiet", c.GetString("actorvisor.domain-defaults.cmdline"));
        Assert.Equal("Data Source=actorvisor.db;Cache=Shared", c.GetString("actorvisor.persistence.connection-string"));
    }
}
