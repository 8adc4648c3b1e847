using System.Runtime.InteropServices;

namespace Helmholtz.Distributed;

/// <summary>The few MPI entry points Helmholtz calls, bound to Open MPI's <c>libmpi.so.40</c> (source-generated P/Invoke).</summary>
/// <remarks>
/// MPI handles are ABI-specific: in Open MPI an <c>MPI_Comm</c>, <c>MPI_Datatype</c> or <c>MPI_Op</c> is a pointer, and the
/// predefined ones are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>,
/// <c>ompi_mpi_op_sum</c>, …), resolved with <see cref="NativeLibrary.GetExport"/>; <c>MPI_IN_PLACE</c> is <c>(void*)1</c>.
/// MPICH and its derivatives use integer handles and another library name, so this layer targets Open MPI only.
/// </remarks>
internal static partial class MpiNative
{
    internal const string Library = "libmpi.so.40";

    /// <summary>MPI_THREAD_SERIALIZED in Open MPI's numbering (SINGLE 0, FUNNELED 1, SERIALIZED 2, MULTIPLE 3).</summary>
    internal const int ThreadSerialized = 2;

    /// <summary>Open MPI's MPI_IN_PLACE.</summary>
    internal static readonly nint InPlace = 1;

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    internal static unsafe partial int InitThread(int* argc, nint* argv, int required, out int provided);

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    internal static partial int Initialized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    internal static partial int Finalized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    internal static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    internal static partial int CommRank(nint comm, out int rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    internal static partial int CommSize(nint comm, out int size);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    internal static unsafe partial int AllReduce(nint sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Bcast")]
    internal static unsafe partial int Broadcast(void* buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Barrier")]
    internal static partial int Barrier(nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    internal static partial int Abort(nint comm, int errorCode);
}
