using System.Globalization;
using System.Text;

namespace ActorVisor.Config.Hocon;

/// <summary>
/// Splits HOCON text into tokens. Comments (<c>#</c> and <c>//</c> to the end of the line) are
/// dropped; newlines and runs of whitespace are kept because HOCON gives them meaning (newlines
/// separate fields, whitespace between values is part of a string concatenation).
/// </summary>
internal sealed class Lexer
{
    private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

    private static readonly bool[] EndsUnquoted = BuildEndsUnquoted();

    private readonly string _text;
    private readonly string _file;
    private readonly List<Token> _tokens = [];
    private int _base;
    private bool _ended;

    // Keys and words repeat a lot in a configuration; each distinct text is allocated once per document.
    private readonly Dictionary<string, string> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string text, string file)
    {
        _text = text;
        _file = file;
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private string Word(int start, int end)
    {
        var span = _text.AsSpan(start, end - start);
        if (_wordLookup.TryGetValue(span, out var word))
        {
            return word;
        }
        word = span.ToString();
        _words[word] = word;
        return word;
    }

    /// <summary>ASCII characters that end an unquoted string: the reserved ones, whitespace and newline.</summary>
    private static bool[] BuildEndsUnquoted()
    {
        var table = new bool[128];
        foreach (var c in Forbidden)
        {
            table[c] = true;
        }
        for (var c = 0; c < 128; c++)
        {
            table[c] |= char.IsWhiteSpace((char)c);
        }
        return table;
    }

    /// <summary>A lexer over <paramref name="text"/>; tokens are produced as the parser asks for them.</summary>
    public static Lexer Create(string text, string file)
    {
        var lexer = new Lexer(text, file);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            lexer._pos = 1;
            lexer._lineStart = 1;
        }
        return lexer;
    }

    private int Column => _pos - _lineStart + 1;

    /// <summary>
    /// The token at absolute position <paramref name="index"/> (0 is the first token of the text).
    /// Past the end every position holds the End token.
    /// </summary>
    public Token At(int index)
    {
        while (index - _base >= _tokens.Count)
        {
            if (_ended)
            {
                return _tokens[^1];
            }
            Step();
        }
        return _tokens[index - _base];
    }

    /// <summary>Forgets tokens before <paramref name="index"/>: the parser will not look back at them.</summary>
    public void Release(int index)
    {
        var count = index - _base;
        if (count > 1024 && count <= _tokens.Count)
        {
            _tokens.RemoveRange(0, count);
            _base = index;
        }
    }

    private ConfigException Error(int line, int column, string expected, string found) =>
        new(new ConfigError(new ConfigOrigin(_file, line, column), "", expected, found));

    /// <summary>Reads one lexeme: adds a token, or skips a comment, or adds End at the end of the text.</summary>
    private void Step()
    {
        if (_pos >= _text.Length)
        {
            _tokens.Add(new Token(TokenKind.End, "", _line, Column));
            _ended = true;
            return;
        }
        var c = _text[_pos];
        var line = _line;
        var column = Column;
        if (c == '\n')
        {
            _tokens.Add(new Token(TokenKind.Newline, "\n", line, column));
            _pos++;
            _line++;
            _lineStart = _pos;
        }
        else if (IsWhitespace(c))
        {
            var start = _pos;
            while (_pos < _text.Length && IsWhitespace(_text[_pos]))
            {
                _pos++;
            }
            _tokens.Add(new Token(TokenKind.Whitespace, Word(start, _pos), line, column));
        }
        else if (c == '#' || (c == '/' && Peek(1) == '/'))
        {
            while (_pos < _text.Length && _text[_pos] != '\n')
            {
                _pos++;
            }
        }
        else
        {
            LexSignificant(c, line, column);
        }
    }

    private void LexSignificant(char c, int line, int column)
    {
        switch (c)
        {
            case ',': Single(TokenKind.Comma); return;
            case ':': Single(TokenKind.Colon); return;
            case '=': Single(TokenKind.Equals); return;
            case '{': Single(TokenKind.OpenBrace); return;
            case '}': Single(TokenKind.CloseBrace); return;
            case '[': Single(TokenKind.OpenBracket); return;
            case ']': Single(TokenKind.CloseBracket); return;
            case '+':
                if (Peek(1) != '=')
                {
                    throw Error(line, column, "'+=' or a value", "'+'");
                }
                _tokens.Add(new Token(TokenKind.PlusEquals, "+=", line, column));
                _pos += 2;
                return;
            case '"':
                if (Peek(1) == '"' && Peek(2) == '"')
                {
                    LexTripleQuoted(line, column);
                }
                else
                {
                    _tokens.Add(new Token(TokenKind.QuotedString, LexQuoted(), line, column));
                }
                return;
            case '$':
                LexSubstitution(line, column);
                return;
            default:
                if (Forbidden.Contains(c, StringComparison.Ordinal))
                {
                    throw Error(line, column, "a key or value", $"the reserved character '{c}' (quote the string to use it)");
                }
                LexUnquoted(line, column);
                return;
        }

        void Single(TokenKind kind)
        {
            _tokens.Add(new Token(kind, c.ToString(), line, column));
            _pos++;
        }
    }

    private char Peek(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private void LexUnquoted(int line, int column)
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c < 128 ? EndsUnquoted[c] || (c == '/' && Peek(1) == '/') : IsWhitespace(c))
            {
                break;
            }
            _pos++;
        }
        _tokens.Add(new Token(TokenKind.UnquotedText, Word(start, _pos), line, column));
    }

    private string LexQuoted()
    {
        var line = _line;
        var column = Column;
        _pos++;
        // Most strings have no escapes: take them straight from the text.
        var end = _pos;
        while (end < _text.Length && _text[end] is not ('"' or '\\' or '\n'))
        {
            end++;
        }
        if (end < _text.Length && _text[end] == '"')
        {
            var plain = _text[_pos..end];
            _pos = end + 1;
            return plain;
        }
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error(line, column, "a closing '\"' for this string", "end of file");
            }
            var c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\n')
            {
                throw Error(line, column, "a closing '\"' on the same line (use \"\"\" for multi-line strings)", "end of line");
            }
            if (c == '\\')
            {
                var escapeColumn = Column;
                var e = Peek(1);
                _pos += 2;
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length
                            || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error(line, escapeColumn, "four hex digits after \\u", "'" + _text.Substring(_pos, Math.Min(4, _text.Length - _pos)) + "'");
                        }
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw Error(line, escapeColumn, "an escape such as \\n, \\\" or \\u0041", e == '\0' ? "end of file" : "\\" + e);
                }
                continue;
            }
            sb.Append(c);
            _pos++;
        }
    }

    private void LexTripleQuoted(int line, int column)
    {
        var start = _pos + 3;
        var end = _text.IndexOf("\"\"\"", start, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Error(line, column, "a closing \"\"\" for this multi-line string", "end of file");
        }
        // Quotes beyond the closing three belong to the string.
        while (end + 3 < _text.Length && _text[end + 3] == '"')
        {
            end++;
        }
        var content = _text[start..end];
        _tokens.Add(new Token(TokenKind.QuotedString, content, line, column));
        foreach (var ch in content)
        {
            if (ch == '\n')
            {
                _line++;
            }
        }
        _pos = end + 3;
        var lastNewline = content.LastIndexOf('\n');
        if (lastNewline >= 0)
        {
            _lineStart = start + lastNewline + 1;
        }
    }

    private void LexSubstitution(int line, int column)
    {
        if (Peek(1) != '{')
        {
            throw Error(line, column, "'${' to start a substitution", "'$'");
        }
        _pos += 2;
        var optional = false;
        if (Peek(0) == '?')
        {
            optional = true;
            _pos++;
        }
        var keys = new List<string>();
        var current = new StringBuilder();
        var sawKey = false;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                throw Error(line, column, "a closing '}' for this substitution", _pos >= _text.Length ? "end of file" : "end of line");
            }
            var c = _text[_pos];
            if (c == '}')
            {
                _pos++;
                break;
            }
            if (c == '"')
            {
                current.Append(LexQuoted());
                sawKey = true;
            }
            else if (c == '.')
            {
                if (!sawKey)
                {
                    throw Error(_line, Column, "a key before '.' in the substitution path", "'.'");
                }
                keys.Add(current.ToString().Trim());
                current.Clear();
                sawKey = false;
                _pos++;
            }
            else if (IsWhitespace(c))
            {
                current.Append(c);
                _pos++;
            }
            else if (Forbidden.Contains(c, StringComparison.Ordinal))
            {
                throw Error(_line, Column, "a path inside ${...}", $"'{c}'");
            }
            else
            {
                current.Append(c);
                sawKey = true;
                _pos++;
            }
        }
        if (!sawKey)
        {
            throw Error(line, column, "a path inside ${...}", keys.Count == 0 ? "an empty substitution" : "a path ending in '.'");
        }
        keys.Add(current.ToString().Trim());
        var path = new ConfigPath(keys);
        _tokens.Add(new Token(TokenKind.Substitution, path.ToString(), line, column, path, optional));
    }
}
