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

    private readonly string _text;
    private readonly string _file;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static List<Token> Tokenize(string text, string file)
    {
        var lexer = new Lexer(text, file);
        lexer.Run();
        return lexer._tokens;
    }

    private int Column => _pos - _lineStart + 1;

    private ConfigException Error(int line, int column, string expected, string found) =>
        new(new ConfigError(new ConfigOrigin(_file, line, column), "", expected, found));

    private void Run()
    {
        if (_text.Length > 0 && _text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
        }
        while (_pos < _text.Length)
        {
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
                _tokens.Add(new Token(TokenKind.Whitespace, _text[start.._pos], line, column));
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
        _tokens.Add(new Token(TokenKind.End, "", _line, Column));
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
            if (IsWhitespace(c) || c == '\n' || Forbidden.Contains(c, StringComparison.Ordinal) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }
            _pos++;
        }
        _tokens.Add(new Token(TokenKind.UnquotedText, _text[start.._pos], line, column));
    }

    private string LexQuoted()
    {
        var line = _line;
        var column = Column;
        _pos++;
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
