using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Helmholtz.Distributed;

/// <summary>Thrown when MPI cannot be used: <c>libmpi.so.40</c> is missing, the process was not started by <c>mpirun</c>, or MPI was already initialised.</summary>
public sealed class MpiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The ranks of <c>MPI_COMM_WORLD</c>, through Open MPI's <c>libmpi.so.40</c> (Debian's <c>openmpi-bin</c>, <c>libopenmpi3</c>).</summary>
/// <remarks>
/// <para>MPI may be initialised once per process and never again after it is finalised; <see cref="Initialize"/> asks
/// MPI itself (<c>MPI_Initialized</c>, <c>MPI_Finalized</c>) rather than keeping a flag of its own, so a second call in
/// the same process is refused. <see cref="Dispose"/> finalises MPI. Errors follow Open MPI's default handler
/// (errors are fatal: the job is aborted), and a rank that exits without finalising makes <c>mpirun</c> end the others.</para>
/// <para>Collectives are called from one thread at a time (MPI_THREAD_SERIALIZED). The instance counts the time,
/// calls and bytes of its all-reduces, for measurements.</para>
/// </remarks>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    private readonly nint _world, _float, _double, _sum;
    private bool _finalized;

    private MpiCommunicator(nint world, nint single, nint dbl, nint sum)
    {
        _world = world;
        _float = single;
        _double = dbl;
        _sum = sum;
        Check(MpiNative.CommRank(_world, out int rank), "MPI_Comm_rank");
        Check(MpiNative.CommSize(_world, out int size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>Whether this process was started by Open MPI's <c>mpirun</c> (it sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>All-reduce calls so far.</summary>
    public long AllReduceCalls { get; private set; }

    /// <summary>Bytes this rank contributed to all-reduces so far.</summary>
    public long AllReduceBytes { get; private set; }

    /// <summary>Seconds spent inside all-reduces so far (waiting for slower ranks included).</summary>
    public double AllReduceSeconds { get; private set; }

    /// <summary>Initialises MPI (MPI_Init_thread, serialised threads) and returns <c>MPI_COMM_WORLD</c>.</summary>
    /// <exception cref="MpiUnavailableException">libmpi.so.40 cannot be loaded or lacks Open MPI's symbols, or MPI was already initialised (or finalised) in this process.</exception>
    public static unsafe MpiCommunicator Initialize()
    {
        nint library;
        try
        {
            library = NativeLibrary.Load(MpiNative.Library);
        }
        catch (DllNotFoundException ex)
        {
            throw new MpiUnavailableException($"Open MPI's {MpiNative.Library} could not be loaded (not installed, or not on the library path); install Open MPI (Debian: apt-get install openmpi-bin).", ex);
        }

        nint Export(string name) => NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new MpiUnavailableException($"{MpiNative.Library} has no symbol {name}: Helmholtz needs Open MPI's ABI (MPICH is not supported).");
        nint world = Export("ompi_mpi_comm_world"), single = Export("ompi_mpi_float"), dbl = Export("ompi_mpi_double"), sum = Export("ompi_mpi_op_sum");
        Check(MpiNative.Finalized(out int finalized), "MPI_Finalized");
        Check(MpiNative.Initialized(out int initialized), "MPI_Initialized");
        if (finalized != 0 || initialized != 0)
        {
            throw new MpiUnavailableException("MPI was already initialised in this process; it can be initialised only once.");
        }

        Check(MpiNative.InitThread(null, null, MpiNative.ThreadSerialized, out int provided), "MPI_Init_thread");
        if (provided < MpiNative.ThreadSerialized)
        {
            throw new MpiUnavailableException($"MPI provides thread level {provided}; Helmholtz needs MPI_THREAD_SERIALIZED ({MpiNative.ThreadSerialized}).");
        }

        return new MpiCommunicator(world, single, dbl, sum);
    }

    /// <inheritdoc />
    public unsafe void AllReduceSum(Span<float> values)
    {
        long start = Stopwatch.GetTimestamp();
        fixed (float* p = values)
        {
            Check(MpiNative.AllReduce(MpiNative.InPlace, p, values.Length, _float, _sum, _world), "MPI_Allreduce");
        }

        Count(start, values.Length * sizeof(float));
    }

    /// <inheritdoc />
    public unsafe void AllReduceSum(Span<double> values)
    {
        long start = Stopwatch.GetTimestamp();
        fixed (double* p = values)
        {
            Check(MpiNative.AllReduce(MpiNative.InPlace, p, values.Length, _double, _sum, _world), "MPI_Allreduce");
        }

        Count(start, values.Length * sizeof(double));
    }

    /// <inheritdoc />
    public unsafe void Broadcast(Span<float> values, int root)
    {
        fixed (float* p = values)
        {
            Check(MpiNative.Broadcast(p, values.Length, _float, root, _world), "MPI_Bcast");
        }
    }

    /// <inheritdoc />
    public void Barrier() => Check(MpiNative.Barrier(_world), "MPI_Barrier");

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (MPI_Abort); use it when this rank fails alone, so the others do not wait for it.</summary>
    public void Abort(int exitCode) => MpiNative.Abort(_world, exitCode);

    /// <summary>Finalises MPI (MPI_Finalize); every rank must call it.</summary>
    public void Dispose()
    {
        if (!_finalized)
        {
            _finalized = true;
            Check(MpiNative.Finalize(), "MPI_Finalize");
        }
    }

    private void Count(long start, long bytes)
    {
        AllReduceCalls++;
        AllReduceBytes += bytes;
        AllReduceSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Check(int code, string function)
    {
        if (code != 0)
        {
            throw new MpiUnavailableException($"{function} failed with MPI error {code}.");
        }
    }
}
