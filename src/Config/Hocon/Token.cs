namespace ActorVisor.Config.Hocon;

internal enum TokenKind
{
    End,
    Newline,
    Whitespace,
    Comma,
    Colon,
    Equals,
    PlusEquals,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    QuotedString,
    UnquotedText,
    Substitution,
}

/// <summary>One lexical token with its position. A substitution token carries its parsed path and whether it is optional.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, ConfigPath? Path = null, bool Optional = false)
{
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of file",
        TokenKind.Newline => "end of line",
        TokenKind.Whitespace => "whitespace",
        TokenKind.Comma => "','",
        TokenKind.Colon => "':'",
        TokenKind.Equals => "'='",
        TokenKind.PlusEquals => "'+='",
        TokenKind.OpenBrace => "'{'",
        TokenKind.CloseBrace => "'}'",
        TokenKind.OpenBracket => "'['",
        TokenKind.CloseBracket => "']'",
        TokenKind.QuotedString => HoconText.Quote(Text),
        TokenKind.UnquotedText => "'" + Text + "'",
        TokenKind.Substitution => "${" + (Optional ? "?" : "") + Path + "}",
        _ => Kind.ToString(),
    };
}
