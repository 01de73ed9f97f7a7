namespace ActorVisor.Host.Tests.Linux;

/// <summary>The xunit collection of the Host tests that boot Debian's Linux: each boot takes a core for most of a minute, so they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class LinuxCollection
{
    public const string Name = "Linux boots (Host)";
}
