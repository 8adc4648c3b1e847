using System.Buffers.Binary;
using Helmholtz.Tensors;
using Xunit.Sdk;

namespace Helmholtz.Tests.Data;

/// <summary>Random structural mutations of a valid file, for parsers that must either succeed or throw their format exception.</summary>
internal static class Fuzz
{
    private static readonly byte[] JsonBytes = "{}[],:\"0123456789-eE. \\u"u8.ToArray();

    /// <summary>Runs <paramref name="parse"/> on <paramref name="iterations"/> mutants; returns how many parsed. Any other exception fails the test, naming the mutant.</summary>
    public static int Run(byte[] valid, int iterations, ulong seed, Func<byte[], bool> parse, int lengthFieldBytes = 8, bool bigEndianLength = false)
    {
        var rng = new Rng(seed);
        int ok = 0;
        for (int it = 0; it < iterations; it++)
        {
            (byte[] bytes, string how) = Mutant(valid, rng, lengthFieldBytes);
            try
            {
                if (parse(bytes))
                {
                    ok++;
                }
            }
            catch (Exception ex)
            {
                throw new XunitException($"Mutant {it} ({how}) threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        return ok;
    }

    /// <summary>
    /// Runs <paramref name="load"/> on <paramref name="iterations"/> mutants and counts the outcomes: accepted (it
    /// returned; <paramref name="load"/> says whether what it read equals the original), refused with an exception
    /// that <paramref name="isDocumented"/> accepts, or anything else (counted, with the first few described).
    /// </summary>
    /// <remarks>A mutant that runs longer than <paramref name="hangSeconds"/> counts as other (a hang); it is left running in the background.</remarks>
    public static FuzzOutcomes Count(
        byte[] valid, int iterations, ulong seed, Func<byte[], bool> load, Func<Exception, bool> isDocumented, int lengthFieldBytes = 8, double hangSeconds = 10)
    {
        var rng = new Rng(seed);
        int same = 0, refused = 0;
        var other = new List<string>();
        var changed = new List<string>();
        for (int it = 0; it < iterations; it++)
        {
            (byte[] bytes, string how) = Mutant(valid, rng, lengthFieldBytes);
            var run = Task.Run(() => load(bytes));
            try
            {
                if (!run.Wait(TimeSpan.FromSeconds(hangSeconds)))
                {
                    other.Add($"mutant {it} ({how}): still running after {hangSeconds} s (a hang)");
                }
                else if (run.Result)
                {
                    same++;
                }
                else
                {
                    changed.Add($"mutant {it} ({how})");
                }
            }
            catch (AggregateException wrapped) when (wrapped.InnerException is { } ex && isDocumented(ex))
            {
                refused++;
            }
            catch (AggregateException wrapped)
            {
                var ex = wrapped.InnerException ?? wrapped;
                other.Add($"mutant {it} ({how}): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        return new FuzzOutcomes(iterations, same, changed, refused, other);
    }

    /// <summary>One to three rounds of <see cref="Mutate"/>, and what they did.</summary>
    private static (byte[] Bytes, string How) Mutant(byte[] valid, Rng rng, int lengthFieldBytes)
    {
        int rounds = 1 + rng.NextInt(3);
        byte[] bytes = valid;
        string how = string.Empty;
        for (int r = 0; r < rounds; r++)
        {
            (bytes, string what) = Mutate(bytes, rng, lengthFieldBytes);
            how += what + "; ";
        }

        return (bytes, how.TrimEnd(' ', ';'));
    }

    /// <summary>The mutant count for a fuzz test: <paramref name="inTest"/>, or HELMHOLTZ_FUZZ_ITERATIONS when set (for long runs).</summary>
    public static int Iterations(int inTest) =>
        int.TryParse(Environment.GetEnvironmentVariable("HELMHOLTZ_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : inTest;

    private static (byte[] Bytes, string What) Mutate(byte[] source, Rng rng, int lengthFieldBytes)
    {
        byte[] b = (byte[])source.Clone();
        int kind = rng.NextInt(8);
        switch (kind)
        {
            case 0:
            {
                int bits = 1 + rng.NextInt(4);
                for (int i = 0; i < bits && b.Length > 0; i++)
                {
                    int p = rng.NextInt(b.Length);
                    b[p] ^= (byte)(1 << rng.NextInt(8));
                }

                return (b, $"flip {bits} bits");
            }

            case 1:
            {
                int n = rng.NextInt(b.Length + 1);
                return (b[..n], $"truncate to {n}");
            }

            case 2:
            {
                int p = rng.NextInt(b.Length + 1);
                int n = 1 + rng.NextInt(8);
                var ins = new byte[n];
                for (int i = 0; i < n; i++)
                {
                    ins[i] = rng.NextInt(2) == 0 ? (byte)rng.NextInt(256) : JsonBytes[rng.NextInt(JsonBytes.Length)];
                }

                return ([.. b[..p], .. ins, .. b[p..]], $"insert {n} at {p}");
            }

            case 3:
            {
                if (b.Length == 0)
                {
                    return (b, "nothing to delete");
                }

                int p = rng.NextInt(b.Length);
                int n = 1 + rng.NextInt(Math.Min(8, b.Length - p));
                return ([.. b[..p], .. b[(p + n)..]], $"delete {n} at {p}");
            }

            case 4 when b.Length >= lengthFieldBytes && lengthFieldBytes == 8:
            {
                ulong old = BinaryPrimitives.ReadUInt64LittleEndian(b);
                ulong value = rng.NextInt(4) switch
                {
                    0 => rng.NextUInt64(),
                    1 => old + (ulong)rng.NextInt(17) - 8,
                    2 => (ulong)rng.NextInt(b.Length + 16),
                    _ => ulong.MaxValue - (ulong)rng.NextInt(16),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(b, value);
                return (b, $"length field {old} -> {value}");
            }

            case 4 when b.Length >= 16:
            {
                // IDX: overwrite one big-endian u32 dimension (or the magic) with a nearby or wild value.
                int field = rng.NextInt(4);
                uint old = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4 * field));
                uint value = rng.NextInt(2) == 0 ? (uint)rng.NextUInt64() : old + (uint)rng.NextInt(5) - 2;
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 * field), value);
                return (b, $"u32 field {field} {old} -> {value}");
            }

            case 5:
            {
                // Replace a byte with a JSON-significant one, to reach deeper parser states than random bytes do.
                if (b.Length == 0)
                {
                    return (b, "empty");
                }

                int p = rng.NextInt(b.Length);
                b[p] = JsonBytes[rng.NextInt(JsonBytes.Length)];
                return (b, $"json byte at {p}");
            }

            case 6:
            {
                int n = rng.NextInt(64);
                var tail = new byte[n];
                for (int i = 0; i < n; i++)
                {
                    tail[i] = (byte)rng.NextInt(256);
                }

                return ([.. b, .. tail], $"append {n}");
            }

            default:
            {
                if (b.Length < 2)
                {
                    return (b, "too short to copy");
                }

                int from = rng.NextInt(b.Length);
                int to = rng.NextInt(b.Length);
                int n = Math.Min(1 + rng.NextInt(16), Math.Min(b.Length - from, b.Length - to));
                Array.Copy(source, from, b, to, n);
                return (b, $"copy {n} from {from} to {to}");
            }
        }
    }
}

/// <summary>What a fuzz run's mutants did: accepted unchanged, accepted but different (silent corruption), refused cleanly, or anything else.</summary>
internal sealed record FuzzOutcomes(int Mutants, int AcceptedSame, IReadOnlyList<string> AcceptedChanged, int Refused, IReadOnlyList<string> Other)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Mutants} mutants: {Refused} refused with the documented exception, {AcceptedSame} accepted and equal to the original, "
        + $"{AcceptedChanged.Count} accepted but different, {Other.Count} other"
        + (Other.Count > 0 ? ":\n" + string.Join("\n", Other.Take(5)) : string.Empty);
}
