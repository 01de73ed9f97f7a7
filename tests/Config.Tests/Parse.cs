namespace ActorVisor.Config.Tests;

/// <summary>Short helpers: parse text with an empty environment, or capture the located error of bad text.</summary>
internal static class Parse
{
    public static readonly Func<string, string?> NoEnvironment = _ => null;

    public static Config Text(string text, Func<string, string?>? environment = null) =>
        ConfigFactory.ParseString(text, "test.conf", environment ?? NoEnvironment);

    public static ConfigError Error(string text, Func<string, string?>? environment = null)
    {
        var result = ConfigFactory.TryParseString(text, "test.conf", environment ?? NoEnvironment);
        Assert.False(result.IsSuccess, "expected the text to be rejected");
        return Assert.Single(result.Errors);
    }
}
