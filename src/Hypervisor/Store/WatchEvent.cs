namespace ActorVisor.Hypervisor.Store;

/// <summary>A fired watch: the path that changed (relative if the watch was registered relative) and the watch's token.</summary>
public readonly record struct WatchEvent(string Path, string Token);
