namespace Helmholtz.Data;

/// <summary>An IDX file (MNIST family) is malformed; the message names the file and the broken rule.</summary>
/// <remarks>Derives from <see cref="FormatException"/> because <see cref="InvalidDataException"/> is sealed; the CLI maps both to exit code 2.</remarks>
public sealed class IdxFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="fileName"/> and the problem found in it.</summary>
    public IdxFormatException(string fileName, string problem, Exception? inner = null)
        : base($"{fileName}: not a valid IDX file: {problem}", inner)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file (or the name given to an in-memory buffer).</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
