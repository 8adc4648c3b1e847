namespace Helmholtz.Tests;

/// <summary>A user may import every Helmholtz namespace at once (global usings) beside the SDK's implicit usings and System.Numerics.Tensors.</summary>
public sealed class NamespaceLayoutTests
{
    [Fact]
    public void PublicTypeNamesAreUniqueAndClashWithNoCommonImport()
    {
        var ours = typeof(Helmholtz.Tensors.Rng).Assembly.GetExportedTypes().Where(t => !t.IsNested).ToArray();
        var duplicates = ours.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g.Select(t => t.FullName))).ToArray();
        Assert.True(duplicates.Length == 0, "Public types with the same name in two namespaces: " + string.Join("; ", duplicates));

        // The SDK's implicit usings for a console app, and the tensor package a numerical user imports beside ours.
        string[] imported = ["System", "System.IO", "System.Collections.Generic", "System.Linq", "System.Net.Http", "System.Threading",
            "System.Threading.Tasks", "System.Numerics.Tensors", "System.Numerics"];
        var theirs = new[] { typeof(object).Assembly, typeof(System.Numerics.Tensors.TensorPrimitives).Assembly, typeof(Enumerable).Assembly,
            typeof(System.Net.Http.HttpClient).Assembly, typeof(System.Numerics.BigInteger).Assembly, typeof(System.Numerics.Vector2).Assembly }
            .SelectMany(a => a.GetExportedTypes()).Where(t => imported.Contains(t.Namespace)).Select(t => t.Name.Split('`')[0]).ToHashSet();
        var clashes = ours.Where(t => theirs.Contains(t.Name.Split('`')[0])).Select(t => t.FullName).ToArray();
        Assert.True(clashes.Length == 0, "Public types whose names clash with a commonly imported namespace: " + string.Join(", ", clashes));
    }
}
