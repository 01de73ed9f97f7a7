using System.Globalization;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Faults;

/// <summary>
/// The fault grammar, shared by a scenario's <c>faults</c> list, its timeline's <c>inject</c> action
/// and the command line's <c>--inject</c>:
/// <code>
/// RULE    := TARGET EFFECT CLAUSE*
/// TARGET  := IOPM | IOPM/DEVICE                 names or globs (* and ?), e.g. storage/vbd-*
/// EFFECT  := crash | hang | eio | enospc | short-write | delay DURATION | drop
/// CLAUSE  := now | at DURATION                  when the rule is armed (a virtual time)
///          | at POINT                           where it strikes
///          | after N [requests] | every N [requests] | with probability P
/// POINT   := taken | before-data | after-data | response | host-read | host-write | flush
///          | notify-frontend | notify-backend
/// </code>
/// Words are matched exactly; an unknown one is refused by name with the nearest known word.
/// Every refusal carries the offset of the word it is about.
/// </summary>
public static class FaultSpecParser
{
    private static readonly Dictionary<string, FaultRuleEffect> EffectWords = new(StringComparer.Ordinal)
    {
        ["crash"] = FaultRuleEffect.Crash,
        ["hang"] = FaultRuleEffect.Hang,
        ["eio"] = FaultRuleEffect.IoError,
        ["enospc"] = FaultRuleEffect.NoSpace,
        ["short-write"] = FaultRuleEffect.ShortWrite,
        ["delay"] = FaultRuleEffect.Delay,
        ["drop"] = FaultRuleEffect.Drop,
    };

    private static readonly Dictionary<string, FaultRulePoint> PointWords = new(StringComparer.Ordinal)
    {
        ["taken"] = FaultRulePoint.Taken,
        ["before-data"] = FaultRulePoint.BeforeData,
        ["after-data"] = FaultRulePoint.AfterData,
        ["response"] = FaultRulePoint.Response,
        ["host-read"] = FaultRulePoint.HostRead,
        ["host-write"] = FaultRulePoint.HostWrite,
        ["flush"] = FaultRulePoint.Flush,
        ["notify-frontend"] = FaultRulePoint.NotifyFrontend,
        ["notify-backend"] = FaultRulePoint.NotifyBackend,
    };

    private static readonly string[] ClauseWords = ["now", "at", "after", "every", "with"];

    private const string ClauseExpected = "a clause (now, at TIME, at POINT, after N, every N, with probability P) or the end";

    public static IReadOnlyCollection<string> Effects => EffectWords.Keys;

    public static IReadOnlyCollection<string> Points => PointWords.Keys;

    /// <summary>The grammar's word for a point, as the timeline prints it.</summary>
    public static string Word(FaultRulePoint point) => PointWords.First(p => p.Value == point).Key;

    /// <summary>The grammar's word for an effect.</summary>
    public static string Word(FaultRuleEffect effect) => EffectWords.First(p => p.Value == effect).Key;

    /// <summary>
    /// Parses one rule. <paramref name="timelineAtNs"/> is the time of the timeline entry the rule
    /// belongs to (it arms the rule, and the rule may then not name a time of its own), or null for
    /// a rule of the <c>faults</c> list or the command line.
    /// </summary>
    public static FaultRule? Parse(string text, string name, ConfigOrigin origin, long? timelineAtNs, out FaultSpecError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Split(text);
        var parser = new State(text, words);
        var rule = parser.Rule(name, origin, timelineAtNs);
        error = parser.Error;
        return error is null ? rule : null;
    }

    private static List<(string Text, int Offset)> Split(string text)
    {
        var words = new List<(string, int)>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            words.Add((text[start..i], start));
        }

        return words;
    }

    private sealed class State(string text, List<(string Text, int Offset)> words)
    {
        private int _next;

        public FaultSpecError? Error { get; private set; }

        private int EndOffset => text.TrimEnd().Length;

        public FaultRule? Rule(string name, ConfigOrigin origin, long? timelineAtNs)
        {
            if (!Target(out var iopm, out var device, out int targetOffset) || !Effect(out var effect, out long delayNs, out int effectOffset))
            {
                return null;
            }

            FaultRulePoint? point = null;
            long? from = timelineAtNs;
            var trigger = FaultTrigger.Once;
            long count = 0;
            double probability = 0;
            int pointOffset = 0;
            bool timed = false;
            while (_next < words.Count)
            {
                var (word, offset) = words[_next++];
                switch (word)
                {
                    case "now":
                        if (!Once(timed, offset, "the time"))
                        {
                            return null;
                        }

                        timed = true;
                        from ??= 0;
                        break;
                    case "at" when Peek() is { } value && value.Text.Length > 0 && char.IsAsciiDigit(value.Text[0]):
                        _next++;
                        if (timelineAtNs is not null)
                        {
                            return Fail(value.Offset, "no time of its own (the timeline entry's at = is the rule's time)", Quote(value.Text));
                        }

                        if (!Once(timed, offset, "the time"))
                        {
                            return null;
                        }

                        if (!DurationFormat.TryParseNanoseconds(value.Text, out long at) || at < 0)
                        {
                            return Fail(value.Offset, DurationFormat.Example, Quote(value.Text));
                        }

                        timed = true;
                        from = at;
                        break;
                    case "at":
                        if (!Once(point is not null, offset, "the point"))
                        {
                            return null;
                        }

                        if (Next() is not { } pointWord)
                        {
                            return Fail(EndOffset, "a time or a point (" + string.Join(", ", PointWords.Keys) + ") after at", "the end");
                        }

                        if (!PointWords.TryGetValue(pointWord.Text, out var p))
                        {
                            return Fail(pointWord.Offset, "a time or a point (" + string.Join(", ", PointWords.Keys) + ")", Quote(pointWord.Text), Suggestions.Hint(pointWord.Text, PointWords.Keys));
                        }

                        point = p;
                        pointOffset = pointWord.Offset;
                        break;
                    case "after" or "every":
                        if (!Once(trigger != FaultTrigger.Once, offset, "how often it fires (after, every or with probability)"))
                        {
                            return null;
                        }

                        var number = Next();
                        if (number is null || !long.TryParse(number.Value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count <= 0)
                        {
                            return Fail(number?.Offset ?? EndOffset, $"a whole number of requests above 0 after {word}", Found(number));
                        }

                        if (Peek() is { Text: "requests" or "request" })
                        {
                            _next++;
                        }

                        trigger = word == "after" ? FaultTrigger.After : FaultTrigger.Every;
                        break;
                    case "with":
                        if (!Once(trigger != FaultTrigger.Once, offset, "how often it fires (after, every or with probability)"))
                        {
                            return null;
                        }

                        var probabilityWord = Next();
                        if (probabilityWord is not { Text: "probability" })
                        {
                            return Fail(probabilityWord?.Offset ?? EndOffset, "probability after with", Found(probabilityWord));
                        }

                        var chance = Next();
                        if (chance is null || !double.TryParse(chance.Value.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out probability) || probability <= 0 || probability > 1)
                        {
                            return Fail(chance?.Offset ?? EndOffset, "a probability above 0 and at most 1, such as 0.25", Found(chance));
                        }

                        trigger = FaultTrigger.Probability;
                        break;
                    default:
                        return Fail(offset, ClauseExpected, Quote(word), Suggestions.Hint(word, ClauseWords));
                }
            }

            if (device is null && effect is not (FaultRuleEffect.Crash or FaultRuleEffect.Hang))
            {
                return Fail(effectOffset, "crash or hang for a whole IOPM (name a device, IOPM/DEVICE, for host I/O and notification faults)", Quote(Word(effect)));
            }

            if (device is null && effect == FaultRuleEffect.Hang && (point is not null || trigger != FaultTrigger.Once))
            {
                return Fail(targetOffset, "a device (IOPM/DEVICE) for a hang at a point or a count: a whole IOPM hangs only at a time", Quote(iopm));
            }

            if (point is { } where && !Fits(effect, where))
            {
                return Fail(pointOffset, $"a point where {Word(effect)} can strike ({string.Join(", ", PointWords.Where(w => Fits(effect, w.Value)).Select(w => w.Key))})", Quote(Word(where)));
            }

            return new FaultRule(name, origin, text.Trim(), iopm, device, effect, delayNs, point, from, trigger, count, probability);
        }

        /// <summary>Host errors strike host I/O, drops strike notifications, delays both; crashes and hangs strike anywhere.</summary>
        private static bool Fits(FaultRuleEffect effect, FaultRulePoint point) => effect switch
        {
            FaultRuleEffect.IoError => point is FaultRulePoint.HostRead or FaultRulePoint.HostWrite or FaultRulePoint.Flush,
            FaultRuleEffect.NoSpace => point is FaultRulePoint.HostWrite or FaultRulePoint.Flush,
            FaultRuleEffect.ShortWrite => point is FaultRulePoint.HostWrite,
            FaultRuleEffect.Drop => point is FaultRulePoint.NotifyFrontend or FaultRulePoint.NotifyBackend,
            FaultRuleEffect.Delay => point is FaultRulePoint.HostRead or FaultRulePoint.HostWrite or FaultRulePoint.Flush or FaultRulePoint.NotifyFrontend or FaultRulePoint.NotifyBackend,
            _ => true,
        };

        private bool Target(out string iopm, out string? device, out int offset)
        {
            iopm = "";
            device = null;
            offset = 0;
            if (Next() is not { } target)
            {
                Fail(0, "a target: an IOPM, or IOPM/DEVICE such as iopm0/vbd-3-51712 (globs * and ? allowed)", "nothing");
                return false;
            }

            offset = target.Offset;
            int slash = target.Text.IndexOf('/', StringComparison.Ordinal);
            iopm = slash < 0 ? target.Text : target.Text[..slash];
            device = slash < 0 ? null : target.Text[(slash + 1)..];
            int bad = FirstBadCharacter(iopm);
            if (iopm.Length == 0 || bad >= 0)
            {
                Fail(target.Offset + Math.Max(0, bad), "an IOPM name (letters, digits, -, _, ., globs * and ?) before the /", Quote(target.Text));
                return false;
            }

            if (device is not null && (device.Length == 0 || FirstBadCharacter(device) >= 0))
            {
                Fail(target.Offset + slash + 1 + Math.Max(0, FirstBadCharacter(device)), "a device name after the / (such as vbd-3-51712 or vif-*)", Quote(target.Text));
                return false;
            }

            return true;
        }

        private static int FirstBadCharacter(string name)
        {
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*' or '?'))
                {
                    return i;
                }
            }

            return -1;
        }

        private bool Effect(out FaultRuleEffect effect, out long delayNs, out int offset)
        {
            effect = FaultRuleEffect.Crash;
            delayNs = 0;
            offset = EndOffset;
            if (Next() is not { } word)
            {
                Fail(EndOffset, "an effect (" + string.Join(", ", EffectWords.Keys) + ") after the target", "the end");
                return false;
            }

            offset = word.Offset;
            if (!EffectWords.TryGetValue(word.Text, out effect))
            {
                Fail(word.Offset, "an effect (" + string.Join(", ", EffectWords.Keys) + ")", Quote(word.Text), Suggestions.Hint(word.Text, EffectWords.Keys));
                return false;
            }

            if (effect != FaultRuleEffect.Delay)
            {
                return true;
            }

            var duration = Next();
            if (duration is null || !DurationFormat.TryParseNanoseconds(duration.Value.Text, out delayNs) || delayNs <= 0)
            {
                Fail(duration?.Offset ?? EndOffset, "a positive duration after delay, such as 5ms", Found(duration));
                return false;
            }

            return true;
        }

        private bool Once(bool seen, int offset, string what)
        {
            if (seen)
            {
                Fail(offset, $"{what} given once", Quote(words.First(w => w.Offset == offset).Text) + " a second time");
                return false;
            }

            return true;
        }

        private (string Text, int Offset)? Peek() => _next < words.Count ? words[_next] : null;

        private (string Text, int Offset)? Next() => _next < words.Count ? words[_next++] : null;

        private FaultRule? Fail(int offset, string expected, string found, string? hint = null)
        {
            Error ??= new FaultSpecError(offset, expected, found, hint);
            return null;
        }

        private static string Found((string Text, int Offset)? word) => word is { } w ? Quote(w.Text) : "the end";

        private static string Quote(string word) => HoconText.Quote(word);
    }
}
