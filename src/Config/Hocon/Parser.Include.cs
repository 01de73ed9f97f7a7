namespace ActorVisor.Config.Hocon;

/// <summary>
/// Include statements: <c>include "name"</c>, <c>include file("name")</c>,
/// <c>include classpath("name")</c>, each optionally wrapped in <c>required(...)</c>. A name is
/// relative to the including file; a name without an extension also tries <c>.conf</c> and
/// <c>.json</c>. A missing file is skipped unless required. The included fields merge at the
/// point of the statement, and substitutions in them are looked up relative to it first.
/// </summary>
internal sealed partial class Parser
{
    private bool IsIncludeStatement()
    {
        var next = _index + 1;
        if (_tokens.At(next).Kind != TokenKind.Whitespace)
        {
            return false;
        }
        var target = _tokens.At(next + 1);
        return target.Kind == TokenKind.QuotedString
            || (target.Kind == TokenKind.UnquotedText && target.Text.EndsWith('('));
    }

    private void ParseInclude(HoconObject target, ConfigPath? framePath)
    {
        var statement = Current;
        _index += 2;
        var opener = Current;
        var required = false;
        var kind = "file";
        var closeParens = 0;
        if (opener.Kind == TokenKind.UnquotedText)
        {
            var functions = opener.Text.Split('(', StringSplitOptions.RemoveEmptyEntries);
            closeParens = opener.Text.Count(c => c == '(');
            foreach (var function in functions)
            {
                switch (function)
                {
                    case "required" when !required && closeParens >= 1:
                        required = true;
                        break;
                    case "file" or "classpath" or "url":
                        kind = function;
                        break;
                    default:
                        throw Error(opener, framePath?.ToString() ?? "", "file(...), classpath(...), url(...) or required(...) after include");
                }
            }
            _index++;
            SkipWhitespace();
        }
        var nameToken = Current;
        if (nameToken.Kind != TokenKind.QuotedString)
        {
            throw Error(nameToken, framePath?.ToString() ?? "", "a quoted file name to include");
        }
        _index++;
        SkipWhitespace();
        if (closeParens > 0)
        {
            var closer = Current;
            if (closer.Kind != TokenKind.UnquotedText || closer.Text != new string(')', closeParens))
            {
                throw Error(closer, framePath?.ToString() ?? "", $"'{new string(')', closeParens)}' to close the include");
            }
            _index++;
        }
        var prefix = _includePrefix.Append(framePath ?? ConfigPath.Root);
        var included = LoadIncluded(kind, nameToken, required, prefix, OriginOf(statement));
        if (included is null)
        {
            return;
        }
        target.MergeFieldsOf(included);
    }

    private HoconObject? LoadIncluded(string kind, Token nameToken, bool required, ConfigPath prefix, ConfigOrigin origin)
    {
        var name = nameToken.Text;
        if (kind == "url")
        {
            throw new ConfigException(new ConfigError(origin, "", "include file(...) or include classpath(...)", "include url(...), which ActorVisor does not fetch"));
        }
        if (kind == "classpath")
        {
            var text = ConfigFactory.ReadEmbedded(name);
            if (text is null)
            {
                if (required)
                {
                    throw new ConfigException(new ConfigError(origin, "", "an embedded resource such as reference.conf", HoconText.Quote(name)));
                }
                return null;
            }
            return ParseDocument(text, name, _includes, null, prefix);
        }
        var resolved = FindIncludedFile(name);
        if (resolved is null)
        {
            if (required)
            {
                throw new ConfigException(new ConfigError(origin, "", "a file to include", $"no file {HoconText.Quote(name)} next to {_file}"));
            }
            return null;
        }
        if (_includes.IsIncluding(resolved))
        {
            var chain = string.Join(" -> ", _includes.Chain.Append(resolved).Select(Path.GetFileName));
            throw new ConfigException(ConfigError.Message(origin, "", $"include cycle: {chain}"));
        }
        string content;
        try
        {
            content = File.ReadAllText(resolved);
        }
        catch (IOException e)
        {
            throw new ConfigException(new ConfigError(origin, "", "a readable file to include", e.Message));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigException(new ConfigError(origin, "", "a readable file to include", e.Message));
        }
        return ParseDocument(content, DisplayName(resolved), _includes.Enter(resolved), null, prefix);
    }

    private string? FindIncludedFile(string name)
    {
        var full = Path.GetFullPath(Path.Combine(_includes.Directory, name));
        if (File.Exists(full))
        {
            return full;
        }
        if (Path.HasExtension(name))
        {
            return null;
        }
        foreach (var extension in new[] { ".conf", ".json" })
        {
            if (File.Exists(full + extension))
            {
                return full + extension;
            }
        }
        return null;
    }

    /// <summary>The name used for a file in error messages: relative to the current directory when that is shorter.</summary>
    internal static string DisplayName(string fullPath)
    {
        var relative = Path.GetRelativePath(System.IO.Directory.GetCurrentDirectory(), fullPath);
        return relative.Length < fullPath.Length && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : fullPath;
    }
}
