using System.Globalization;
using System.Text;
using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Xl;

/// <summary>
/// Reads Xen's xl.cfg syntax into a tree of HOCON values (so that typed getters and located
/// errors work the same as for HOCON files). The syntax: <c>KEY = VALUE</c> settings separated
/// by newlines or <c>;</c>; a value is a string in single or double quotes, a number, or a list
/// <c>[ v, v, ... ]</c> that may span lines and end with a comma; <c>#</c> starts a comment.
/// A key written twice keeps its last value, as xl does.
/// </summary>
internal sealed class XlConfigParser
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private XlConfigParser(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static HoconObject Parse(string text, string file) => new XlConfigParser(text, file).ParseFile();

    private ConfigOrigin Here => new(_file, _line, _pos - _lineStart + 1);

    private ConfigException Error(ConfigOrigin at, string path, string expected, string found) => new(new ConfigError(at, path, expected, found));

    private string DescribeHere() => _pos >= _text.Length ? "end of file" : _text[_pos] == '\n' ? "end of line" : $"'{_text[_pos]}'";

    private HoconObject ParseFile()
    {
        var root = new HoconObject(new ConfigOrigin(_file, 1, 1));
        while (true)
        {
            SkipBlank(newlines: true);
            if (_pos >= _text.Length)
            {
                return root;
            }
            var keyOrigin = Here;
            var key = ReadIdentifier();
            if (key is null)
            {
                throw Error(keyOrigin, "", "a setting name such as memory", DescribeHere());
            }
            SkipBlank(newlines: false);
            if (_pos >= _text.Length || _text[_pos] != '=')
            {
                throw Error(Here, key, "'=' after the setting name", DescribeHere());
            }
            _pos++;
            SkipBlank(newlines: false);
            var value = ParseValue(key);
            root.Merge(key, value, keyOrigin);
            SkipBlank(newlines: false);
            if (_pos < _text.Length && _text[_pos] is not ('\n' or ';'))
            {
                throw Error(Here, key, "a new line or ';' after the value", DescribeHere());
            }
            if (_pos < _text.Length)
            {
                Advance();
            }
        }
    }

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }
        _pos++;
    }

    private void SkipBlank(bool newlines)
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '\n' ? newlines : c is ' ' or '\t' or '\r' or '\uFEFF')
            {
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private string? ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }
        return _pos > start && !char.IsAsciiDigit(_text[start]) ? _text[start.._pos] : null;
    }

    private HoconValue ParseValue(string key)
    {
        var origin = Here;
        if (_pos >= _text.Length)
        {
            throw Error(origin, key, "a value (a quoted string, a number or a [ list ])", "end of file");
        }
        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            return new HoconScalar(HoconScalarKind.String, ReadString(key), origin);
        }
        if (c == '[')
        {
            return ParseList(key);
        }
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or '-' or '+'))
        {
            _pos++;
        }
        var word = _text[start.._pos];
        if (HoconText.IsNumber(word))
        {
            return new HoconScalar(HoconScalarKind.Number, word, origin);
        }
        if (word.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(word.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return new HoconScalar(HoconScalarKind.Number, hex.ToString(CultureInfo.InvariantCulture), origin);
        }
        _pos = start;
        throw Error(origin, key, "a value (a quoted string, a number or a [ list ])", word.Length > 0 ? $"'{word}' (strings need quotes)" : DescribeHere());
    }

    private string ReadString(string key)
    {
        var origin = Here;
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                throw Error(origin, key, $"a closing {quote} for this string", _pos >= _text.Length ? "end of file" : "end of line");
            }
            var c = _text[_pos++];
            if (c == quote)
            {
                return sb.ToString();
            }
            if (c == '\\' && _pos < _text.Length && _text[_pos] != '\n')
            {
                var e = _text[_pos++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', _ => e });
                continue;
            }
            sb.Append(c);
        }
    }

    private HoconArray ParseList(string key)
    {
        var origin = Here;
        _pos++;
        var items = new List<HoconValue>();
        while (true)
        {
            SkipBlank(newlines: true);
            if (_pos >= _text.Length)
            {
                throw Error(origin, key, "']' to close this list", "end of file");
            }
            if (_text[_pos] == ']')
            {
                _pos++;
                return new HoconArray(items, origin);
            }
            items.Add(ParseValue(key));
            SkipBlank(newlines: true);
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
            }
            else if (_pos >= _text.Length || _text[_pos] != ']')
            {
                throw Error(Here, key, "',' or ']' in the list", DescribeHere());
            }
        }
    }
}
