namespace ActorVisor.Config.Hocon;

/// <summary>
/// Builds an unresolved tree from tokens. Fields merge into their object as they are read, so a
/// self-referential substitution (<c>path = ${path} [x]</c>, or <c>path += x</c>) is replaced right
/// away by a copy of the value the path had before this field; every other substitution is left
/// for the resolver, which sees the whole document.
/// </summary>
internal sealed partial class Parser
{
    private readonly Lexer _tokens;
    private readonly string _file;
    private readonly IncludeContext _includes;
    private readonly ConfigPath _includePrefix;
    private readonly List<Frame> _frames = [];

    // Paths are immutable, so the path of a plain key is made once per document and shared.
    private readonly Dictionary<string, ConfigPath> _singleKeys = new(StringComparer.Ordinal);
    private int _index;

    private Parser(Lexer tokens, string file, IncludeContext includes, ConfigPath includePrefix)
    {
        _tokens = tokens;
        _file = file;
        _includes = includes;
        _includePrefix = includePrefix;
    }

    /// <summary>An object being filled and the path it will have in the document (null inside arrays).</summary>
    private readonly record struct Frame(HoconObject Object, ConfigPath? Path);

    /// <summary>
    /// Parses a whole document. When <paramref name="into"/> is given, the document's fields are
    /// written over it, exactly as if its text came first (this is how a file is read over reference.conf).
    /// </summary>
    public static HoconObject ParseDocument(string text, string file, IncludeContext includes, HoconObject? into = null, ConfigPath? includePrefix = null)
    {
        var tokens = Lexer.Create(text, file);
        var parser = new Parser(tokens, file, includes, includePrefix ?? ConfigPath.Root);
        return parser.ParseRoot(into);
    }

    private Token Current => _tokens.At(_index);

    private ConfigOrigin OriginOf(Token token) => new(_file, token.Line, token.Column);

    private ConfigException Error(Token at, string path, string expected) =>
        new(new ConfigError(OriginOf(at), path, expected, at.Describe()));

    private void SkipWhitespace()
    {
        while (Current.Kind == TokenKind.Whitespace)
        {
            _index++;
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Current.Kind is TokenKind.Whitespace or TokenKind.Newline)
        {
            _index++;
        }
    }

    private HoconObject ParseRoot(HoconObject? into)
    {
        SkipWhitespaceAndNewlines();
        var root = into ?? new HoconObject(OriginOf(Current));
        // A document read over another (a file over reference.conf) names itself as the root's origin.
        root.Origin = new ConfigOrigin(_file, 1, 1);
        if (Current.Kind == TokenKind.OpenBracket)
        {
            throw Error(Current, "", "an object at the top of the document (a configuration cannot be a list)");
        }
        _frames.Add(new Frame(root, ConfigPath.Root));
        if (Current.Kind == TokenKind.OpenBrace)
        {
            _index++;
            ParseFields(root, TokenKind.CloseBrace);
            _index++;
            SkipWhitespaceAndNewlines();
            if (Current.Kind != TokenKind.End)
            {
                throw Error(Current, "", "end of file after the closing '}' of the document");
            }
        }
        else
        {
            ParseFields(root, TokenKind.End);
        }
        _frames.RemoveAt(_frames.Count - 1);
        return root;
    }

    /// <summary>Reads fields into <paramref name="target"/> until <paramref name="closer"/>, leaving the index on it.</summary>
    private void ParseFields(HoconObject target, TokenKind closer)
    {
        var framePath = _frames[^1].Path;
        while (true)
        {
            _tokens.Release(_index);
            SkipWhitespaceAndNewlines();
            var token = Current;
            if (token.Kind == closer)
            {
                return;
            }
            if (token.Kind == TokenKind.End)
            {
                throw Error(token, framePath?.ToString() ?? "", "'}' to close the object opened at " + target.Origin);
            }
            if (token.Kind == TokenKind.UnquotedText && token.Text == "include" && IsIncludeStatement())
            {
                ParseInclude(target, framePath);
            }
            else
            {
                ParseField(target, framePath);
            }
            // A field ends at a comma, a newline or the closing bracket.
            SkipWhitespace();
            var after = Current;
            if (after.Kind == TokenKind.Comma)
            {
                _index++;
                SkipWhitespaceAndNewlines();
                if (Current.Kind == TokenKind.Comma)
                {
                    throw Error(Current, framePath?.ToString() ?? "", "a field after ','");
                }
            }
            else if (after.Kind != TokenKind.Newline && after.Kind != closer)
            {
                throw Error(after, framePath?.ToString() ?? "", "',' or a new line after the field");
            }
        }
    }

    private void ParseField(HoconObject target, ConfigPath? framePath)
    {
        var keyStart = Current;
        var key = ParseKey();
        SkipWhitespace();
        var separator = Current;
        if (separator.Kind is TokenKind.Colon or TokenKind.Equals)
        {
            _index++;
            SkipWhitespace();
            if (TrySingleScalar(Current) is { } scalar)
            {
                // The common case needs no document path: it cannot hold a self-reference.
                Assign(target, key, scalar, OriginOf(keyStart));
                return;
            }
        }
        var fullPath = framePath?.Append(key);
        var errorPath = fullPath ?? key;
        HoconValue value;
        switch (separator.Kind)
        {
            case TokenKind.Colon:
            case TokenKind.Equals:
                value = ParseValue(fullPath, errorPath);
                break;
            case TokenKind.PlusEquals:
                _index++;
                SkipWhitespace();
                var appended = ParseValue(null, errorPath);
                var self = fullPath is null ? null : PreviousValue(fullPath);
                HoconValue prior = self ?? new HoconSubstitution(fullPath ?? key, optional: true, OriginOf(separator))
                {
                    EnvironmentOnly = fullPath is not null,
                    IncludePrefix = _includePrefix,
                };
                value = new HoconConcatenation([prior, new HoconArray([appended], appended.Origin)], OriginOf(separator));
                break;
            case TokenKind.OpenBrace:
                value = ParseValue(fullPath, errorPath);
                break;
            default:
                throw Error(separator, errorPath.ToString(), "':' or '=' after the key");
        }
        Assign(target, key, value, OriginOf(keyStart));
    }

    /// <summary>Writes a field into its object; <c>a.b.c = v</c> is the same as <c>a { b { c = v } }</c>.</summary>
    private static void Assign(HoconObject target, ConfigPath key, HoconValue value, ConfigOrigin keyOrigin)
    {
        // Walk down through objects that already exist; that is what merging a wrapper would do.
        var depth = 0;
        while (depth < key.Length - 1 && target.TryGetValue(key.Keys[depth], out var existing) && existing is HoconObject nested)
        {
            target.TouchKey(key.Keys[depth], keyOrigin);
            target = nested;
            depth++;
        }
        if (depth > 0)
        {
            key = key.Skip(depth);
        }
        for (var i = key.Length - 1; i > 0; i--)
        {
            var wrapper = new HoconObject(keyOrigin);
            wrapper.Merge(key.Keys[i], value, keyOrigin);
            value = wrapper;
        }
        target.Merge(key.Keys[0], value, keyOrigin);
    }

    private ConfigPath ParseKey()
    {
        var single = Current;
        if (single.Kind == TokenKind.UnquotedText
            && !single.Text.Contains('.', StringComparison.Ordinal)
            && _tokens.At(_index + 1).Kind != TokenKind.QuotedString
            && _tokens.At(_index + 1).Kind != TokenKind.UnquotedText
            && (_tokens.At(_index + 1).Kind != TokenKind.Whitespace || _tokens.At(_index + 2).Kind is not (TokenKind.QuotedString or TokenKind.UnquotedText)))
        {
            _index++;
            if (!_singleKeys.TryGetValue(single.Text, out var path))
            {
                path = new ConfigPath(single.Text);
                _singleKeys[single.Text] = path;
            }
            return path;
        }
        var keys = new List<string>();
        var current = new System.Text.StringBuilder();
        var sawText = false;
        var pendingWhitespace = "";
        var start = Current;
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.QuotedString)
            {
                current.Append(pendingWhitespace).Append(token.Text);
                pendingWhitespace = "";
                sawText = true;
            }
            else if (token.Kind == TokenKind.UnquotedText)
            {
                current.Append(pendingWhitespace);
                pendingWhitespace = "";
                var parts = token.Text.Split('.');
                for (var p = 0; p < parts.Length; p++)
                {
                    if (p > 0)
                    {
                        if (!sawText)
                        {
                            throw Error(token, "", "a key before '.' (a key cannot be empty)");
                        }
                        keys.Add(current.ToString());
                        current.Clear();
                        sawText = false;
                    }
                    if (parts[p].Length > 0)
                    {
                        current.Append(parts[p]);
                        sawText = true;
                    }
                }
            }
            else if (token.Kind == TokenKind.Whitespace && sawText)
            {
                pendingWhitespace += token.Text;
            }
            else
            {
                break;
            }
            _index++;
        }
        if (!sawText)
        {
            if (keys.Count > 0)
            {
                throw Error(Current, "", "a key after '.' (a key cannot end with '.')");
            }
            if (Current.Kind == TokenKind.Substitution)
            {
                throw Error(Current, "", "a key (substitutions are not allowed in keys)");
            }
            throw Error(start, "", "a key");
        }
        keys.Add(current.ToString());
        return new ConfigPath(keys);
    }

    /// <summary>
    /// Reads a value and any values concatenated to it on the same line. <paramref name="fieldPath"/>
    /// is the document path of the field being assigned, used to spot self-references.
    /// </summary>
    private HoconValue ParseValue(ConfigPath? fieldPath, ConfigPath errorPath)
    {
        var first = Current;
        if (TrySingleScalar(first) is { } alone)
        {
            return alone;
        }
        if (TryStringRun(first) is { } run)
        {
            return run;
        }
        var parts = new List<HoconValue>();
        HoconScalar? pendingWhitespace = null;
        while (true)
        {
            var token = Current;
            HoconValue? part = null;
            switch (token.Kind)
            {
                case TokenKind.Whitespace:
                    if (parts.Count > 0)
                    {
                        pendingWhitespace = new HoconScalar(HoconScalarKind.String, token.Text, OriginOf(token)) { IsWhitespace = true };
                    }
                    _index++;
                    continue;
                case TokenKind.QuotedString:
                    part = new HoconScalar(HoconScalarKind.String, token.Text, OriginOf(token));
                    _index++;
                    break;
                case TokenKind.UnquotedText:
                    part = new HoconScalar(HoconScalarKind.String, token.Text, OriginOf(token));
                    _index++;
                    break;
                case TokenKind.Substitution:
                    part = SubstitutionOrPrevious(token, fieldPath);
                    _index++;
                    break;
                case TokenKind.OpenBrace:
                    part = ParseObjectValue(fieldPath);
                    break;
                case TokenKind.OpenBracket:
                    part = ParseArray(errorPath);
                    break;
                default:
                    break;
            }
            if (part is null)
            {
                break;
            }
            if (pendingWhitespace is not null)
            {
                parts.Add(pendingWhitespace);
                pendingWhitespace = null;
            }
            parts.Add(part);
        }
        if (parts.Count == 0)
        {
            throw Error(first, errorPath.ToString(), "a value");
        }
        if (parts.Count == 1)
        {
            return parts[0] is HoconScalar { Kind: HoconScalarKind.String } single && first.Kind == TokenKind.UnquotedText
                ? ClassifyUnquoted(single)
                : parts[0];
        }
        var concatenation = new HoconConcatenation(parts, OriginOf(first));
        if (parts.TrueForAll(p => p.IsResolved))
        {
            return Concatenation.Join(concatenation, parts, errorPath) ?? throw new InvalidOperationException("a resolved concatenation is never undefined");
        }
        return concatenation;
    }

    /// <summary>
    /// The common case of a value that is one string or word followed by the end of the field:
    /// returned without building a concatenation. Null when the value is anything else.
    /// </summary>
    private HoconScalar? TrySingleScalar(Token first)
    {
        if (first.Kind is not (TokenKind.QuotedString or TokenKind.UnquotedText))
        {
            return null;
        }
        var next = _index + 1;
        if (_tokens.At(next).Kind == TokenKind.Whitespace)
        {
            next++;
        }
        if (_tokens.At(next).Kind is not (TokenKind.Newline or TokenKind.Comma or TokenKind.CloseBrace or TokenKind.CloseBracket or TokenKind.End))
        {
            return null;
        }
        _index = next;
        var kind = first.Kind == TokenKind.UnquotedText ? Classify(first.Text) : HoconScalarKind.String;
        return new HoconScalar(kind, first.Text, OriginOf(first));
    }

    /// <summary>
    /// A value made only of strings and words on one line (<c>10 s</c>, <c>"a" b</c>) joins into one
    /// string straight from the tokens. Null, with nothing consumed, when anything else appears.
    /// </summary>
    private HoconScalar? TryStringRun(Token first)
    {
        if (first.Kind is not (TokenKind.QuotedString or TokenKind.UnquotedText))
        {
            return null;
        }
        var end = _index;
        var lastSolid = _index;
        while (true)
        {
            var kind = _tokens.At(end).Kind;
            if (kind is TokenKind.QuotedString or TokenKind.UnquotedText)
            {
                lastSolid = end;
            }
            else if (kind != TokenKind.Whitespace)
            {
                if (kind is TokenKind.Newline or TokenKind.Comma or TokenKind.CloseBrace or TokenKind.CloseBracket or TokenKind.End)
                {
                    break;
                }
                return null;
            }
            end++;
        }
        var sb = new System.Text.StringBuilder();
        for (var i = _index; i <= lastSolid; i++)
        {
            sb.Append(_tokens.At(i).Text);
        }
        _index = lastSolid + 1;
        return new HoconScalar(HoconScalarKind.String, sb.ToString(), OriginOf(first));
    }

    /// <summary>An unquoted word standing alone is a boolean, null or number when it reads as one, otherwise a string.</summary>
    private static HoconScalarKind Classify(string text) => text switch
    {
        "true" or "false" => HoconScalarKind.Boolean,
        "null" => HoconScalarKind.Null,
        _ when HoconText.IsNumber(text) => HoconScalarKind.Number,
        _ => HoconScalarKind.String,
    };

    private static HoconScalar ClassifyUnquoted(HoconScalar scalar) =>
        Classify(scalar.Text) is var kind && kind == HoconScalarKind.String ? scalar : new HoconScalar(kind, scalar.Text, scalar.Origin);

    private HoconValue SubstitutionOrPrevious(Token token, ConfigPath? fieldPath)
    {
        var path = token.Path!;
        if (fieldPath is not null && path.StartsWith(fieldPath))
        {
            var previous = PreviousValue(path);
            if (previous is not null)
            {
                return previous;
            }
            return new HoconSubstitution(path, token.Optional, OriginOf(token)) { EnvironmentOnly = true, IncludePrefix = _includePrefix };
        }
        return new HoconSubstitution(path, token.Optional, OriginOf(token)) { IncludePrefix = _includePrefix };
    }

    /// <summary>The value <paramref name="path"/> has so far in this document, merged across the objects being built.</summary>
    private HoconValue? PreviousValue(ConfigPath path)
    {
        HoconValue? result = null;
        foreach (var frame in _frames)
        {
            if (frame.Path is null || !path.StartsWith(frame.Path))
            {
                continue;
            }
            var found = frame.Path.Length == path.Length ? null : frame.Object.Find(path.Skip(frame.Path.Length));
            if (found is null)
            {
                continue;
            }
            var copy = found.DeepClone();
            result = result is null ? copy : HoconObject.Combine(copy, result);
        }
        return result;
    }

    private HoconObject ParseObjectValue(ConfigPath? path)
    {
        var open = Current;
        _index++;
        var obj = new HoconObject(OriginOf(open));
        _frames.Add(new Frame(obj, path));
        ParseFields(obj, TokenKind.CloseBrace);
        _frames.RemoveAt(_frames.Count - 1);
        _index++;
        return obj;
    }

    private HoconArray ParseArray(ConfigPath errorPath)
    {
        var open = Current;
        _index++;
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespaceAndNewlines();
            if (Current.Kind == TokenKind.CloseBracket)
            {
                break;
            }
            if (Current.Kind == TokenKind.End)
            {
                throw Error(Current, errorPath.ToString(), "']' to close the list opened at " + OriginOf(open));
            }
            items.Add(ParseValue(null, errorPath));
            SkipWhitespace();
            if (Current.Kind == TokenKind.Comma)
            {
                _index++;
                SkipWhitespaceAndNewlines();
                if (Current.Kind == TokenKind.Comma)
                {
                    throw Error(Current, errorPath.ToString(), "a list element after ','");
                }
            }
            else if (Current.Kind is not TokenKind.Newline and not TokenKind.CloseBracket)
            {
                throw Error(Current, errorPath.ToString(), "',' or ']' after a list element");
            }
        }
        _index++;
        return new HoconArray(items, OriginOf(open));
    }
}
