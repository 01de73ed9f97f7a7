using Iced.Intel;

namespace ActorVisor.Cpu;

/// <summary>
/// x87 exception reporting: the flags an operation raised go into the status word (DE yields to IE and
/// ZE), ES and B follow the unmasked flags after every x87 instruction, and a waiting x87 instruction or
/// WAIT raises #MF on itself while ES is set and CR0.NE = 1 (the invariant in Interpreter.X87.cs).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ulong Cr0Mp = 1UL << 1;
    private const ulong Cr0Ne = 1UL << 5;

    private static bool X87(X86Cpu c, DecodedOp* op)
    {
        if ((c._cr0 & (Cr0Em | Cr0Ts)) != 0)
        {
            return c.RaiseFault(ExceptionVector.DeviceNotAvailable, 0);
        }
        var mnemonic = ((Code)op->Code).Mnemonic();
        if ((c._fpuStatus & FpuEs) != 0 && IsWaiting(mnemonic) && (c._cr0 & Cr0Ne) != 0)
        {
            return c.RaiseFault(ExceptionVector.FloatingPoint, 0);
        }
        var ok = c.ExecuteX87(op, mnemonic);
        c.UpdateErrorSummary();
        if (ok && !IsControl(mnemonic))
        {
            c.RecordLastInstruction(op);
        }
        return ok;
    }

    /// <summary>WAIT/FWAIT: #NM when CR0.MP and TS are both set, else #MF for a pending unmasked exception (CR0.NE = 1).</summary>
    private static bool X87Wait(X86Cpu c, DecodedOp* op)
    {
        if ((c._cr0 & (Cr0Ts | Cr0Mp)) == (Cr0Ts | Cr0Mp))
        {
            return c.RaiseFault(ExceptionVector.DeviceNotAvailable, 0);
        }
        return (c._fpuStatus & FpuEs) == 0 || (c._cr0 & Cr0Ne) == 0 || c.RaiseFault(ExceptionVector.FloatingPoint, 0);
    }

    /// <summary>The no-wait control instructions do not check for a pending x87 exception; everything else does.</summary>
    private static bool IsWaiting(Mnemonic m) => m is not (Mnemonic.Fninit or Mnemonic.Fnclex or Mnemonic.Fnstcw or Mnemonic.Fnstsw
        or Mnemonic.Fnstenv or Mnemonic.Fnsave or Mnemonic.Fneni or Mnemonic.Fndisi or Mnemonic.Fnsetpm);

    /// <summary>The control instructions leave the last-instruction pointers, opcode and data pointer alone.</summary>
    private static bool IsControl(Mnemonic m) => m is Mnemonic.Fninit or Mnemonic.Fnclex or Mnemonic.Fldcw or Mnemonic.Fnstcw
        or Mnemonic.Fnstsw or Mnemonic.Fnstenv or Mnemonic.Fldenv or Mnemonic.Fnsave or Mnemonic.Frstor
        or Mnemonic.Feni or Mnemonic.Fneni or Mnemonic.Fdisi or Mnemonic.Fndisi or Mnemonic.Fsetpm or Mnemonic.Fnsetpm;


    /// <summary>ES and B follow the unmasked exception flags (the invariant in the type's summary).</summary>
    private void UpdateErrorSummary()
    {
        var pending = (_fpuStatus & ~_fpuControl & 0x3F) != 0;
        _fpuStatus = (ushort)(pending ? _fpuStatus | FpuEs | FpuBusy : _fpuStatus & ~(FpuEs | FpuBusy));
    }

    /// <summary>
    /// Records exception flags an operation met. A denormal operand is not reported when the operation
    /// is invalid or divides by zero: those take precedence, as on the processor.
    /// </summary>
    private void Signal(FpuExceptions raised)
    {
        if ((raised & (FpuExceptions.Invalid | FpuExceptions.ZeroDivide)) != 0)
        {
            raised &= ~FpuExceptions.Denormal;
        }
        _fpuStatus |= (ushort)raised;
    }

    /// <summary>True when one of the pre-computation exceptions (invalid, denormal, divide by zero) is unmasked: the destination is then left alone.</summary>
    private bool Suppresses(FpuExceptions raised) => ((ushort)Precedence(raised) & ~_fpuControl & (FpuIe | FpuZe | 2)) != 0;

    /// <summary>DE unless IE or ZE take precedence (see <see cref="Signal"/>).</summary>
    private static FpuExceptions Precedence(FpuExceptions raised) =>
        (raised & (FpuExceptions.Invalid | FpuExceptions.ZeroDivide)) != 0 ? raised & ~FpuExceptions.Denormal : raised;

    /// <summary>DE for an operand that is a denormal or pseudo-denormal.</summary>
    private static FpuExceptions DenormalOperand(Extended80 x) => x.Exponent == 0 && x.Mantissa != 0 ? FpuExceptions.Denormal : FpuExceptions.None;
}
