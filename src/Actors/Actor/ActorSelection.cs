using System.Text.RegularExpressions;

namespace ActorVisor.Actors;

/// <summary>
/// A path pattern resolved at send time: absolute ("/user/a/b") or relative to an actor ("child",
/// "../sibling"), with '*' and '?' wildcards in elements. A Tell that matches no actor goes to
/// dead letters.
/// </summary>
public sealed class ActorSelection
{
    private readonly ActorSystem _system;
    private readonly ActorCell _anchor;
    private readonly string[] _elements;

    private ActorSelection(ActorSystem system, ActorCell anchor, string[] elements, string pathString)
    {
        _system = system;
        _anchor = anchor;
        _elements = elements;
        PathString = pathString;
    }

    /// <summary>Gets the selection's path as written.</summary>
    public string PathString { get; }

    /// <summary>Sends to every actor the selection currently matches.</summary>
    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        var targets = Resolve();
        if (targets.Count == 0)
        {
            _system.DeadLetterFrom(message, sender, new SelectionRef(_system, PathString));
            return;
        }
        foreach (var target in targets)
        {
            target.Tell(message, sender);
        }
    }

    /// <summary>Sends with the implicit sender (Self inside an actor).</summary>
    public void Tell(object message) => Tell(message, ActorCell.Current?.Self);

    /// <summary>Returns the live actors the selection matches now.</summary>
    public IReadOnlyList<IActorRef> Resolve()
    {
        var current = new List<ActorCell> { _anchor };
        foreach (var element in _elements)
        {
            var next = new List<ActorCell>();
            foreach (var cell in current)
            {
                if (element == "..")
                {
                    if (cell.ParentCell is { } parent)
                    {
                        next.Add(parent);
                    }
                }
                else if (element.Contains('*', StringComparison.Ordinal) || element.Contains('?', StringComparison.Ordinal))
                {
                    var pattern = new Regex("^" + Regex.Escape(element).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
                    next.AddRange(cell.Children.OfType<LocalActorRef>().Where(c => pattern.IsMatch(c.Path.Name)).Select(c => c.Cell));
                }
                else if (cell.ChildCell(element) is { } child)
                {
                    next.Add(child.Cell);
                }
            }
            current = next;
        }
        return current.Where(c => !c.Mailbox.IsClosed).Select(c => (IActorRef)c.Self).ToList();
    }

    /// <summary>Resolves to exactly one actor, or fails with <see cref="ActorNotFoundException"/>.</summary>
    public Task<IActorRef> ResolveOne()
    {
        var found = Resolve();
        return found.Count == 1
            ? Task.FromResult(found[0])
            : Task.FromException<IActorRef>(new ActorNotFoundException($"Actor selection [{PathString}] matched {found.Count} actors, expected one."));
    }

    public override string ToString() => $"ActorSelection[{PathString}]";

    internal static ActorSelection Parse(ActorSystem system, ActorCell anchor, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = path;
        if (text.StartsWith("actorvisor://", StringComparison.Ordinal))
        {
            var slash = text.IndexOf('/', "actorvisor://".Length);
            text = slash < 0 ? "/" : text[slash..];
        }
        if (text.StartsWith('/'))
        {
            anchor = system.RootCell;
        }
        var elements = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return new ActorSelection(system, anchor, elements, path);
    }

    private sealed class SelectionRef(ActorSystem system, string path) : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root(system.Name).Child(path.Trim('/'));

        public void Tell(object message, IActorRef? sender) => system.DeadLetterFrom(message, sender, this);
    }
}
