namespace ActorVisor.Host.Domains;

/// <summary>A line a domain printed on its console, with the domain's virtual time when it was read.</summary>
public sealed record ConsoleLinePrinted(string Domain, long TimeNs, string Text);
