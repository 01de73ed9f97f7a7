namespace ActorVisor.Config.Tests;

public class SubstitutionTests
{
    [Fact]
    public void A_substitution_sees_the_final_value_even_when_defined_later()
    {
        var c = Parse.Text("a = ${b.c}\nb.c = 1\nb.c = 2");
        Assert.Equal(2, c.GetInt("a"));
    }

    [Fact]
    public void Chained_substitutions_resolve_and_keep_the_type()
    {
        var c = Parse.Text("a = ${b}\nb = ${c}\nc = 7");
        Assert.Equal(7, c.GetInt("a"));
        Assert.Equal(ActorVisor.Config.Hocon.HoconScalarKind.Number, ((ActorVisor.Config.Hocon.HoconScalar)c.GetValue("a")!).Kind);
    }

    [Fact]
    public void Optional_substitution_that_finds_nothing_removes_the_field()
    {
        var c = Parse.Text("a = ${?missing}\nb = 1");
        Assert.False(c.HasPath("a"));
        Assert.Null(c.GetValue("a"));
    }

    [Fact]
    public void Optional_substitution_that_finds_nothing_keeps_the_earlier_value()
    {
        var c = Parse.Text("port = 80\nport = ${?PORT}");
        Assert.Equal(80, c.GetInt("port"));
        var overridden = Parse.Text("port = 80\nport = ${?PORT}", name => name == "PORT" ? "8080" : null);
        Assert.Equal(8080, overridden.GetInt("port"));
    }

    [Fact]
    public void Environment_is_the_fallback_for_names_not_in_the_document()
    {
        var c = Parse.Text("home = ${HOME}/x\nshadow = ${HOME}\nHOME = inside", name => name == "HOME" ? "/home/u" : null);
        Assert.Equal("inside/x", c.GetString("home"));
        var env = Parse.Text("home = ${HOME}/x", name => name == "HOME" ? "/home/u" : null);
        Assert.Equal("/home/u/x", env.GetString("home"));
    }

    [Fact]
    public void A_required_substitution_that_finds_nothing_is_a_located_error()
    {
        var e = Parse.Error("a = 1\nb {\n  c = x ${nope.here}\n}");
        Assert.Equal(new ConfigOrigin("test.conf", 3, 9), e.Origin);
        Assert.Equal("b.c", e.Path);
        Assert.Contains("${nope.here}", e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_reference_appends_to_the_earlier_value()
    {
        var c = Parse.Text("path = [a]\npath = ${path} [b]\npath = ${path} [c]");
        Assert.Equal(["a", "b", "c"], c.GetStringList("path"));
    }

    [Fact]
    public void Self_reference_in_a_string_and_in_a_nested_field()
    {
        var c = Parse.Text("s = a\ns = ${s}b\no { p = 1 }\no { p = ${o.p}0 }");
        Assert.Equal("ab", c.GetString("s"));
        Assert.Equal("10", c.GetString("o.p"));
    }

    [Fact]
    public void Self_reference_with_no_earlier_value_falls_back_to_the_environment()
    {
        var c = Parse.Text("PATH = ${?PATH}\":/opt/bin\"", name => name == "PATH" ? "/bin" : null);
        Assert.Equal("/bin:/opt/bin", c.GetString("PATH"));
        var none = Parse.Text("PATH = ${?PATH}\":/opt/bin\"");
        Assert.Equal(":/opt/bin", none.GetString("PATH"));
    }

    [Fact]
    public void Object_self_reference_extends_the_earlier_object()
    {
        var c = Parse.Text("a { x = 1 }\na = ${a} { y = 2 }\na { z = 3 }");
        Assert.Equal(1, c.GetInt("a.x"));
        Assert.Equal(2, c.GetInt("a.y"));
        Assert.Equal(3, c.GetInt("a.z"));
    }

    [Fact]
    public void A_substitution_to_a_sibling_inside_the_same_object_is_not_a_cycle()
    {
        var c = Parse.Text("bar { foo = 42, baz = ${bar.foo} }");
        Assert.Equal(42, c.GetInt("bar.baz"));
    }

    [Fact]
    public void A_two_step_cycle_is_reported_with_its_chain()
    {
        var e = Parse.Error("a = ${b}\nb = ${a}");
        Assert.Contains("substitution cycle: a -> b -> a", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, e.Origin.Line);
    }

    [Fact]
    public void An_object_that_refers_to_itself_is_a_cycle()
    {
        var e = Parse.Error("bar { foo = 42, baz = ${bar} }");
        Assert.Contains("substitution cycle", e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void A_substitution_names_a_value_not_a_copy_of_later_changes()
    {
        var c = Parse.Text("a { x = 1 }\nb = ${a}\nb.y = 2");
        Assert.False(c.HasPath("a.y"));
        Assert.Equal(1, c.GetInt("b.x"));
        Assert.Equal(2, c.GetInt("b.y"));
    }

    [Fact]
    public void Substitutions_inside_lists_resolve()
    {
        var c = Parse.Text("x = 3\nlist = [1, ${x}, ${?none}, \"${x}\"]");
        Assert.Equal(["1", "3", "${x}"], c.GetStringList("list"));
    }

    [Fact]
    public void Quoted_path_in_a_substitution_reaches_a_key_with_a_dot()
    {
        var c = Parse.Text("a { \"b.c\" = 5 }\nd = ${a.\"b.c\"}");
        Assert.Equal(5, c.GetInt("d"));
    }

    [Fact]
    public void An_undefined_field_removed_while_a_sibling_resolves_does_not_skip_other_fields()
    {
        var c = Parse.Text("o { p = ${?none}, q = ${o.r}, r = ${s}, t = ${o.q} }\ns = 1");
        Assert.False(c.HasPath("o.p"));
        Assert.Equal(1, c.GetInt("o.q"));
        Assert.Equal(1, c.GetInt("o.t"));
        Assert.Equal(["q", "r", "t"], c.GetConfig("o").Keys);
    }
}
