using Helmholtz.Cli.Commands.Aif;

namespace Helmholtz.Tests.Cli.Commands.Aif;

public sealed class AifRunFolderTests
{
    [Fact]
    public void EveryVariantHasItsOwnDefaultRunFolder()
    {
        AifRunSettings[] variants =
        [
            new() { Env = "grid" },
            new() { Env = "grid", UnknownLayout = true },
            new() { Env = "grid", UnknownLayout = true, Planner = "sophisticated" },
            new() { Env = "tmaze" },
            new() { Env = "tmaze", Planner = "sophisticated" },
            new() { Env = "tmaze", Learn = true },
            new() { Env = "tmaze", LearnD = true },
            new() { Env = "tmaze", NoInfoGain = true },
            new() { Env = "tmaze", Learn = true, NoInfoGain = true },
        ];
        string[] names = [.. variants.Select(AifRunCommand.DefaultFolderName)];
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("aif-tmaze", names[3]); // the plain run keeps the folder the docs name
        Assert.Equal("aif-grid-unknown-si", names[2]);
    }
}
