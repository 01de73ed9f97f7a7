namespace ActorVisor.Cpu;

/// <summary>
/// FBLD and FBSTP: the 10-byte packed BCD integer (18 digits, two per byte from the least significant,
/// sign in bit 7 of the last byte). FBLD converts exactly (a negative zero stays negative); FBSTP rounds
/// ST0 to an integer with the rounding control (PE, C1 when rounded up) and stores the BCD indefinite
/// (IE) for NaN, infinity or a magnitude of 10^18 or more.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const long BcdLimit = 1_000_000_000_000_000_000;

    private bool LoadBcd(DecodedOp* op)
    {
        var ea = Ea(op);
        if (!TryRead<S64>(ea, out var low) || !TryRead<S16>((ea + 8) & _linearMask, out var high))
        {
            return false;
        }
        long value = 0;
        for (var i = 8; i >= 0; i--)
        {
            var b = i == 8 ? (byte)high : (byte)(low >> (8 * i));
            value = (value * 100) + ((b >> 4) * 10) + (b & 0xF);
        }
        var negative = (high & 0x8000) != 0;
        var loaded = Extended80.FromInt64(value);
        Push(negative ? loaded.Negate() : loaded);
        return true;
    }

    private bool StoreBcd(DecodedOp* op)
    {
        var ea = Ea(op);
        var x = St(0);
        var raised = FpuExceptions.None;
        var integer = x.IsNaN || x.IsInfinity || x.IsUnsupported ? null : x.ToInteger(64, RoundingControl, ref raised);
        ulong low;
        ulong high;
        if (integer is not { } value || value >= BcdLimit || value <= -BcdLimit)
        {
            raised = FpuExceptions.Invalid;
            low = 0xC000000000000000;
            high = 0xFFFF;
        }
        else
        {
            var magnitude = (ulong)Math.Abs(value);
            low = 0;
            high = x.Sign ? 0x8000UL : 0;
            for (var i = 0; i < 9; i++)
            {
                var pair = magnitude % 100;
                magnitude /= 100;
                var b = ((pair / 10) << 4) | (pair % 10);
                if (i < 8)
                {
                    low |= b << (8 * i);
                }
                else
                {
                    high |= b;
                }
            }
            SetRoundedUp(x, Extended80.FromInt64(value));
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return true;
        }
        if (TranslateSlow((ea + 9) & _linearMask, Access.Write) == null || !TryWrite<S64>(ea, low) || !TryWrite<S16>((ea + 8) & _linearMask, high))
        {
            return false;
        }
        Pop();
        return true;
    }
}
